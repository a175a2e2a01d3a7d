import { pino } from 'pino';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Metadata, status } from '@grpc/grpc-js';
import { KvsClient, KvsClientError } from '../../src/client/kvs-client';
import { LoadShedder } from '../../src/application/policies/load-shedding';
import { healthCheck, rawClient, rawUnary } from '../support/grpc-raw';
import { send } from '../support/http-request';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { goodClaims, hmacSetup } from './jwt-fixtures';

/**
 * One request an hour, bursts of five: the window lasts five hours, so no refill can happen
 * during a test and the number of refusals is exact.
 */
const LIMIT = { KVS_RATE_LIMIT: '1/h', KVS_RATE_BURST: '5' };

async function grpcOutcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (error instanceof KvsClientError && error.status === status.NOT_FOUND) return 'ok';
    if (error instanceof KvsClientError && error.code !== undefined) return `${status[error.status]} ${error.code}`;
    throw error;
  }
}

describe('rate limit', () => {
  let service: InProcessService;

  afterEach(() => service.stop());

  it('gives a REST burst exactly the 429s the bucket allows, with Retry-After; probes are not charged', async () => {
    service = await startInProcessService(LIMIT);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const answer = await send(`${service.restUrl}/v1/key/k${i}`);
      statuses.push(answer.status);
      expect((await send(`${service.restUrl}/healthz`)).status).toBe(200);
      if (answer.status === 429) {
        expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
        expect(JSON.parse(answer.body)).toMatchObject({ code: 'RATE_LIMITED' });
      }
    }
    expect(statuses).toEqual([...Array<number>(5).fill(404), ...Array<number>(7).fill(429)]);
  });

  it('charges one bucket per caller across both frontends; gRPC gets RESOURCE_EXHAUSTED / RATE_LIMITED', async () => {
    service = await startInProcessService(LIMIT);
    const client = new KvsClient(service.grpcAddress, { timeoutMs: 5000 });
    const health = rawClient(service.grpcAddress);
    try {
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) outcomes.push(String((await send(`${service.restUrl}/v1/key/k`)).status));
      for (let i = 0; i < 9; i++) {
        outcomes.push(await grpcOutcome(client.get('k')));
        expect(await healthCheck(health)).toBe('SERVING');
      }
      expect(outcomes).toEqual([
        ...Array<string>(3).fill('404'),
        ...Array<string>(2).fill('ok'),
        ...Array<string>(7).fill('RESOURCE_EXHAUSTED RATE_LIMITED'),
      ]);
    } finally {
      client.close();
      health.close();
    }
  });

  it("keys the bucket by the token's subject: each subject has its own burst", async () => {
    const setup = hmacSetup();
    service = await startInProcessService({ ...LIMIT, ...setup.env });
    const token = (sub: string) => setup.sign(goodClaims({ sub, scope: 'kvs:read' }));
    const alice = { Authorization: `Bearer ${await token('alice')}` };
    const bob = { Authorization: `Bearer ${await token('bob')}` };
    const statuses = async (headers: Record<string, string>): Promise<number[]> => {
      const result: number[] = [];
      for (let i = 0; i < 7; i++) result.push((await send(`${service.restUrl}/v1/key/k`, { headers })).status);
      return result;
    };
    const expected = [404, 404, 404, 404, 404, 429, 429];
    expect(await statuses(alice)).toEqual(expected);
    expect(await statuses(bob)).toEqual(expected);
    const limited = service.log.records.filter((record) => record.event === 'rate_limited').map((r) => r.caller);
    expect(new Set(limited)).toEqual(new Set(['sub:alice', 'sub:bob']));
  });
});

describe('load shedding', () => {
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcessService({ KVS_MAX_IN_FLIGHT: '1' });
  });

  afterAll(() => service.stop());

  /** Starts a PUT whose body never finishes, so it stays in flight until `finish` is called. */
  function holdRequest(): { finish: () => Promise<number>; abort: () => void } {
    const url = new URL(`${service.restUrl}/v1/key/held`);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'PUT',
      agent: false,
      headers: { 'Content-Length': '4' },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    req.write('he');
    return {
      finish: () => {
        req.end('ld');
        return answered;
      },
      // After a failed assertion: end the held request quietly so the service can stop.
      abort: () => {
        answered.catch(() => undefined);
        req.destroy();
      },
    };
  }

  it('refuses new requests at once with 503 / UNAVAILABLE OVERLOADED while over KVS_MAX_IN_FLIGHT; probes still answer', async () => {
    const held = holdRequest();
    // Wait (bounded) until the held request is admitted, i.e. the next one is shed.
    let answer = await send(`${service.restUrl}/v1/key/other`);
    for (let waited = 0; answer.status !== 503 && waited < 5000; waited += 20) {
      await sleep(20);
      answer = await send(`${service.restUrl}/v1/key/other`);
    }
    expect(answer.status).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'OVERLOADED' });

    const client = new KvsClient(service.grpcAddress, { timeoutMs: 5000 });
    const health = rawClient(service.grpcAddress);
    try {
      expect(await grpcOutcome(client.get('other'))).toBe('UNAVAILABLE OVERLOADED');
      expect((await send(`${service.restUrl}/healthz`)).status).toBe(200);
      expect(await healthCheck(health)).toBe('SERVING');

      // A second refusal while still saturated logs nothing new: one line per transition.
      expect((await send(`${service.restUrl}/v1/key/other`)).status).toBe(503);
      expect(await held.finish()).toBe(201);
      expect((await send(`${service.restUrl}/v1/key/held`)).body).toBe('held');
      expect(await grpcOutcome(client.get('held'))).toBe('ok');
      const transitions = service.log.records.filter((record) => String(record.event).startsWith('shedding_'));
      expect(transitions.map((record) => [record.level, record.event, record.reason, record.maxInFlight])).toEqual([
        [40, 'shedding_started', 'in_flight', 1],
        [40, 'shedding_stopped', 'in_flight', 1],
      ]);
    } finally {
      held.abort();
      client.close();
      health.close();
    }
  });
});

describe('LoadShedder event-loop lag', () => {
  it('sheds after the event loop was blocked beyond the bound, and recovers', async () => {
    // The shedding state lasts one 500 ms sample window, and a loaded machine can starve a poller
    // for longer than that, so admission is checked at the moment each transition is logged
    // (pino writes synchronously), not by polling.
    const admittedAt: Array<{ event: string; admitted: boolean }> = [];
    const admits = (): boolean => {
      const admission = shedder.admit();
      if ('code' in admission) return false;
      admission.release();
      return true;
    };
    const logger = pino(
      { level: 'debug' },
      {
        write: (line: string) => {
          const { event } = JSON.parse(line) as { event?: string };
          if (event === 'shedding_started' || event === 'shedding_stopped')
            admittedAt.push({ event, admitted: admits() });
        },
      },
    );
    // A bound well above the scheduling stalls of a loaded 2-core CI machine (100 ms stalls were
    // seen there, which kept the shedder on for seconds), and a block far above the bound.
    const shedder = new LoadShedder({ maxInFlight: 0, maxEventLoopLagMs: 300 }, logger);
    try {
      expect(admits()).toBe(true);
      const started = () => admittedAt.some(({ event }) => event === 'shedding_started');
      // A block the delay monitor has not begun timing goes unseen (its first tick only sets the
      // baseline), and a starved process can miss that tick; so the block is repeated, at most
      // three times, until the shedder reports it.
      for (let attempt = 0; attempt < 3 && !started(); attempt++) {
        await sleep(100); // let the delay monitor take its first samples
        const until = Date.now() + 1200;
        while (Date.now() < until); // block the event loop: this is the lag being measured
        for (let waited = 0; !started() && waited < 3000; waited += 10) await sleep(10);
      }
      const stopped = () => admittedAt.at(-1)?.event === 'shedding_stopped';
      for (let waited = 0; !stopped() && waited < 15_000; waited += 10) await sleep(10);
      // A busy machine may add lags of its own; what must hold is a start that refused
      // admission and a final stop that admits again.
      expect(admittedAt).toContainEqual({ event: 'shedding_started', admitted: false });
      expect(admittedAt.at(-1)).toEqual({ event: 'shedding_stopped', admitted: true });
      expect(admits()).toBe(true);
    } finally {
      shedder.close();
    }
  });
});

describe('gRPC request metadata', () => {
  let service: InProcessService;
  beforeAll(async () => {
    service = await startInProcessService({ KVS_REQUEST_LOG: 'true' });
  });
  /** The request lines of refused oversized calls: the refusal is observed like any other. */
  const refusedLines = () =>
    service.log.records.filter((record) => record.event === 'request' && record.status === 'RESOURCE_EXHAUSTED');
  afterAll(() => service.stop());

  /** A Get of key "k", hand-encoded (field 1, length 1). */
  const GET_K = Buffer.from([0x0a, 0x01, 0x6b]);
  /** Metadata of one entry per size, e.g. [60_000, 10_000]: two entries, 70 KB. */
  const metadataOf = (sizes: number[]): Metadata => {
    const metadata = new Metadata();
    sizes.forEach((bytes, i) => metadata.set(`x-filler-${i}`, 'm'.repeat(bytes)));
    return metadata;
  };

  it.each([
    // Past 64 KiB in one entry nghttp2 itself resets the stream (COMPRESSION_ERROR), also at once.
    ['one 60 KB entry and four 10 KB ones', [60_000, 10_000, 10_000, 10_000, 10_000]],
    ['ten 10 KB entries', Array<number>(10).fill(10_000)],
  ])('of 100 KB (%s) is answered RESOURCE_EXHAUSTED at once, well within a 2 s deadline', async (_name, sizes) => {
    const client = rawClient(service.grpcAddress);
    const refusedBefore = refusedLines().length;
    try {
      // A hang would end in DEADLINE_EXCEEDED instead.
      expect((await rawUnary(client, '/KeyValue/Get', GET_K, metadataOf(sizes), 2000)).code).toBe(
        status.RESOURCE_EXHAUSTED,
      );
      // The connection stays usable: a call with ordinary metadata is served.
      expect((await rawUnary(client, '/KeyValue/Get', GET_K, metadataOf([1000, 1000]), 2000)).code).toBe(
        status.NOT_FOUND,
      );
      expect(refusedLines().slice(refusedBefore)).toMatchObject([{ route: '/KeyValue/Get', frontend: 'grpc' }]);
    } finally {
      client.close();
    }
  });
});
