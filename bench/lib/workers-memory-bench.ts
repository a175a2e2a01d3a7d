// `--filter workers-memory`: RSS of each process of KVS_WORKERS=2 holding a large store (docs/workers.md).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchOptions } from './options';
import { writeReplayLog } from './replay-log';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';
import { WORKERS } from './scenarios';

const KIB_PER_MIB = 1024;
/** Keys of the store: a million, as the replay and memory rows (override: KVS_BENCH_WORKERS_KEYS). */
const DEFAULT_KEYS = 1_000_000;
/** Let the processes settle (replay and snapshot allocations, lazy frees) before reading their RSS. */
const SETTLE_MS = 2000;

/** What the row measured: the single process, then the owner and each worker, RSS in MiB. */
export interface WorkersMemoryResult {
  readonly keys: number;
  readonly singleRssMiB: number;
  readonly ownerRssMiB: number;
  readonly workerRssMiB: readonly number[];
  /** From the owner's start to its `started` line (replay plus every worker's snapshot). */
  readonly startSeconds: number;
}

/** Starts the service on a log of `keys` distinct puts, once alone and once with KVS_WORKERS workers, and reads every RSS. */
export async function measureWorkersMemory(scratch: string, options: BenchOptions): Promise<WorkersMemoryResult> {
  const keys = Number(process.env.KVS_BENCH_WORKERS_KEYS ?? DEFAULT_KEYS);
  const logFile = join(scratch, 'workers-memory.log');
  writeReplayLog(logFile, keys);
  try {
    const single = await rssEach(kvsServer('rest', { logFile, sync: 'always', main: options.main }));
    const began = performance.now();
    const many = await rssEach(
      kvsServer('rest', {
        logFile,
        sync: 'always',
        main: options.main,
        env: { KVS_WORKERS: String(WORKERS) },
        workers: WORKERS,
      }),
      () => (performance.now() - began) / 1000,
    );
    return {
      keys,
      singleRssMiB: single.rss[0],
      ownerRssMiB: many.rss[0],
      workerRssMiB: many.rss.slice(1),
      startSeconds: many.startSeconds,
    };
  } finally {
    rmSync(logFile, { force: true });
  }
}

async function rssEach(
  spec: Parameters<typeof ServerProcess.start>[0],
  started: () => number = () => 0,
): Promise<{ rss: number[]; startSeconds: number }> {
  const { server } = await ServerProcess.start(spec);
  const startSeconds = started();
  try {
    await sleep(SETTLE_MS);
    return { rss: server.rssKiBEach().map((kib) => kib / KIB_PER_MIB), startSeconds };
  } finally {
    await server.stop();
  }
}

/** The row as a markdown table. */
export function workersMemoryTable(result: WorkersMemoryResult): string {
  const total = result.ownerRssMiB + result.workerRssMiB.reduce((sum, mib) => sum + mib, 0);
  return [
    '| measure | RSS MiB |',
    '|---|--:|',
    `| single process holding ${result.keys.toLocaleString('en-US')} keys | ${result.singleRssMiB.toFixed(0)} |`,
    `| KVS_WORKERS=${result.workerRssMiB.length}: owner | ${result.ownerRssMiB.toFixed(0)} |`,
    ...result.workerRssMiB.map(
      (mib, i) => `| KVS_WORKERS=${result.workerRssMiB.length}: worker ${i + 1} | ${mib.toFixed(0)} |`,
    ),
    `| KVS_WORKERS=${result.workerRssMiB.length}: all processes (× single) | ${total.toFixed(0)} (${(total / result.singleRssMiB).toFixed(2)}×) |`,
    `| KVS_WORKERS=${result.workerRssMiB.length}: start (replay, then every worker's snapshot) | ${result.startSeconds.toFixed(1)} s |`,
  ].join('\n');
}
