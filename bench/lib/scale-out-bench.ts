import { EmbeddedPostgresServer } from '../../test/support/embedded-postgres-server';
import { postgresLogEnv } from './postgres-log-env';
import { SseMessages } from '../../test/support/sse-messages';
import { LatencyHistogram } from './latency-histogram';
import type { BenchOptions } from './options';
import { clockTicksPerSecond, cpuTicks } from './proc-stats';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';
import { benchKey, benchValue } from './workload';

/** Keys the read rows read. */
const READ_KEYS = 1000;
/** Concurrent request loops of the read and write rows, spread over the replicas. */
const LOOPS = 32;
/** The rates of the convergence rows (writes/s to replica A). */
const CONVERGENCE_RATES = [100, 1000] as const;

/** Convergence at one write rate: from a write's acknowledgement on A to its arrival at B's and C's watchers. */
export interface ConvergenceFigures {
  readonly rate: number;
  /** Writes acknowledged in the window, and the rate they came at. */
  readonly writes: number;
  readonly achievedPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** (write, replica) pairs whose event never arrived by the end (there must be none). */
  readonly missing: number;
}

/** Throughput of a closed-loop row over some replicas, with the replicas' CPU per request. */
export interface ReplicaThroughput {
  readonly replicas: number;
  readonly requestsPerSecond: number;
  readonly p99Ms: number;
  /** CPU time of the serving replicas (user + system) per request, in µs. */
  readonly cpuMicrosPerRequest: number;
  readonly errors: number;
}

/** What the scale-out rows measured (KVS_REPLICAS=shared on an embedded PostgreSQL). */
export interface ScaleOutResult {
  readonly convergence: readonly ConvergenceFigures[];
  readonly reads: readonly ReplicaThroughput[];
  readonly writes: readonly ReplicaThroughput[];
}

/**
 * The scale-out rows (`--filter scale-out`): three kvs replicas on one table of an embedded
 * PostgreSQL (the tests' own, test/support), REST, loopback. Convergence: writes paced at 100
 * and 1,000/s to replica A; each write's delay from its acknowledgement (the response reaching
 * the bench) to the arrival of its event at a watcher (SSE, every key) on B and on C. Reads:
 * GET of 1,000 keys by 32 loops spread over 1, 2, 3 replicas. Durable writes: PUT by 32 loops
 * to replica A alone (B and C following), then spread over all three. Undefined (with one line
 * saying why) when the PostgreSQL binaries are missing.
 */
export async function measureScaleOut(options: BenchOptions): Promise<ScaleOutResult | undefined> {
  let postgres: EmbeddedPostgresServer;
  try {
    postgres = await EmbeddedPostgresServer.create();
  } catch (error) {
    process.stderr.write(`scale-out: skipped, no PostgreSQL (${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
  const replicas: ServerProcess[] = [];
  try {
    const env = {
      ...postgresLogEnv(postgres.connection, 'kvs_bench_scale_out'),
      KVS_REPLICAS: 'shared',
      KVS_REQUEST_LOG: 'false',
    };
    const urls: string[] = [];
    for (let i = 0; i < 3; i++) {
      const spec = kvsServer('rest', { logFile: '', sync: 'always', main: options.main, env, label: `replica ${i}` });
      const { server, ready } = await ServerProcess.start(spec);
      replicas.push(server);
      urls.push(`http://127.0.0.1:${ready[2]}`);
    }
    const windowMs = options.durationSeconds * 1000;
    const convergence: ConvergenceFigures[] = [];
    for (const rate of CONVERGENCE_RATES) convergence.push(await measureConvergence(urls, rate, windowMs));
    await seed(urls[0], urls);
    const reads: ReplicaThroughput[] = [];
    for (const count of [1, 2, 3]) {
      const targets = urls.slice(0, count);
      reads.push(await closedLoop(targets, replicas.slice(0, count), windowMs, options.warmupSeconds, readOnce));
    }
    const writes: ReplicaThroughput[] = [];
    for (const count of [1, 3]) {
      const targets = urls.slice(0, count);
      writes.push(await closedLoop(targets, replicas, windowMs, options.warmupSeconds, writeOnce));
    }
    return { convergence, reads, writes };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await postgres.destroy();
  }
}

/** Writes paced at `rate`/s to A for `windowMs`; each write's delay until B's and C's watchers have it. */
async function measureConvergence(
  urls: readonly string[],
  rate: number,
  windowMs: number,
): Promise<ConvergenceFigures> {
  const prefix = `conv${rate}-`;
  const arrivals = urls.slice(1).map(() => new Map<number, number>());
  const watches = urls.slice(1).map((url, i) => watchArrivals(`${url}/v1/watch?prefix=${prefix}`, arrivals[i]));
  await Promise.all(watches.map((watch) => watch.opened));
  const acknowledged = new Map<number, number>();
  const began = performance.now();
  const inFlight: Promise<void>[] = [];
  // Open loop: the writes of each 10 ms tick go out together, whatever the earlier ones do.
  for (let tick = 0; performance.now() - began < windowMs; tick++) {
    const due = Math.floor(((tick + 1) * 10 * rate) / 1000) - Math.floor((tick * 10 * rate) / 1000);
    for (let i = 0; i < due; i++) {
      const n = inFlight.length;
      inFlight.push(
        fetch(`${urls[0]}/v1/key/${prefix}${n}`, { method: 'PUT', body: benchValue(n) }).then(async (response) => {
          await response.arrayBuffer();
          const at = performance.now();
          if (response.status === 201) acknowledged.set(Number(response.headers.get('x-kvs-revision')), at);
        }),
      );
    }
    await sleepUntil(began + (tick + 1) * 10);
  }
  await Promise.all(inFlight);
  const elapsed = performance.now() - began;
  // Events still on their way get a second.
  const settle = performance.now() + 1000;
  while (performance.now() < settle && arrivals.some((map) => [...acknowledged.keys()].some((r) => !map.has(r))))
    await sleepUntil(performance.now() + 20);
  for (const watch of watches) watch.stop();
  const histogram = new LatencyHistogram();
  let missing = 0;
  let maxMs = 0;
  for (const [revision, ackedAt] of acknowledged) {
    for (const map of arrivals) {
      const arrivedAt = map.get(revision);
      if (arrivedAt === undefined) {
        missing++;
        continue;
      }
      // An event that arrives before the acknowledgement reached the bench converged at once.
      const delay = Math.max(0, arrivedAt - ackedAt);
      maxMs = Math.max(maxMs, delay);
      histogram.recordMs(delay);
    }
  }
  return {
    rate,
    writes: acknowledged.size,
    achievedPerSecond: (acknowledged.size * 1000) / elapsed,
    p50Ms: histogram.percentileMs(50),
    p99Ms: histogram.percentileMs(99),
    maxMs,
    missing,
  };
}

/** A watch stream whose change events' arrival times go into `arrivals` (by revision). */
function watchArrivals(url: string, arrivals: Map<number, number>): { opened: Promise<void>; stop: () => void } {
  const controller = new AbortController();
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  void (async () => {
    const response = await fetch(url, { signal: controller.signal });
    open();
    const messages = new SseMessages();
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      const at = performance.now();
      for (const message of messages.push(decoder.decode(chunk as Uint8Array, { stream: true }))) {
        if (message.event === 'change') arrivals.set(Number(message.id), at);
      }
    }
  })().catch(() => open());
  return { opened, stop: () => controller.abort() };
}

/** READ_KEYS keys written through A, then every replica at A's revision. */
async function seed(writer: string, urls: readonly string[]): Promise<void> {
  let revision = '0';
  for (let i = 0; i < READ_KEYS; i += 50) {
    const writes = Array.from({ length: 50 }, (_, j) =>
      fetch(`${writer}/v1/key/${benchKey(i + j)}`, { method: 'PUT', body: benchValue(i + j) }).then((response) => {
        revision = response.headers.get('x-kvs-revision') ?? revision;
        return response.arrayBuffer();
      }),
    );
    await Promise.all(writes);
  }
  for (const url of urls) {
    const read = await fetch(`${url}/v1/key/${benchKey(0)}`, { headers: { 'X-Kvs-Min-Revision': revision } });
    if (read.status !== 200) throw new Error(`a replica did not catch up with the seed (${read.status})`);
  }
}

/** One request of a closed loop; true when it succeeded. */
type Request = (url: string, n: number) => Promise<boolean>;

const readOnce: Request = async (url, n) => {
  const response = await fetch(`${url}/v1/key/${benchKey(n % READ_KEYS)}`);
  await response.arrayBuffer();
  return response.status === 200;
};

const writeOnce: Request = async (url, n) => {
  const response = await fetch(`${url}/v1/key/w-${benchKey(n)}`, { method: 'PUT', body: benchValue(n) });
  await response.arrayBuffer();
  return response.status === 201;
};

/**
 * LOOPS request loops spread over `targets` for a warm-up, then `windowMs` measured: rate,
 * p99, and the CPU of `charged` (the replicas doing the work) per request.
 */
async function closedLoop(
  targets: readonly string[],
  charged: readonly ServerProcess[],
  windowMs: number,
  warmupSeconds: number,
  request: Request,
): Promise<ReplicaThroughput> {
  const histogram = new LatencyHistogram();
  let measuring = false;
  let done = false;
  let errors = 0;
  let next = 0;
  const loop = async (id: number): Promise<void> => {
    const url = targets[id % targets.length];
    while (!done) {
      const began = performance.now();
      const ok = await request(url, next++).catch(() => false);
      if (!measuring) continue;
      if (ok) histogram.recordMs(performance.now() - began);
      else errors++;
    }
  };
  const loops = Array.from({ length: LOOPS }, (_, id) => loop(id));
  await sleepUntil(performance.now() + warmupSeconds * 1000);
  const ticksBefore = charged.map((replica) => cpuTicks(replica.pid));
  measuring = true;
  const began = performance.now();
  await sleepUntil(began + windowMs);
  measuring = false;
  const elapsed = performance.now() - began;
  const ticks = charged.reduce((sum, replica, i) => sum + cpuTicks(replica.pid) - ticksBefore[i], 0);
  done = true;
  await Promise.all(loops);
  const requests = histogram.count;
  return {
    replicas: targets.length,
    requestsPerSecond: (requests * 1000) / elapsed,
    p99Ms: histogram.percentileMs(99),
    cpuMicrosPerRequest: requests === 0 ? 0 : (ticks * 1e6) / clockTicksPerSecond() / requests,
    errors,
  };
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
}

/** The scale-out rows as a markdown table. */
export function scaleOutTable(s: ScaleOutResult): string {
  const ms = (value: number) => (value < 10 ? value.toFixed(2) : value.toFixed(1));
  const rows = ['| measure | result | target | verdict |', '|---|---|---|---|'];
  for (const c of s.convergence) {
    const met = c.writes > 0 && c.p99Ms < 100 && c.missing === 0;
    rows.push(
      `| convergence at ${c.rate} writes/s to A (${Math.round(c.achievedPerSecond)}/s achieved, ${c.writes} writes): acknowledgement on A → event at B's and C's watchers | p50 ${ms(c.p50Ms)} ms, p99 ${ms(c.p99Ms)} ms, max ${ms(c.maxMs)} ms, ${c.missing} missing | p99 < 100 ms | ${met ? '**met**' : '**missed**'} |`,
    );
  }
  const one = s.reads[0].requestsPerSecond;
  for (const r of s.reads) {
    rows.push(
      `| REST GET, ${LOOPS} loops over ${r.replicas} replica(s) | ${Math.round(r.requestsPerSecond)} req/s (${(r.requestsPerSecond / one).toFixed(2)}× of 1), p99 ${ms(r.p99Ms)} ms, ${Math.round(r.cpuMicrosPerRequest)} µs CPU/request, ${r.errors} errors | | |`,
    );
  }
  const [single, all] = s.writes;
  const share = all.requestsPerSecond / single.requestsPerSecond;
  rows.push(
    `| durable REST PUT, ${LOOPS} loops to replica A (B and C following) | ${Math.round(single.requestsPerSecond)} req/s, p99 ${ms(single.p99Ms)} ms, ${Math.round(single.cpuMicrosPerRequest)} µs CPU/request (3 replicas), ${single.errors} errors | | |`,
    `| the same spread over 3 replicas writing | ${Math.round(all.requestsPerSecond)} req/s, p99 ${ms(all.p99Ms)} ms, ${Math.round(all.cpuMicrosPerRequest)} µs CPU/request, ${all.errors} errors; ${share.toFixed(2)}× of 1 | ≥ 0.5× | ${share >= 0.5 ? '**met**' : '**missed**'} |`,
  );
  return rows.join('\n');
}
