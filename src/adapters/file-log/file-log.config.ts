import type { EnvReader } from '../../config/env-reader';
import type { FileLogOptions } from './file-transaction-logger';
import type { SyncPolicy } from './group-commit-writer';

const SYNC_POLICIES: readonly SyncPolicy[] = ['always', 'interval', 'never'];

/** The file log's settings: TLOG_FILENAME (default ./data/transactions.log) and TLOG_SYNC (always | interval | never). */
export function readFileLogConfig(env: EnvReader): Required<Pick<FileLogOptions, 'filename' | 'sync'>> {
  return {
    filename: env.string('TLOG_FILENAME', './data/transactions.log'),
    sync: env.oneOf('TLOG_SYNC', SYNC_POLICIES, 'always'),
  };
}
