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
import { EmbeddedPostgresServer } from '../../test/support/embedded-postgres-server';
import { postgresLogEnv } from './postgres-log-env';
import { ServerProcess, type ServerSpec } from './server-process';
import { kvsServer } from './servers';

/** The figure: a snapshot of 1,000,000 keys (16 B keys, 100 B values). */
const KEYS_1M = 1_000_000;

/** The ids `--filter` selects the snapshot rows by: the tools (take, save, status, restore) and the PUTs during snapshots. */
export const SNAPSHOT_ROW_IDS = ['snapshot/tools', 'snapshot/put'] as const;

/** What the snapshot rows measured (a row not selected is missing). */
export interface SnapshotResult {
  readonly keys: number;
  readonly tools?: SnapshotTools;
  /** Durable PUTs without, and while snapshots stream back to back (`compactions` counts the snapshots). */
  readonly put?: { readonly without: PutFigures; readonly during: PutFigures };
}

/** The snapshot tools on the 1M-key store. */
export interface SnapshotTools {
  /** One GET /v1/admin/snapshot of the idle service, to a file. */
  readonly snapshotSeconds: number;
  readonly snapshotBytes: number;
  /** `kvs snapshot save` (gRPC, verified as it arrives, fsynced, renamed) of the same store. */
  readonly saveSeconds: number;
  /** `kvs snapshot status` of that file (every checksum). */
  readonly statusSeconds: number;
  /** `kvs snapshot restore` of it into a fresh file log, then the service's replay of that log. */
  readonly restoreSeconds: number;
  readonly replaySeconds: number;
  /** The same into a fresh PostgreSQL table (an embedded server), then the replay of that table; undefined without PostgreSQL binaries. */
  readonly postgres?: { readonly restoreSeconds: number; readonly replaySeconds: number };
}

/**
 * The snapshot row (`--filter snapshot`): a snapshot of a 1M-key store (time, bytes), checking and
 * restoring it, and durable PUT throughput while snapshots stream back to back against the same
 * load without. Every step is bounded by the store's size or the row's duration.
 */
export async function measureSnapshots(
  scratch: string,
  options: BenchOptions,
  selected: (id: string) => boolean,
): Promise<SnapshotResult> {
  const logFile = join(scratch, 'snapshot-1m.log');
  writeReplayLog(logFile, KEYS_1M);
  return {
    keys: KEYS_1M,
    tools: selected('snapshot/tools') ? await measureTools(scratch, logFile, options) : undefined,
    put: selected('snapshot/put') ? await measurePutsDuringSnapshots(logFile, options) : undefined,
  };
}

/** Takes, saves, checks and restores a snapshot of the store on `logFile` (time, bytes). */
async function measureTools(scratch: string, logFile: string, options: BenchOptions): Promise<SnapshotTools> {
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
  const grpc = await ServerProcess.start(kvsServer('grpc', { logFile, sync: 'always', main: options.main }));
  let saveSeconds: number;
  try {
    saveSeconds = timed([
      '--address',
      `127.0.0.1:${grpc.ready[2]}`,
      'snapshot',
      'save',
      join(scratch, 'saved.snapshot'),
    ]);
  } finally {
    await grpc.server.stop();
  }
  const statusSeconds = timed(['snapshot', 'status', file]);
  mkdirSync(join(scratch, 'restored'), { recursive: true });
  const restored = join(scratch, 'restored', 'tx.log');
  const restoreSeconds = timed(['snapshot', 'restore', file], { TLOG_FILENAME: restored });
  const replaySeconds = await replaySecondsOf(
    kvsServer('rest', { logFile: restored, sync: 'always', main: options.main }),
  );
  const postgres = await restoreIntoPostgres(file, timed, options);
  return {
    snapshotSeconds,
    snapshotBytes: statSync(file).size,
    saveSeconds,
    statusSeconds,
    restoreSeconds,
    replaySeconds,
    postgres,
  };
}

/** Durable REST PUTs on the store of `logFile` without, then while snapshots stream back to back. */
async function measurePutsDuringSnapshots(logFile: string, options: BenchOptions): Promise<SnapshotResult['put']> {
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
  const without = await measurePutsWhile(logFile, options, undefined, 'snapshot/put-alone');
  const during = await measurePutsWhile(logFile, options, snapshotLoop, 'snapshot/put-during');
  return { without, during };
}

/** Starts the service on its log and returns how long its replay took, as it logs it. */
async function replaySecondsOf(spec: ServerSpec): Promise<number> {
  const replay = await ServerProcess.start(spec);
  await replay.server.stop();
  return Number(/replayed \d+ events \(\d+ live keys\) in ([\d.]+) s/.exec(replay.server.log)?.[1]);
}

/**
 * `kvs snapshot restore` of the file into a fresh table of an embedded PostgreSQL (the tests'
 * own, test/support), and the service's replay of it; undefined (with a line saying why) when
 * the PostgreSQL binaries are missing.
 */
async function restoreIntoPostgres(
  file: string,
  timed: (args: string[], env: Record<string, string>) => number,
  options: BenchOptions,
): Promise<SnapshotTools['postgres']> {
  let server: EmbeddedPostgresServer;
  try {
    server = await EmbeddedPostgresServer.create();
  } catch (error) {
    process.stderr.write(`snapshot: no PostgreSQL restore (${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
  try {
    const env = {
      ...postgresLogEnv(server.connection, 'kvs_bench_restore'),
    };
    const restoreSeconds = timed(['snapshot', 'restore', file], env);
    const spec = kvsServer('rest', { logFile: '', sync: 'always', main: options.main, env });
    return { restoreSeconds, replaySeconds: await replaySecondsOf(spec) };
  } finally {
    await server.destroy();
  }
}
