import { copyFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join, resolve } from 'node:path';
import type { BenchOptions } from './options';
import { BENCH_BUILD, RESULTS_DIR } from './paths';
import type { LoadRowResult, MemoryResult, ReplayResult, ReplayRun } from './results';
import { runLoad } from './run-load';
import { isPeer, type LoadRow, type ObservabilityVariant } from './scenarios';
import { SpanSink } from './span-sink';
import { nodeCommand, ServerProcess } from './server-process';
import { baselineServer, kvsServer, type Frontend } from './servers';
import { peerServer, type PeerBinaries } from './peers';
import { overwriteEveryKey } from './overwrite';
import { writeReplayLog } from './replay-log';
import { securityMaterial } from './security-material';

const KIB_PER_MIB = 1024;
/** Events in the replay and memory rows: a million, the size at which per-event costs dominate. */
export const REPLAY_EVENTS = 1_000_000;
/** Let the process settle (finish replay allocations, lazy frees) before reading its RSS. */
const SETTLE_MS = 2000;
/** The heap limit the Dockerfile sets (NODE_OPTIONS), measured next to node's default. */
const DOCKER_HEAP_LIMIT_MB = 512;
const REPLAY_LINE = /replayed (\d+) events \((\d+) live keys\) in ([\d.]+) s, (\d+) events\/s/;

/** Where a row's server keeps its files, and what the peers need: shared by every row of a run. */
export interface RowContext {
  readonly options: BenchOptions;
  /** The run's scratch directory. */
  readonly scratch: string;
  readonly ticksPerSecond: number;
  readonly peers: PeerBinaries;
}

/** Starts the row's server, drives it from a separate load-generator process, stops it. */
export async function measureLoadRow(row: LoadRow, context: RowContext): Promise<LoadRowResult> {
  const { options, scratch } = context;
  // A directory of its own per run: the file log keeps a manifest beside the log, and a later
  // round finding that manifest without its log would (rightly) refuse to start.
  const files = mkdtempSync(join(scratch, `${row.id.replaceAll('/', '_')}-`));
  const logFile = join(files, 'transactions.log');
  const dataDir = join(files, 'data');
  const nodeFlags = options.profile ? profileFlags(row.id) : [];
  const security = row.security && (await securityMaterial(row.security, scratch));
  const receiver = row.observability === 'tracing' ? await SpanSink.start() : undefined;
  const env = {
    ...security?.env,
    ...observabilityEnv(row.observability, receiver),
    ...(row.workers ? { KVS_WORKERS: String(row.workers) } : {}),
  };
  const spec = await (row.server === 'kvs'
    ? kvsServer(frontend(row), {
        logFile,
        sync: row.sync ?? 'always',
        main: options.main,
        nodeFlags,
        env,
        label: security?.label ?? (row.workers ? `workers=${row.workers}` : undefined),
        workers: row.workers,
      })
    : isPeer(row.server)
      ? peerServer(row.server, dataDir, context.peers)
      : baselineServer(row.server, frontend(row), logFile, nodeFlags));
  const { server, ready } = await ServerProcess.start(spec).catch(async (error: unknown) => {
    await receiver?.close();
    throw error;
  });
  try {
    const load = await runLoad(row.protocol, {
      target: `127.0.0.1:${spec.port ?? ready[2]}`,
      serverPid: server.pid,
      operation: row.operation,
      connections: row.connections,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
      caFile: security?.caFile,
      token: security?.token,
      api: row.server === 'etcd' ? 'etcd' : undefined,
    });
    return {
      row,
      serverName: row.observability ? `${spec.name} obs=${row.observability}` : spec.name,
      tool: load.tool,
      requestsPerSecond: load.requests / load.seconds,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      cpuSecondsPer10k: load.requests ? (load.serverCpuTicks / context.ticksPerSecond / load.requests) * 10_000 : NaN,
      peakRssMiB: server.peakRssKiB() / KIB_PER_MIB,
      errors: load.errors,
      loadGcShare: load.loadGcPauseMs === undefined ? undefined : load.loadGcPauseMs / 1000 / load.seconds,
    };
  } finally {
    await server.stop();
    await receiver?.close();
    rmSync(files, { recursive: true, force: true });
  }
}

/** The frontend of a row that runs the service or a node baseline. */
function frontend(row: LoadRow): Frontend {
  if (row.protocol === 'resp') throw new Error(`${row.id}: the service and its baselines speak no RESP`);
  return row.protocol;
}

/** The service's variables for an observability variant (none for the defaults). */
function observabilityEnv(variant: ObservabilityVariant | undefined, receiver?: SpanSink): Record<string, string> {
  if (variant === 'off') return { KVS_REQUEST_LOG: 'false', KVS_METRICS: 'false' };
  if (variant === 'request-logs') return { KVS_REQUEST_LOG: 'true' };
  if (variant === 'tracing' && receiver) {
    return {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    };
  }
  return {};
}

/**
 * Writes a log of REPLAY_EVENTS puts of distinct keys, has the service replay it `runs` times,
 * and after the last run reads the RSS of the service holding those keys.
 */
export async function measureReplay(
  scratch: string,
  runs: number,
  main?: string,
): Promise<{ replay: ReplayResult; memory: Omit<MemoryResult, 'baselineRssMiB' | 'baselinePeakMiB'> }> {
  const logFile = join(scratch, 'replay-1m.log');
  writeReplayLog(logFile, REPLAY_EVENTS);
  const results: ReplayRun[] = [];
  let keys = 0;
  let memory = { kvsRssMiB: 0, kvsPeakMiB: 0 };
  for (let run = 0; run < runs; run++) {
    const { server } = await ServerProcess.start(kvsServer('rest', { logFile, sync: 'always', main }));
    try {
      const line = REPLAY_LINE.exec(server.log);
      if (!line) throw new Error(`no replay line in the service's output:\n${server.log}`);
      keys = Number(line[2]);
      results.push({ seconds: Number(line[3]), eventsPerSecond: Number(line[4]) });
      if (run === runs - 1) {
        await sleep(SETTLE_MS);
        memory = { kvsRssMiB: server.rssKiB() / KIB_PER_MIB, kvsPeakMiB: server.peakRssKiB() / KIB_PER_MIB };
      }
    } finally {
      await server.stop();
    }
  }
  const baselineRuns: ReplayRun[] = [];
  for (let run = 0; run < runs; run++) {
    const { server, ready } = await ServerProcess.start({
      name: 'bare replay',
      command: nodeCommand(resolve(BENCH_BUILD, 'baselines/map-replay.js'), { args: [logFile] }),
      ready: REPLAY_LINE,
    });
    baselineRuns.push({ seconds: Number(ready[3]), eventsPerSecond: Number(ready[4]) });
    await server.stop();
  }
  const logMiB = statSync(logFile).size / KIB_PER_MIB / KIB_PER_MIB;
  const afterOverwrites = await measureOverwrites(scratch, logFile, [], main);
  const afterOverwritesHeapLimited = await measureOverwrites(
    scratch,
    logFile,
    [`--max-old-space-size=${DOCKER_HEAP_LIMIT_MB}`],
    main,
  );
  rmSync(logFile, { force: true });
  return {
    replay: { events: REPLAY_EVENTS, keys, logMiB, runs: byRate(results), baselineRuns: byRate(baselineRuns) },
    memory: { keys, ...memory, afterOverwrites, afterOverwritesHeapLimited, heapLimitMiB: DOCKER_HEAP_LIMIT_MB },
  };
}

/**
 * Replays a copy of the log, overwrites every key once over REST, lets the process settle and
 * reads its RSS: the memory a long-running service holds, against the fresh replay's.
 */
async function measureOverwrites(
  scratch: string,
  replayLog: string,
  nodeFlags: string[],
  main?: string,
): Promise<{ rssMiB: number; peakMiB: number }> {
  const logFile = join(scratch, 'overwrites.log');
  copyFileSync(replayLog, logFile);
  // sync=never: durability does not change what memory holds, and 1M fdatasynced PUTs would take
  // many minutes on a slow disk instead of seconds.
  const { server, ready } = await ServerProcess.start(kvsServer('rest', { logFile, sync: 'never', main, nodeFlags }));
  try {
    await overwriteEveryKey(ready[1], Number(ready[2]), REPLAY_EVENTS);
    await sleep(SETTLE_MS);
    return { rssMiB: server.rssKiB() / KIB_PER_MIB, peakMiB: server.peakRssKiB() / KIB_PER_MIB };
  } finally {
    await server.stop();
    rmSync(logFile, { force: true });
  }
}

/** RSS of a bare node process holding the same keys and values in a Map. */
export async function measureBaselineMemory(keys: number): Promise<{ rssMiB: number; peakMiB: number }> {
  const { server } = await ServerProcess.start({
    name: 'bare Map',
    command: nodeCommand(resolve(BENCH_BUILD, 'baselines/map-memory-holder.js'), { args: [String(keys)] }),
    ready: /baseline: holding \d+ keys/,
  });
  try {
    await sleep(SETTLE_MS);
    return { rssMiB: server.rssKiB() / KIB_PER_MIB, peakMiB: server.peakRssKiB() / KIB_PER_MIB };
  } finally {
    await server.stop();
  }
}

function byRate(runs: ReplayRun[]): ReplayRun[] {
  return [...runs].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
}

/** The node flags that write a row's server CPU profile to bench/results/profiles/<row>/. */
export function profileFlags(rowId: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles', rowId.replaceAll('/', '_'))}`];
}
