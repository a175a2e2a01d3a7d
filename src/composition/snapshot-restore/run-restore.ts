import { pino } from 'pino';
import { extrasOf, type KeyEntry, type StoreView } from '../../core';
import { ConfigError, EnvReader } from '../../config/env-reader';
import { readSnapshotFile, type VerifiedSnapshot } from '../../api/snapshot/snapshot-file';
import { SnapshotDamagedError } from '../../api/snapshot/snapshot-parser';
import { LogLockedError, readFileLogConfig } from '../../driven/file-log';
import { restoreFileLog, RestoreTargetNotEmptyError } from '../../driven/file-log/file-log-restore';
import { readPostgresLogConfig } from '../../driven/postgres-log';
import { PostgresTableNotEmptyError, restorePostgresLog } from '../../driven/postgres-log/postgres-restore';
import { TableInUseError } from '../../driven/postgres-log/postgres-table-lock';
import { describeError } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';
import type { TRANSACTION_LOGS } from '../container';

/** The exit statuses of `kvs snapshot restore`, from the CLI's table (kvs --help). */
const EXIT = { ok: 0, usage: 2, serverError: 4, refused: 5 } as const;

/** Where the restore writes: the log TLOG_TYPE names, configured exactly as the service reads it. */
interface RestoreTarget {
  /** What the messages call it, e.g. "file log ./data/transactions.log". */
  readonly description: string;
  readonly write: (view: StoreView, force: boolean, logger: Logger) => Promise<unknown>;
}

/** One restorer per log the service can run with (the compiler keeps the two lists in step). */
const RESTORE_TARGETS: Record<keyof typeof TRANSACTION_LOGS, (env: EnvReader) => RestoreTarget> = {
  file: (env) => {
    const { filename } = readFileLogConfig(env);
    return {
      description: `file log ${filename}`,
      write: (view, force, logger) =>
        restoreFileLog(filename, view, { force, warn: (message) => logger.warn(message) }),
    };
  },
  postgres: (env) => {
    const config = readPostgresLogConfig(env);
    return {
      description: `postgres log table ${config.table} on ${config.host}:${config.port}/${config.database}`,
      write: (view, force, logger) => restorePostgresLog(config, view, { force, logger }),
    };
  },
};

/** What `kvs snapshot restore` was asked. */
export interface RestoreRequest {
  readonly file: string;
  readonly force: boolean;
  readonly json: boolean;
}

/** The streams and environment the tool works with. */
export interface RestoreIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * `kvs snapshot restore FILE` (offline): verifies every checksum of the snapshot first (a damaged
 * or cut one writes nothing, and the message names the byte), then writes it as a new log for
 * the adapter TLOG_TYPE names, refusing one that holds data unless `force`. The file is read
 * twice, a section at a time, never whole: the second pass checks every checksum again, and the
 * log's commit point (the manifest's rename, the transaction's COMMIT) comes after it.
 */
export async function runRestore(request: RestoreRequest, io: RestoreIo): Promise<number> {
  const fail = (exit: number, message: string, fields: Record<string, unknown> = {}): number => {
    io.stderr.write(
      request.json ? `${JSON.stringify({ error: { message, exit, ...fields } })}\n` : `kvs: ${message}\n`,
    );
    return exit;
  };
  let target: RestoreTarget;
  try {
    const env = new EnvReader(io.env);
    const type = env.oneOf('TLOG_TYPE', Object.keys(RESTORE_TARGETS) as (keyof typeof RESTORE_TARGETS)[], 'file');
    target = RESTORE_TARGETS[type](env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(EXIT.usage, error.message);
    throw error;
  }
  let verified: VerifiedSnapshot;
  try {
    verified = verifyForRestore(request.file);
  } catch (error) {
    const offset = error instanceof SnapshotDamagedError ? { offset: error.offset } : {};
    const why = error instanceof SnapshotDamagedError ? error.message : `cannot read it (${describeError(error)})`;
    return fail(EXIT.usage, `${request.file}: ${why}; nothing was written`, offset);
  }
  const logger = pino({ level: 'warn', base: undefined }, pino.destination({ dest: 2, sync: true }));
  const { summary, leases } = verified;
  const view: StoreView = {
    revision: summary.revision,
    size: summary.keys,
    entries: () => keyEntriesOf(request.file),
    // The restored service gives each lease its full TTL again, as after any restart.
    leases: () => leases,
  };
  try {
    await target.write(view, request.force, logger);
  } catch (error) {
    const message = `restore into the ${target.description} failed: ${describeError(error)}`;
    if (error instanceof RestoreTargetNotEmptyError || error instanceof PostgresTableNotEmptyError) {
      return fail(EXIT.usage, message);
    }
    if (error instanceof LogLockedError || error instanceof TableInUseError) return fail(EXIT.refused, message);
    return fail(EXIT.serverError, message);
  }
  const { revision, keys, bytes } = summary;
  io.stdout.write(
    request.json
      ? `${JSON.stringify({ file: request.file, target: target.description, revision, keys, bytes })}\n`
      : `restored snapshot ${request.file} (revision ${revision}, ${keys} keys) into the ${target.description}\n`,
  );
  return EXIT.ok;
}

/** The first pass: every checksum, before anything is written. */
function verifyForRestore(file: string): VerifiedSnapshot {
  const reader = readSnapshotFile(file);
  for (;;) {
    const next = reader.next();
    if (next.done) return next.value;
  }
}

/** The second pass: the snapshot's entries as the log writes them, each with its deadline. */
function* keyEntriesOf(file: string): Generator<KeyEntry> {
  for (const entries of readSnapshotFile(file)) {
    for (const { key, value, createRevision, modRevision, version, deadlineMs, lease } of entries) {
      const extras = extrasOf(deadlineMs > 0 ? deadlineMs : undefined, lease > 0 ? lease : undefined);
      yield { key, value, createRevision, modRevision, version, ...extras };
    }
  }
}
