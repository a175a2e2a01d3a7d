import { HOSTILE_STRINGS } from '../../support/hostile-strings';
import { send } from '../../support/http-request';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';
import { SeededRandom } from '../../support/seeded-random';

// Bounded and seeded: the same cases on every run, a few seconds in all.
const QUERY_CASES = 500;
const TXN_CASES = 500;
const CONCURRENCY = 8;

let service: InProcessService;

beforeAll(async () => {
  service = await startInProcessService({ KVS_MAX_KEY_BYTES: '64', KVS_MAX_VALUE_BYTES: '256' });
  for (const key of ['a', 'a/b', 'b', 'k0', 'k1', ...HOSTILE_STRINGS]) await service.store.put(key, 'v');
});

afterAll(() => service.stop());

/** Runs `count` seeded cases, CONCURRENCY at a time; each returns a problem or undefined. */
async function problemsOf(
  count: number,
  run: (random: SeededRandom) => Promise<string | undefined>,
): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const problem = await run(new SeededRandom(next++));
      if (problem !== undefined) problems.push(problem);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return problems;
}

/** A client mistake must be a 4xx with the documented error body; nothing may be a 5xx. */
function judge(what: string, status: number, body: string): string | undefined {
  if (status === 200) return undefined;
  if (status < 400 || status >= 500) return `${what}: status ${status}`;
  try {
    const parsed = JSON.parse(body) as { code?: unknown; message?: unknown };
    if (typeof parsed.code === 'string' && typeof parsed.message === 'string') return undefined;
  } catch {
    // falls through
  }
  return `${what}: ${status} without the error body`;
}

const NAMES = ['prefix', 'start', 'end', 'start_after', 'limit', 'keys_only', 'all', 'key', 'prefix[]', '', '%', '%FF'];

function text(random: SeededRandom): string {
  switch (random.int(0, 7)) {
    case 0:
      return random.pick(HOSTILE_STRINGS);
    case 1:
      return random.pick(['', 'true', 'false', '0', '-1', '1001', '1e3', '99999999999', 'NaN', ' 5']);
    case 2:
      return 'x'.repeat(random.int(60, 300));
    case 3:
      return String(random.int(0, 2000));
    case 4:
      return String.fromCodePoint(...Array.from({ length: random.int(1, 6) }, () => random.int(0, 0x10ffff) & ~0x800));
    default:
      return random.pick(['a', 'a/', 'b', 'k', 'z', '\u{10FFFF}', '\uFFFF']);
  }
}

/** A query parameter's raw text: well-encoded mostly, sometimes broken percent-encoding or raw bytes. */
function encoded(random: SeededRandom, value: string): string {
  switch (random.int(0, 5)) {
    case 0:
      return random.pick(['%', '%G1', '%FF', '%ED%A0%80', '%C0%AF', '%00']);
    case 1:
      return [...random.bytes(random.int(1, 8))].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    default:
      return encodeURIComponent(value);
  }
}

function queryOf(random: SeededRandom): string {
  const parts = Array.from({ length: random.int(0, 5) }, () => {
    const name = random.pick(NAMES);
    return random.chance(0.1) ? name : `${name}=${encoded(random, text(random))}`;
  });
  return parts.join(random.chance(0.1) ? '&&' : '&');
}

/** Something in the place of a JSON value: the right type sometimes, anything else otherwise. */
function anything(random: SeededRandom, depth = 0): unknown {
  switch (random.int(0, depth > 2 ? 4 : 7)) {
    case 0:
      return text(random);
    case 1:
      return random.pick([0, -1, 1.5, 2 ** 60, 1e308, 128, 129]);
    case 2:
      return random.chance(0.5);
    case 3:
      return null;
    case 4:
      return random.pick(['put', 'delete', 'get', 'mod_revision', 'exists', '==', '<']);
    case 5:
      return Array.from({ length: random.int(0, 4) }, () => anything(random, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: random.int(0, 4) }, () => [
          random.pick(['key', 'value', 'put', 'get', 'delete', 'target', 'op', 'x']),
          anything(random, depth + 1),
        ]),
      );
  }
}

function opOf(random: SeededRandom): unknown {
  const kind = random.pick(['put', 'delete', 'get']);
  const key = random.chance(0.8) ? text(random) : anything(random);
  const op: Record<string, unknown> = {
    key,
    ...(kind === 'put' ? { value: random.chance(0.8) ? text(random) : anything(random) } : {}),
  };
  return random.chance(0.85) ? { [kind]: op } : anything(random);
}

function txnBodyOf(random: SeededRandom): string {
  if (random.chance(0.05)) return random.bytes(random.int(0, 64)).toString('latin1');
  if (random.chance(0.05)) return '['.repeat(random.int(1, 5000));
  const body: Record<string, unknown> = {};
  const branch = (): unknown =>
    random.chance(0.9)
      ? Array.from({ length: random.pick([0, 1, 3, 127, 128, 129]) }, () => opOf(random))
      : anything(random);
  if (random.chance(0.7)) {
    body.compare = Array.from({ length: random.int(0, 4) }, () => ({
      key: text(random),
      target: random.pick(['mod_revision', 'create_revision', 'version', 'value', 'exists', 'other']),
      op: random.pick(['==', '!=', '<', '>', '=']),
      value: anything(random),
    }));
  }
  if (random.chance(0.8)) body.success = branch();
  if (random.chance(0.5)) body.failure = branch();
  if (random.chance(0.1)) body[text(random)] = anything(random);
  return JSON.stringify(body);
}

describe('hostile ranges and transactions', () => {
  it('answer every seeded query of GET and DELETE /v1/keys with 200 or a 4xx error body, never a 5xx', async () => {
    const statuses = new Set<number>();
    const problems = await problemsOf(QUERY_CASES, async (random) => {
      const method = random.chance(0.7) ? 'GET' : 'DELETE';
      const query = queryOf(random);
      const answer = await send(`${service.restUrl}/v1/keys?${query}`, { method });
      statuses.add(answer.status);
      return judge(`${method} ?${query}`, answer.status, answer.body);
    });
    expect(problems).toEqual([]);
    expect([statuses.has(200), statuses.has(400)]).toEqual([true, true]);
  }, 60_000);

  it('answer every seeded transaction body with 200 or a 4xx error body, never a 5xx', async () => {
    const statuses = new Set<number>();
    const problems = await problemsOf(TXN_CASES, async (random) => {
      const body = txnBodyOf(random);
      const answer = await send(`${service.restUrl}/v1/txn`, { method: 'POST', body });
      statuses.add(answer.status);
      return judge(`txn ${body.slice(0, 200)}`, answer.status, answer.body);
    });
    expect(problems).toEqual([]);
    // The cases reach past the parser: some transactions ran, some were refused.
    expect([statuses.has(200), statuses.has(400)]).toEqual([true, true]);
  }, 60_000);

  it('logged no server fault', () => {
    expect(service.log.messages('error')).toEqual([]);
  });
});
