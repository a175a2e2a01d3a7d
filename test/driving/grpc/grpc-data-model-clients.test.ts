import { KvsClient, KvsClientError } from '../../../src/client/kvs-client';
import { HOSTILE_STRINGS } from '../../support/hostile-strings';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';

const CLIENTS = 32;
const COUNTERS = 8;
/** Successful increments each client makes: 32 × 5 = 160 writes in all. */
const INCREMENTS_PER_CLIENT = 5;
/** Attempts a client may spend before the test gives up (a livelock would otherwise spin). */
const MAX_ATTEMPTS_PER_CLIENT = 2000;

/** The UTF-8 byte order etcd uses (not JavaScript's UTF-16 order). */
const utf8Order = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe('many gRPC clients on the whole service', () => {
  let service: InProcessService;
  const clients: KvsClient[] = [];

  beforeAll(async () => {
    service = await startInProcessService({});
    for (let i = 0; i < CLIENTS; i++) clients.push(new KvsClient(service.grpcAddress, { timeoutMs: 20_000 }));
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await service.stop();
  });

  it('loses no increment: 32 clients read-modify-write 8 counters with expected_mod_revision', async () => {
    const successes = new Array<number>(COUNTERS).fill(0);
    let conflicts = 0;
    const increment = async (client: KvsClient, counter: string): Promise<boolean> => {
      let value = 0;
      let revision = 0;
      try {
        const read = await client.getEntry(counter);
        value = Number(read.value);
        revision = read.modRevision;
      } catch (error) {
        if (!(error instanceof KvsClientError) || error.code !== 'KEY_NOT_FOUND') throw error;
      }
      try {
        await client.put(counter, String(value + 1), { ifRevision: revision });
        return true;
      } catch (error) {
        if (!(error instanceof KvsClientError) || error.code !== 'PRECONDITION_FAILED') throw error;
        conflicts += 1;
        return false;
      }
    };
    await Promise.all(
      clients.map(async (client, c) => {
        let done = 0;
        for (let attempt = 0; done < INCREMENTS_PER_CLIENT && attempt < MAX_ATTEMPTS_PER_CLIENT; attempt++) {
          const counter = (c + attempt) % COUNTERS;
          if (await increment(client, `counter/${counter}`)) {
            successes[counter] += 1;
            done += 1;
          }
        }
      }),
    );
    expect(successes.reduce((a, b) => a + b, 0)).toBe(CLIENTS * INCREMENTS_PER_CLIENT);
    const page = await clients[0].range({ prefix: 'counter/' });
    expect(page.entries.map((entry) => [entry.key, Number(entry.value), entry.version])).toEqual(
      successes.map((count, i) => [`counter/${i}`, count, count]),
    );
    // The test only proves something if writers actually collided.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('pages hostile keys through Range: each once, in UTF-8 byte order', async () => {
    // Astral characters against U+E000..U+FFFF tell UTF-8 order from UTF-16 order.
    const extra = ['h/\uFFFD', 'h/\uE000', 'h/😀', 'h/\uFF5E', 'h/𝄞x', 'h/'];
    const keys = [
      ...HOSTILE_STRINGS.map((text) => `h/${text}`),
      ...HOSTILE_STRINGS.map((text) => `h/${text}/2`),
      ...extra,
    ];
    const client = clients[0];
    for (const key of keys) await client.put(key, `v:${key}`);
    await client.put('h0', 'outside the prefix');
    for (const limit of [1, 3, 7]) {
      const seen: string[] = [];
      for await (const page of client.rangePages({ prefix: 'h/', limit })) {
        expect(page.entries.length).toBeLessThanOrEqual(limit);
        for (const entry of page.entries) {
          expect(entry.value).toBe(`v:${entry.key}`);
          seen.push(entry.key);
        }
      }
      expect([limit, seen]).toEqual([limit, [...keys].sort(utf8Order)]);
    }
    // UTF-16 order would put the astral key before U+E000; UTF-8 puts it after U+FFFD.
    const sorted = [...keys].sort(utf8Order);
    expect(sorted.indexOf('h/😀')).toBeGreaterThan(sorted.indexOf('h/\uFFFD'));
  });
});
