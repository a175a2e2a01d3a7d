import type { EnvReader } from '../../config/env-reader';
import { readCompactionThresholds } from '../compaction/compaction.config';
import type { FileLogOptions } from './file-transaction-log';
import type { SyncPolicy } from './group-commit-writer';

const SYNC_POLICIES: readonly SyncPolicy[] = ['always', 'interval', 'never'];

/** The file log's settings from the environment: its options but the observer the composition root adds and the fixed floor step. */
export type FileLogConfig = Required<Omit<FileLogOptions, 'observer' | 'floorEveryBytes'>>;

/**
 * The file log's settings: TLOG_FILENAME (default ./data/transactions.log), TLOG_SYNC (always |
 * interval | never) and the compaction thresholds (KVS_COMPACT_MIN_BYTES, KVS_COMPACT_RATIO).
 */
export function readFileLogConfig(env: EnvReader): FileLogConfig {
  return {
    filename: env.string('TLOG_FILENAME', './data/transactions.log'),
    sync: env.oneOf('TLOG_SYNC', SYNC_POLICIES, 'always'),
    compaction: readCompactionThresholds(env),
  };
}
