import { spawn } from 'node:child_process';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { ServiceError } from '@grpc/grpc-js';
import { basename, dirname, join } from 'node:path';
import { KvsClientError, type KvsClient } from '../kvs-client';
import { SnapshotDamagedError, SnapshotParser, type SnapshotSummary } from '../../api/snapshot/snapshot-parser';
import { verifySnapshotFile } from '../../api/snapshot/snapshot-file';
import { EXIT } from './kvs-help';
import type { SnapshotFileInvocation } from './kvs-args';
import type { CliIo } from './kvs';
import type { Outcome } from './run-command';

/**
 * The offline restore tool, built beside the service: it needs the log adapters and the
 * service's config readers, which a client may not import (docs/architecture.md), so the CLI
 * runs it as a process of its own (as etcdctl leaves restore to etcdutl).
 */
const RESTORE_TOOL = join(__dirname, '..', '..', 'composition', 'snapshot-restore', 'restore-main.js');

/**
 * `kvs snapshot save FILE`: streams the server's snapshot into a temp file beside FILE,
 * verifying it as it arrives, fsyncs it, and renames it over FILE only once the whole snapshot
 * (end section and SHA-256) checked out; on any failure the temp file goes and FILE is untouched.
 */
export async function saveSnapshot(client: KvsClient, file: string): Promise<Outcome> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temp, 'wx', 0o600);
  } catch (error) {
    return { exit: EXIT.usage, error: { message: `cannot write beside ${file} (${errnoOf(error)})` } };
  }
  let summary: SnapshotSummary;
  try {
    try {
      const parser = new SnapshotParser();
      // Async iteration pauses the stream while a write is pending: the server follows our pace.
      for await (const piece of client.snapshot()) {
        const data = (piece as { data: Buffer }).data;
        parser.push(data);
        await handle.write(data);
      }
      summary = parser.end();
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
    await syncDirectory(dirname(file));
  } catch (error) {
    await rm(temp, { force: true });
    if (error instanceof SnapshotDamagedError) {
      return { exit: EXIT.serverError, error: { message: `snapshot save failed: the server sent a ${error.message}` } };
    }
    // A failed stream is a grpc-js ServiceError: the caller reports it as any failed call.
    if (typeof (error as { code?: unknown }).code === 'number' && 'details' in (error as object)) {
      throw KvsClientError.from(error as ServiceError);
    }
    throw error;
  }
  const text = `saved snapshot at revision ${summary.revision}: ${summary.keys} keys, ${summary.bytes} bytes to ${file}\n`;
  return { exit: EXIT.ok, text, json: { file, ...summary } };
}

/** `kvs snapshot status FILE`: verifies every checksum and prints what the snapshot holds. */
export function snapshotStatus(file: string): Outcome {
  const summary = verifyOrDescribe(file);
  if ('exit' in summary) return summary;
  const taken = new Date(summary.createdAtMs).toISOString();
  const text =
    `snapshot ${file}: revision ${summary.revision}, ${summary.keys} keys, ${summary.leases} leases, ${summary.bytes} bytes, ` +
    `format ${summary.version}, taken ${taken}, sha256 ${summary.sha256}\n`;
  return { exit: EXIT.ok, text, json: { file, ...summary, createdAt: taken } };
}

/** The snapshot's summary, or the outcome that says why it cannot be read (exit 2: a bad input file). */
function verifyOrDescribe(file: string): SnapshotSummary | Outcome {
  try {
    return verifySnapshotFile(file);
  } catch (error) {
    if (error instanceof SnapshotDamagedError) {
      return { exit: EXIT.usage, error: { message: `${file}: ${error.message}`, offset: error.offset } };
    }
    return { exit: EXIT.usage, error: { message: `cannot read the snapshot ${file} (${errnoOf(error)})` } };
  }
}

/** `kvs snapshot restore FILE`: runs the restore tool with this process's streams and environment. */
export function restoreSnapshot(invocation: SnapshotFileInvocation, io: CliIo): Promise<number> {
  const args = [invocation.file, ...(invocation.force ? ['--force'] : []), ...(invocation.json ? ['--json'] : [])];
  const child = spawn(process.execPath, [RESTORE_TOOL, ...args], {
    env: { ...io.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(io.stdout, { end: false });
  child.stderr.pipe(io.stderr, { end: false });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? EXIT.serverError));
  });
}

/** The errno code of a failed file operation (ENOENT...), else its message. */
function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
