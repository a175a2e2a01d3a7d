import type { BenchOptions } from './options';
import { profileFlags } from './measure';
import { clockTicksPerSecond } from './proc-stats';
import type { PutFigures } from './results';
import { runLoad } from './run-load';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';

/** A minimum no log here reaches: no automatic compaction. */
const NEVER = String(2 ** 40);

/**
 * Something run back to back beside the load (a compaction, a snapshot) against the service at
 * `url` until `stopped()`; resolves with how many it completed.
 */
export type BackgroundWork = (url: string, stopped: () => boolean) => Promise<number>;

/**
 * Durable PUTs (REST, 32 connections) against a fresh service on `logFile` (automatic
 * compaction off), with `background` running for the whole warm-up and measured window (none:
 * the load alone). `PutFigures.compactions` counts what the background completed. With
 * --profile, the server writes its CPU profile under `profileId`.
 */
export async function measurePutsWhile(
  logFile: string,
  options: BenchOptions,
  background?: BackgroundWork,
  profileId?: string,
): Promise<PutFigures> {
  const nodeFlags = options.profile && profileId !== undefined ? profileFlags(profileId) : [];
  const spec = kvsServer('rest', { logFile, sync: 'always', main: options.main, nodeFlags });
  const { server, ready } = await ServerProcess.start({ ...spec, env: { ...spec.env, KVS_COMPACT_MIN_BYTES: NEVER } });
  const url = `http://127.0.0.1:${ready[2]}`;
  let stop = false;
  try {
    const harness = process.cpuUsage();
    const began = performance.now();
    const work = background?.(url, () => stop) ?? Promise.resolve(0);
    const load = await runLoad('rest', {
      target: `127.0.0.1:${ready[2]}`,
      serverPid: server.pid,
      operation: 'put',
      connections: 32,
      warmupSeconds: options.warmupSeconds,
      durationSeconds: options.durationSeconds,
    });
    const harnessCpu = process.cpuUsage(harness);
    const harnessCores = (harnessCpu.user + harnessCpu.system) / 1000 / (performance.now() - began);
    stop = true;
    const completed = await work;
    return {
      requestsPerSecond: load.requests / load.seconds,
      p50Ms: load.p50Ms,
      p99Ms: load.p99Ms,
      errors: load.errors,
      compactions: completed,
      serverCpuSeconds: load.serverCpuTicks / clockTicksPerSecond(),
      seconds: load.seconds,
      harnessCores,
    };
  } finally {
    stop = true;
    await server.stop();
  }
}
