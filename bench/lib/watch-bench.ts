import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import type { LoadResult } from './load-protocol';
import type { WatchLoadResult, WatchLoadSpec } from '../load/watch-load';
import type { BenchOptions } from './options';
import { BENCH_BUILD, REPO_ROOT } from './paths';
import { clockTicksPerSecond } from './proc-stats';
import { profileFlags } from './measure';
import { runLoad } from './run-load';
import { nodeCommand, ServerProcess, type ServerSpec } from './server-process';

/** Connections beyond the watchers' (the writers, the GET clients, the probes). */
const SPARE_CONNECTIONS = 1024;
/** File descriptors each process of the 10,000-watcher row needs: its sockets plus node's own. */
const FD_LIMIT = 16_384;
/** How long the server is left after the watchers connected before its memory is read. */
const SETTLE_MS = 2000;
/** The GET clients of the 10,000-watcher row: the bench's REST GET hit at the target concurrency. */
const GET_CONNECTIONS = 32;
/** The watch rows' floor (bench/baselines/node-http-sse-server.ts). */
const SSE_FLOOR_NAME = 'node:http SSE+Map';

/** One watch row's shape. */
interface WatchRow {
  readonly id: (typeof WATCH_ROW_IDS)[number];
  readonly name: string;
  readonly sseWatchers: number;
  readonly grpcWatchers: number;
  readonly prefixes: number;
  readonly writesPerSecond: number;
  readonly inFlight: number;
}

/** The three scale rows. */
const ROWS = {
  oneKey: {
    id: 'watch/one-key',
    name: 'one key',
    sseWatchers: 1000,
    grpcWatchers: 200,
    prefixes: 0,
    writesPerSecond: 10,
    inFlight: 1,
  },
  tenThousand: {
    id: 'watch/10k',
    name: '10,000 SSE',
    sseWatchers: 10_000,
    grpcWatchers: 0,
    prefixes: 0,
    writesPerSecond: 1,
    inFlight: 1,
  },
  prefixes: {
    id: 'watch/prefixes',
    name: '100 prefixes',
    sseWatchers: 100,
    grpcWatchers: 0,
    prefixes: 100,
    writesPerSecond: 1000,
    inFlight: 64,
  },
} as const satisfies Record<string, WatchRow>;

/** What one watch row measured (its write phase; the 10,000-watcher row: its writes alone). */
export interface WatchRowResult extends WatchLoadResult {
  readonly row: WatchRow;
  /** Server RSS growth from no watcher to all of them connected (after SETTLE_MS), per watcher. */
  readonly rssKiBPerWatcher: number;
  /** The same from the peak RSS while the writes were delivered (what garbage adds). */
  readonly peakRssKiBPerWatcher: number;
}

/**
 * The 10,000-watcher row, with the REST GET hit at 32 connections from another process: without
 * watchers (`getAlone`), beside the connected watchers while nothing is written (`getIdle`), and
 * beside them while 1 write/s is delivered to all (`getWatched`, whose writes are `beside`).
 */
export type TenThousandResult = WatchRowResult & {
  readonly getAlone: LoadResult;
  readonly getIdle: LoadResult;
  readonly getWatched: LoadResult;
  readonly beside: WatchLoadResult;
  /** The same watchers and writes (alone) against the bare node:http SSE baseline. */
  readonly floor: WatchRowResult;
};

/** The 100-prefix row, with the same paced writes with no watcher, on a fresh server. */
export type PrefixesResult = WatchRowResult & { readonly alone: WatchLoadResult };

/** What the watch rows measured (a row not selected is missing; one that failed says why). */
export interface WatchResult {
  readonly oneKey?: WatchRowResult | Error;
  readonly tenThousand?: TenThousandResult | Error;
  readonly prefixes?: PrefixesResult | Error;
}

/** The ids `--filter` selects the watch rows by. */
export const WATCH_ROW_IDS = ['watch/one-key', 'watch/10k', 'watch/prefixes'] as const;

/**
 * The watch rows (`--filter watch`), each on a fresh kvs process (both frontends, durable file
 * log), the load generator in its own process, loopback only: 1,000 SSE + 200 gRPC watchers of
 * one key at 10 writes/s; 10,000 SSE watchers of one key at 1 write/s with REST GETs of other
 * clients beside them; 100 SSE watchers of distinct prefixes under 1,000 writes/s, against the
 * same writes with no watcher. Delivery is timed from each write's acknowledgement to its
 * receipt by every watcher of its key. A row that fails is reported as such; the others run.
 */
export async function measureWatch(
  scratch: string,
  options: BenchOptions,
  selected: (id: string) => boolean,
): Promise<WatchResult> {
  const seconds = options.durationSeconds;
  const attempt = async <T>(
    id: (typeof WATCH_ROW_IDS)[number],
    row: () => Promise<T>,
  ): Promise<T | Error | undefined> => {
    if (!selected(id)) return undefined;
    process.stderr.write(`${id} ...\n`);
    return row().catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  };
  const oneKey = await attempt('watch/one-key', () =>
    withServer(scratch, options, ROWS.oneKey, (ports) => watchRow(ports, ROWS.oneKey, seconds)),
  );
  const aloneWrites = Math.max(5, Math.round(seconds * ROWS.tenThousand.writesPerSecond));
  const tenThousand = await attempt('watch/10k', async (): Promise<TenThousandResult> => {
    const watched = await withServer(scratch, options, ROWS.tenThousand, async (ports) => {
      const get = (): Promise<LoadResult> =>
        runLoad('rest', {
          target: `127.0.0.1:${ports.rest}`,
          serverPid: ports.pid,
          operation: 'get-hit',
          connections: GET_CONNECTIONS,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: seconds,
        });
      const getAlone = await get();
      // The writes beside the GETs last as long as the GET run (its warm-up, its window, a margin).
      const besideWrites = Math.ceil(options.warmupSeconds + seconds + 2);
      let getIdle: LoadResult | undefined;
      let getWatched: Promise<LoadResult> | undefined;
      let beside: WatchLoadResult | undefined;
      const row = await watchRow(ports, ROWS.tenThousand, seconds, async (load) => {
        getIdle = await get();
        const alone = await load.write(aloneWrites);
        getWatched = get();
        beside = await load.write(besideWrites);
        return alone;
      });
      return { ...row, getAlone, getIdle: getIdle!, getWatched: await getWatched!, beside: beside! };
    });
    const floor = await withFloor(options, (ports) =>
      watchRow(ports, ROWS.tenThousand, seconds, (load) => load.write(aloneWrites)),
    );
    return { ...watched, floor };
  });
  const prefixes = await attempt('watch/prefixes', async (): Promise<PrefixesResult> => {
    const alone = await withServer(scratch, options, ROWS.prefixes, (ports) =>
      watchRow(ports, { ...ROWS.prefixes, sseWatchers: 0 }, seconds),
    );
    const watched = await withServer(scratch, options, ROWS.prefixes, (ports) =>
      watchRow(ports, ROWS.prefixes, seconds),
    );
    return { ...watched, alone };
  });
  return { oneKey, tenThousand, prefixes };
}

/** The server under test of a row, as the row sees it. */
interface Ports {
  readonly rest: number;
  readonly grpc: number;
  readonly pid: number;
  readonly server: ServerProcess;
}

/** Runs `body` on a fresh kvs process for `row` (both frontends, durable file log, caps sized for its watchers). */
function withServer<T>(
  scratch: string,
  options: BenchOptions,
  row: WatchRow,
  body: (ports: Ports) => Promise<T>,
): Promise<T> {
  const watchers = row.sseWatchers + row.grpcWatchers;
  const spec: ServerSpec = {
    name: `kvs (watch, ${row.name})`,
    command: withFdLimit(
      nodeCommand(resolve(REPO_ROOT, options.main ?? 'dist/main.js'), {
        nodeFlags: options.profile ? profileFlags(row.id) : [],
      }),
    ),
    env: {
      TLOG_TYPE: 'file',
      TLOG_FILENAME: join(scratch, `watch-${row.sseWatchers}-${row.prefixes}.log`),
      TLOG_SYNC: 'always',
      FRONTEND_TYPE: 'rest,grpc',
      KVS_HOST: '127.0.0.1',
      KVS_HTTP_PORT: '0',
      KVS_GRPC_PORT: '0',
      KVS_MAX_CONNECTIONS: String(watchers + SPARE_CONNECTIONS),
      KVS_MAX_WATCHERS: String(Math.max(watchers, 1)),
    },
    ready: /"listening":\[[^\]]*"frontend":"rest"[^\]]*"port":(\d+)[^\]]*"frontend":"grpc"[^\]]*"port":(\d+)/,
  };
  return withProcess(spec, (ready) => ({ rest: Number(ready[1]), grpc: Number(ready[2]) }), body);
}

/** Runs `body` on the bare node:http SSE baseline (REST only: SSE watchers and PUTs). */
function withFloor<T>(options: BenchOptions, body: (ports: Ports) => Promise<T>): Promise<T> {
  const spec: ServerSpec = {
    name: SSE_FLOOR_NAME,
    command: withFdLimit(
      nodeCommand(resolve(BENCH_BUILD, 'baselines/node-http-sse-server.js'), {
        nodeFlags: options.profile ? profileFlags('watch/10k/floor') : [],
      }),
    ),
    ready: /baseline: rest frontend listening on (\S+):(\d+)/,
  };
  return withProcess(spec, (ready) => ({ rest: Number(ready[2]), grpc: 0 }), body);
}

async function withProcess<T>(
  spec: ServerSpec,
  portsOf: (ready: RegExpMatchArray) => { rest: number; grpc: number },
  body: (ports: Ports) => Promise<T>,
): Promise<T> {
  const { server, ready } = await ServerProcess.start(spec);
  try {
    return await body({ ...portsOf(ready), pid: server.pid, server });
  } catch (error) {
    process.stderr.write(`${server.spec.name} failed; its last output:\n${server.log.slice(-2000)}\n`);
    throw error;
  } finally {
    await server.stop();
  }
}

/** A running watch load generator, its watchers connected: each `write` is one measured phase. */
interface WatchLoad {
  write(writes: number): Promise<WatchLoadResult>;
}

/**
 * Runs one row's watchers against `ports`; once all are live (and the server settled), `phases`
 * drives them (default: one phase of the row's writes for `seconds`) and its result is the row's.
 */
async function watchRow(
  ports: Ports,
  row: WatchRow,
  seconds: number,
  phases: (load: WatchLoad) => Promise<WatchLoadResult> = (load) =>
    load.write(Math.max(20, Math.round(seconds * row.writesPerSecond))),
): Promise<WatchRowResult> {
  const { server } = ports;
  const before = server.rssKiB();
  const spec: WatchLoadSpec = {
    restPort: ports.rest,
    serverPid: ports.pid,
    grpcPort: ports.grpc,
    sseWatchers: row.sseWatchers,
    grpcWatchers: row.grpcWatchers,
    grpcChannels: row.grpcWatchers === 0 ? 0 : 10,
    prefixes: row.prefixes,
    writesPerSecond: row.writesPerSecond,
    inFlight: row.inFlight,
  };
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, server.rssKiB())), 200);
  try {
    const { result, settled } = await runWatchLoad(spec, async (load) => {
      await sleep(SETTLE_MS);
      const settledKiB = server.rssKiB();
      return { result: await phases(load), settled: settledKiB };
    });
    const watchers = Math.max(1, row.sseWatchers + row.grpcWatchers);
    return {
      ...result,
      row,
      rssKiBPerWatcher: (settled - before) / watchers,
      peakRssKiBPerWatcher: (peak - before) / watchers,
    };
  } finally {
    clearInterval(sampler);
  }
}

/** The command under `sh`, with the soft file-descriptor limit raised (10,000 sockets need more than many defaults). */
function withFdLimit(command: readonly [string, ...string[]]): [string, ...string[]] {
  const raise = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$@"`;
  return ['sh', '-c', raise, 'sh', ...command];
}

/**
 * Starts the watch load generator; once it says its watchers are connected, `body` drives its
 * phases (a `write N` line each, answered by one JSON line), then it is told to exit.
 */
async function runWatchLoad<T>(spec: WatchLoadSpec, body: (load: WatchLoad) => Promise<T>): Promise<T> {
  const script = resolve(BENCH_BUILD, 'load/watch-load.js');
  const [program, ...args] = withFdLimit([process.execPath, script, JSON.stringify(spec)]);
  const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`watch load generator exited ${code}: ${stderr}`))),
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const nextLine = async (): Promise<string> => {
    const line = await Promise.race([lines.next(), exited]);
    if (line.done === true) return exited;
    return line.value;
  };
  try {
    if ((await nextLine()) !== 'connected') throw new Error(`watch load generator: expected "connected"`);
    return await body({
      write: async (writes) => {
        child.stdin.write(`write ${writes}\n`);
        return JSON.parse(await nextLine()) as WatchLoadResult;
      },
    });
  } finally {
    exited.catch(() => undefined);
    child.stdin.end('exit\n');
  }
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;
const count = (value: number): string => value.toLocaleString('en-US');
const verdict = (met: boolean): string => (met ? '**met**' : '**missed**');

/** A row's delivery figures: p99 (p50, max, from the send), deliveries seen of expected. */
function delivery(w: WatchLoadResult): string {
  return `${ms(w.p99Ms)} (p50 ${ms(w.p50Ms)}, max ${ms(w.maxMs)}; from the send p99 ${ms(w.p99FromSendMs)}); ${count(w.delivered)} of ${count(w.expected)} deliveries`;
}

function memory(w: WatchRowResult): string {
  return `${w.rssKiBPerWatcher.toFixed(1)} KiB settled (${w.peakRssKiBPerWatcher.toFixed(1)} KiB at the peak, garbage included)`;
}

/** The rows as the report's table shows them. */
export function watchTable(w: WatchResult): string {
  const lines = ['| Row | Measured | Target | |', '|-----|----------|--------|-|'];
  const complete = (r: WatchRowResult): boolean => r.delivered === r.expected;
  const failed = (id: string, error: Error): string =>
    `| ${id} | failed: ${error.message.split('\n')[0]} | | **failed** |`;
  const { oneKey, tenThousand: ten, prefixes } = w;
  if (oneKey instanceof Error) lines.push(failed('watch/one-key', oneKey));
  else if (oneKey) {
    lines.push(
      `| ${count(oneKey.row.sseWatchers)} SSE + ${oneKey.row.grpcWatchers} gRPC watchers of one key, ${oneKey.row.writesPerSecond} durable writes/s, ${oneKey.writes} writes: delivery from the write's acknowledgement, p99 | ${delivery(oneKey)} | ≤ 100 ms, none missed | ${verdict(oneKey.p99Ms <= 100 && complete(oneKey))} |`,
      `| the same: server memory per watcher (RSS growth, SSE and gRPC together) | ${memory(oneKey)} | | |`,
    );
  }
  if (ten instanceof Error) lines.push(failed('watch/10k', ten));
  else if (ten) {
    const rate = (r: LoadResult): number => r.requests / r.seconds;
    const getRatio = rate(ten.getWatched) / rate(ten.getAlone);
    const ticks = clockTicksPerSecond();
    const cpuPer10k = (r: LoadResult): string => ((r.serverCpuTicks / ticks / r.requests) * 10_000).toFixed(2);
    const perEvent = (w: WatchLoadResult, cpu: number): string => `${((cpu / w.delivered) * 1e6).toFixed(1)} µs`;
    const share = (w: WatchLoadResult, cpu: number): string => `${((cpu / w.phaseSeconds) * 100).toFixed(0)}%`;
    lines.push(
      `| ${count(ten.row.sseWatchers)} SSE watchers of one key, ${ten.row.writesPerSecond} write/s, ${ten.writes} writes alone: all connected (in ${ten.connectSeconds.toFixed(1)} s), delivery p99 | ${delivery(ten)} | ≤ 250 ms | ${verdict(ten.p99Ms <= 250 && complete(ten))} |`,
      `| the same: CPU per delivered event, server / watching clients (one process, on the same 2 cores) | ${perEvent(ten, ten.serverCpuSeconds)} / ${perEvent(ten, ten.loadCpuSeconds)} (of one core during the writes: server ${share(ten, ten.serverCpuSeconds)}, clients ${share(ten, ten.loadCpuSeconds)}) | | |`,
      `| the same against ${SSE_FLOOR_NAME} (the floor: one shared Buffer written to every socket, nothing else): delivery p99; CPU per delivered event, server / clients | ${delivery(ten.floor)}; ${perEvent(ten.floor, ten.floor.serverCpuSeconds)} / ${perEvent(ten.floor, ten.floor.loadCpuSeconds)} (kvs ÷ floor: p99 ${(ten.p99Ms / ten.floor.p99Ms).toFixed(2)}×, server CPU per event ${(ten.serverCpuSeconds / ten.delivered / (ten.floor.serverCpuSeconds / ten.floor.delivered)).toFixed(2)}×) | | |`,
      `| the same: server memory per watcher | ${memory(ten)} (floor: ${memory(ten.floor)}) | ≤ 20 KiB | ${verdict(ten.rssKiBPerWatcher <= 20)} |`,
      `| the same: REST GET hit of other clients (${GET_CONNECTIONS} conns) while they are connected and ${ten.row.writesPerSecond} write/s lands, vs without | ${getRatio.toFixed(2)}× (${Math.round(rate(ten.getWatched))} vs ${Math.round(rate(ten.getAlone))} req/s; p99 ${ms(ten.getWatched.p99Ms)} vs ${ms(ten.getAlone.p99Ms)}; errors ${ten.getWatched.errors + ten.getAlone.errors + ten.getIdle.errors}) | ≥ 0.8× | ${verdict(getRatio >= 0.8)} |`,
      `| the same: GETs beside the idle watchers (nothing written), vs without | ${(rate(ten.getIdle) / rate(ten.getAlone)).toFixed(2)}× (${Math.round(rate(ten.getIdle))} req/s, p99 ${ms(ten.getIdle.p99Ms)}) | | |`,
      `| the same: server CPU-s per 10k GETs: without watchers / beside idle ones / beside 1 write/s | ${cpuPer10k(ten.getAlone)} / ${cpuPer10k(ten.getIdle)} / ${cpuPer10k(ten.getWatched)} | | |`,
      `| the same: the writes beside the GETs, delivery p99; watching clients' CPU | ${delivery(ten.beside)}; ${share(ten.beside, ten.beside.loadCpuSeconds)} of one core | | |`,
    );
  }
  if (prefixes instanceof Error) lines.push(failed('watch/prefixes', prefixes));
  else if (prefixes) {
    const writeRatio = prefixes.writesPerSecond / prefixes.alone.writesPerSecond;
    lines.push(
      `| ${prefixes.row.sseWatchers} SSE watchers of distinct prefixes, ${count(prefixes.row.writesPerSecond)} durable writes/s paced (≤ ${prefixes.row.inFlight} in flight), ${count(prefixes.writes)} writes: delivery p99 | ${delivery(prefixes)} | reported | ${complete(prefixes) ? 'none missed' : '**missed some**'} |`,
      `| the same: the writes' throughput vs no watchers | ${writeRatio.toFixed(2)}× (${Math.round(prefixes.writesPerSecond)} vs ${Math.round(prefixes.alone.writesPerSecond)} writes/s; write p99 ${ms(prefixes.writeP99Ms)} vs ${ms(prefixes.alone.writeP99Ms)}) | ≥ 0.9× | ${verdict(writeRatio >= 0.9)} |`,
    );
  }
  return lines.join('\n');
}
