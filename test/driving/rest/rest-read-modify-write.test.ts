import { compareKeys } from '../../../src/core';
import { HOSTILE_STRINGS } from '../../support/hostile-strings';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';

const CLIENTS = 32;
const COUNTERS = 8;
const INCREMENTS_PER_CLIENT = 6;

let service: InProcessService;

beforeAll(async () => {
  service = await startInProcessService({});
});

afterAll(() => service.stop());

const keyUrl = (key: string) => `${service.restUrl}/v1/key/${encodeURIComponent(key)}`;

/**
 * One client's increment of a counter: read it with its ETag, write the next value with
 * If-Match (If-None-Match: * while absent), and start again on 412. Returns the attempts lost.
 */
async function increment(counter: string): Promise<number> {
  for (let lost = 0; ; lost++) {
    const read = await fetch(keyUrl(counter));
    const current = read.status === 200 ? Number(await read.text()) : 0;
    if (read.status !== 200) await read.body?.cancel();
    const condition: Record<string, string> =
      read.status === 200 ? { 'If-Match': read.headers.get('etag')! } : { 'If-None-Match': '*' };
    const write = await fetch(keyUrl(counter), { method: 'PUT', body: String(current + 1), headers: condition });
    await write.body?.cancel();
    if (write.status === 201) return lost;
    if (write.status !== 412) throw new Error(`PUT answered ${write.status}`);
  }
}

describe('read-modify-write with If-Match over real HTTP', () => {
  it(`${CLIENTS} clients incrementing ${COUNTERS} counters lose no increment: each count equals its successful writes`, async () => {
    const successes = new Map<string, number>();
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, client) => {
        for (let i = 0; i < INCREMENTS_PER_CLIENT; i++) {
          const counter = `counter-${(client + i) % COUNTERS}`;
          conflicts += await increment(counter);
          successes.set(counter, (successes.get(counter) ?? 0) + 1);
        }
      }),
    );
    let total = 0;
    for (let c = 0; c < COUNTERS; c++) {
      const counter = `counter-${c}`;
      const entry = service.store.read(counter).entry!;
      expect([counter, Number(entry.value), entry.version]).toEqual([
        counter,
        successes.get(counter),
        successes.get(counter),
      ]);
      total += Number(entry.value);
    }
    expect(total).toBe(CLIENTS * INCREMENTS_PER_CLIENT);
    // The clients did race: some writes were refused, else the test proves nothing about If-Match.
    expect(conflicts).toBeGreaterThan(0);
  }, 60_000);
});

describe('hostile keys through range paging', () => {
  it('returns every key once, in UTF-8 byte order, page after page', async () => {
    // Each hostile string in a few shapes, plus characters whose UTF-16 and UTF-8 orders differ.
    const keys = [
      ...HOSTILE_STRINGS.flatMap((text) => [`h/${text}`, `h/${text}/x`, `h/x${text}`]),
      'h/\uFFFF',
      'h/\u{10000}',
      'h/\u{1F600}',
      'h/\uE000',
      'h/\u{10FFFF}',
    ];
    for (const key of keys) {
      expect((await fetch(keyUrl(key), { method: 'PUT', body: key })).status).toBe(201);
    }
    await service.store.put('g/outside', 'x');
    await service.store.put('i/outside', 'x');
    const seen: string[] = [];
    let after: string | null = '';
    for (let page = 0; after !== null && page <= keys.length; page++) {
      const answer = await fetch(
        `${service.restUrl}/v1/keys?prefix=h%2F&limit=7&start_after=${encodeURIComponent(after)}`,
      );
      const body = (await answer.json()) as {
        items: { key: string; value: string }[];
        next_start_after: string | null;
      };
      for (const item of body.items) expect(item.value).toBe(item.key);
      seen.push(...body.items.map((item) => item.key));
      after = body.next_start_after;
    }
    expect(after).toBeNull();
    const utf8Order = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    expect(seen).toEqual(utf8Order);
    expect([...keys].sort(compareKeys)).toEqual(utf8Order);
  });
});
