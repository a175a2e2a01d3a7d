import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BenchOptions } from './options';
import { REPO_ROOT } from './paths';
import { measurePutsWhile } from './put-during';
import { writeReplayLog } from './replay-log';
import type { PutFigures } from './results';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';

/** The figure: a snapshot of 1,000,000 keys (16 B keys, 100 B values). */
const KEYS_1M = 1_000_000;

/** What the snapshot row measured. */
export interface SnapshotResult {
  readonly keys: number;
  /** One GET /v1/admin/snapshot of the idle service, to a file. */
  readonly snapshotSeconds: number;
  readonly snapshotBytes: number;
  /** `kvs snapshot status` of that file (every checksum). */
  readonly statusSeconds: number;
  /** `kvs snapshot restore` of it into a fresh file log, then the service's replay of that log. */
  readonly restoreSeconds: number;
  readonly replaySeconds: number;
  /** Durable PUTs without, and while snapshots stream back to back (`compactions` counts the snapshots). */
  readonly put: { readonly without: PutFigures; readonly during: PutFigures };
}

/**
 * The snapshot row (`--filter snapshot`): a snapshot of a 1M-key store (time, bytes), checking and
 * restoring it, and durable PUT throughput while snapshots stream back to back against the same
 * load without. Every step is bounded by the store's size or the row's duration.
 */
export async function measureSnapshots(scratch: string, options: BenchOptions): Promise<SnapshotResult> {
  const logFile = join(scratch, 'snapshot-1m.log');
  writeReplayLog(logFile, KEYS_1M);
  const file = join(scratch, 'snapshot-1m.snapshot');
  const { server, ready } = await ServerProcess.start(
    kvsServer('rest', { logFile, sync: 'always', main: options.main }),
  );
  let snapshotSeconds: number;
  try {
    const began = performance.now();
    const response = await fetch(`http://127.0.0.1:${ready[2]}/v1/admin/snapshot`);
    await pipeline(Readable.fromWeb(response.body as never), createWriteStream(file));
    snapshotSeconds = (performance.now() - began) / 1000;
  } finally {
    await server.stop();
  }
  const cli = resolve(REPO_ROOT, 'dist/client/cli/kvs.js');
  const timed = (args: string[], env: Record<string, string> = {}): number => {
    const began = performance.now();
    execFileSync(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: 'pipe' });
    return (performance.now() - began) / 1000;
  };
  const statusSeconds = timed(['snapshot', 'status', file]);
  mkdirSync(join(scratch, 'restored'), { recursive: true });
  const restored = join(scratch, 'restored', 'tx.log');
  const restoreSeconds = timed(['snapshot', 'restore', file], { TLOG_FILENAME: restored });
  const replay = await ServerProcess.start(
    kvsServer('rest', { logFile: restored, sync: 'always', main: options.main }),
  );
  const replaySeconds = Number(/replayed \d+ events \(\d+ live keys\) in ([\d.]+) s/.exec(replay.server.log)?.[1]);
  await replay.server.stop();

  const snapshotLoop = async (url: string, stopped: () => boolean): Promise<number> => {
    let snapshots = 0;
    while (!stopped()) {
      const body = (await fetch(`${url}/v1/admin/snapshot`)).body;
      let whole = true;
      // Read and dropped as it arrives: the reader holds a chunk at a time, as `kvs snapshot save` does.
      for await (const _chunk of Readable.fromWeb(body as never)) {
        if (!stopped()) continue;
        whole = false;
        break;
      }
      if (whole) snapshots++;
    }
    return snapshots;
  };
  const without = await measurePutsWhile(logFile, options);
  const during = await measurePutsWhile(logFile, options, snapshotLoop);
  return {
    keys: KEYS_1M,
    snapshotSeconds,
    snapshotBytes: statSync(file).size,
    statusSeconds,
    restoreSeconds,
    replaySeconds,
    put: { without, during },
  };
}
