import { join } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process';
import { SseMessages } from '../support/sse-messages';
import { TestPostgres } from '../support/test-postgres';
import { useTempDir } from '../support/temp-dir';

/** One change message of an SSE watch, as plain data: its revision and each event's type, key, value and previous value. */
interface Change {
  readonly revision: number;
  readonly events: readonly (readonly [string, string, string | undefined, string | undefined])[];
}

interface WireEvent {
  type: string;
  key: string;
  value?: string;
  prev_entry?: { value: string };
}

/**
 * The first `count` changes of a watch of prefix k/ from `start` (with previous values), or the
 * refusal: status and body of a compacted start.
 */
async function watchFrom(
  url: string,
  start: number,
  count: number,
): Promise<Change[] | { status: number; body: unknown }> {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/watch?prefix=k/&start_revision=${start}&prev_value=true`, {
    signal: controller.signal,
  });
  if (response.status !== 200) return { status: response.status, body: await response.json() };
  const changes: Change[] = [];
  const reader = response.body!.getReader();
  const messages = new SseMessages();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    while (changes.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const message of messages.push(new TextDecoder().decode(value))) {
        if (message.event !== 'change') continue;
        const data = JSON.parse(message.data!) as { revision: number; events: WireEvent[] };
        changes.push({
          revision: data.revision,
          events: data.events.map((event) => [event.type, event.key, event.value, event.prev_entry?.value] as const),
        });
      }
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return changes;
}

/** Writes through REST; returns the write's revision. */
async function put(url: string, key: string, value: string): Promise<number> {
  const response = await fetch(`${url}/v1/key/${encodeURIComponent(key)}`, { method: 'PUT', body: value });
  expect(response.status).toBe(201);
  return Number(response.headers.get('x-kvs-revision'));
}

async function remove(url: string, key: string): Promise<number> {
  const response = await fetch(`${url}/v1/key/${encodeURIComponent(key)}`, { method: 'DELETE' });
  expect(response.status).toBe(200);
  return Number(response.headers.get('x-kvs-revision'));
}

/** A transaction writing two keys (one revision, two events). */
async function txn(url: string, a: string, b: string, value: string): Promise<number> {
  const response = await fetch(`${url}/v1/txn`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ compare: [], success: [{ put: { key: a, value } }, { delete: { key: b } }], failure: [] }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { revision: number }).revision;
}

const dir = useTempDir('watch-restart');
let postgres: TestPostgres | undefined;

afterAll(async () => {
  await postgres?.close();
});

/**
 * After a restart (clean or kill -9), a watcher resuming from a revision the log still holds
 * whole gets every change from there, with previous values, as before the restart; a start
 * before the last compaction is refused with REVISION_COMPACTED and the revision after it.
 */
describe.each([
  ['file', (): Record<string, string> => ({ TLOG_FILENAME: join(dir.path, 'transactions.log') })],
  ['postgres', async (): Promise<Record<string, string>> => (postgres ??= await TestPostgres.start()).logEnv()],
])('watch history across restarts (%s log)', (_name, logEnv) => {
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    service?.process.kill('SIGKILL');
    await service?.exited();
    service = undefined;
  });

  /** Stops the service (SIGTERM or SIGKILL) and starts it again on the same log. */
  async function restart(env: Record<string, string>, signal: NodeJS.Signals): Promise<string> {
    service!.process.kill(signal);
    await service!.exited();
    service = await startService(env);
    return service.restUrl!;
  }

  it('resumes from the replayed history after a clean stop, a kill -9 and a compaction', async () => {
    const env = { ...(await logEnv()), FRONTEND_TYPE: 'rest', KVS_WATCH_HEARTBEAT_MS: '60000' };
    service = await startService(env);
    let url = service.restUrl!;
    const first = await put(url, 'k/a', 'a1');
    await put(url, 'other', 'not watched');
    const second = await put(url, 'k/a', 'a2');
    const third = await txn(url, 'k/b', 'k/a', 'b1');
    const expected: Change[] = [
      { revision: first, events: [['put', 'k/a', 'a1', undefined]] },
      { revision: second, events: [['put', 'k/a', 'a2', 'a1']] },
      {
        revision: third,
        events: [
          ['put', 'k/b', 'b1', undefined],
          ['delete', 'k/a', '', 'a2'],
        ],
      },
    ];

    url = await restart(env, 'SIGTERM');
    expect(await watchFrom(url, first, 3)).toEqual(expected);
    expect(await watchFrom(url, second, 2)).toEqual(expected.slice(1));

    const fourth = await put(url, 'k/b', 'b2');
    expected.push({ revision: fourth, events: [['put', 'k/b', 'b2', 'b1']] });
    url = await restart(env, 'SIGKILL');
    expect(await watchFrom(url, first, 4)).toEqual(expected);

    const compact = await fetch(`${url}/v1/admin/compact`, { method: 'POST' });
    expect(compact.status).toBe(200);
    const fifth = await remove(url, 'k/b');
    const sixth = await put(url, 'k/c', 'c1');
    const afterCompaction: Change[] = [
      { revision: fifth, events: [['delete', 'k/b', '', 'b2']] },
      { revision: sixth, events: [['put', 'k/c', 'c1', undefined]] },
    ];
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      url = await restart(env, signal);
      expect(await watchFrom(url, fifth, 2)).toEqual(afterCompaction);
      expect(await watchFrom(url, first, 1)).toEqual({
        status: 410,
        body: { code: 'REVISION_COMPACTED', message: expect.any(String), compact_revision: fourth + 1 },
      });
    }
  });
});
