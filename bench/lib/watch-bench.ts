import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { WatchLoadResult, WatchLoadSpec } from '../load/watch-load';
import type { BenchOptions } from './options';
import { BENCH_BUILD, REPO_ROOT } from './paths';
import { nodeCommand, ServerProcess } from './server-process';

/** The first scale row: watchers of one key on one kvs process, at 10 durable writes/s. */
const SSE_WATCHERS = 1000;
const GRPC_WATCHERS = 200;
const GRPC_CHANNELS = 10;
const WRITES_PER_SECOND = 10;

/** What the watch row measured. */
export interface WatchResult extends WatchLoadResult {
  readonly sseWatchers: number;
  readonly grpcWatchers: number;
  /** Server RSS growth from no watcher to all of them, per watcher. */
  readonly rssKiBPerWatcher: number;
}

/**
 * The watch row (`--filter watch`): 1,000 SSE watchers and 200 gRPC streams of one key on one
 * kvs process (both frontends, durable file log), the load generator in its own process, 10
 * writes/s for the row's duration: p99 from each write's acknowledgement to its receipt by every
 * watcher. Loopback only; the watchers' sockets fit the default KVS_MAX_CONNECTIONS.
 */
export async function measureWatch(scratch: string, options: BenchOptions): Promise<WatchResult> {
  const { server, ready } = await ServerProcess.start({
    name: 'kvs (watch)',
    command: nodeCommand(resolve(REPO_ROOT, options.main ?? 'dist/main.js')),
    env: {
      TLOG_TYPE: 'file',
      TLOG_FILENAME: join(scratch, 'watch.log'),
      TLOG_SYNC: 'always',
      FRONTEND_TYPE: 'rest,grpc',
      KVS_HOST: '127.0.0.1',
      KVS_HTTP_PORT: '0',
      KVS_GRPC_PORT: '0',
      KVS_MAX_CONNECTIONS: '2048',
    },
    ready: /"listening":\[[^\]]*"frontend":"rest"[^\]]*"port":(\d+)[^\]]*"frontend":"grpc"[^\]]*"port":(\d+)/,
  });
  try {
    const before = server.rssKiB();
    const spec: WatchLoadSpec = {
      restPort: Number(ready[1]),
      grpcPort: Number(ready[2]),
      sseWatchers: SSE_WATCHERS,
      grpcWatchers: GRPC_WATCHERS,
      grpcChannels: GRPC_CHANNELS,
      writesPerSecond: WRITES_PER_SECOND,
      writes: Math.max(20, Math.round(options.durationSeconds * WRITES_PER_SECOND)),
    };
    let peakWatchingKiB = before;
    const sampler = setInterval(() => (peakWatchingKiB = Math.max(peakWatchingKiB, server.rssKiB())), 200);
    const result = await runWatchLoad(spec).finally(() => clearInterval(sampler));
    const watchers = SSE_WATCHERS + GRPC_WATCHERS;
    return {
      ...result,
      sseWatchers: SSE_WATCHERS,
      grpcWatchers: GRPC_WATCHERS,
      rssKiBPerWatcher: (peakWatchingKiB - before) / watchers,
    };
  } finally {
    await server.stop();
  }
}

function runWatchLoad(spec: WatchLoadSpec): Promise<WatchLoadResult> {
  const script = resolve(BENCH_BUILD, 'load/watch-load.js');
  const child = spawn(process.execPath, [script, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`watch load generator exited ${code}: ${stderr}`));
      else resolvePromise(JSON.parse(stdout.trim().split('\n').pop()!) as WatchLoadResult);
    });
  });
}

/** The row as the report's table shows it. */
export function watchTable(w: WatchResult): string {
  const ms = (value: number): string => `${value.toFixed(1)} ms`;
  return [
    '| Row | Measured | Target | |',
    '|-----|----------|--------|-|',
    `| ${w.sseWatchers.toLocaleString('en-US')} SSE + ${w.grpcWatchers} gRPC watchers of one key, ${WRITES_PER_SECOND} durable writes/s, ${w.writes} writes: delivery from the write's acknowledgement, p99 | ${ms(w.p99Ms)} (p50 ${ms(w.p50Ms)}, max ${ms(w.maxMs)}; from the send p99 ${ms(w.p99FromSendMs)}); ${w.delivered.toLocaleString('en-US')} of ${w.expected.toLocaleString('en-US')} deliveries | ≤ 100 ms | ${w.p99Ms <= 100 && w.delivered === w.expected ? '**met**' : '**missed**'} |`,
    `| server memory per watcher (RSS growth while all are connected) | ${w.rssKiBPerWatcher.toFixed(1)} KiB | ≤ 20 KiB | ${w.rssKiBPerWatcher <= 20 ? '**met**' : '**missed**'} |`,
  ].join('\n');
}
