import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTransactionLogger, type FileLogOptions } from '../../../src/driven/file-log';
import type { OpenLogFile } from '../../../src/driven/file-log/log-file-handle';
import type { CompactionStepHook } from '../../../src/driven/file-log/compactor';
import { recordingLogger } from '../../support/recording-logger';

/** A fresh directory under the OS temp dir for one test's log files, and the loggers opened on them. */
export class TempLogDir {
  /** What every logger opened here has logged. */
  readonly log = recordingLogger();
  private readonly loggers: FileTransactionLogger[] = [];

  private constructor(readonly path: string) {}

  /** Creates the directory (under `parent`, by default the OS temp dir). */
  static async create(parent = tmpdir()): Promise<TempLogDir> {
    return new TempLogDir(await mkdtemp(join(parent, 'kvs-file-log-')));
  }

  /** The path of a log file named `name` inside the directory. */
  file(name = 'transactions.log'): string {
    return join(this.path, name);
  }

  /** A logger on `filename` (default: the directory's standard log file), closed by `dispose`. */
  open(
    options: Partial<FileLogOptions> = {},
    openFile?: OpenLogFile,
    freeBytes?: (directory: string) => Promise<number>,
    afterCompactionStep?: CompactionStepHook,
  ): FileTransactionLogger {
    const logger = new FileTransactionLogger(
      { filename: this.file(), ...options },
      this.log.logger,
      openFile,
      freeBytes,
      afterCompactionStep,
    );
    this.loggers.push(logger);
    return logger;
  }

  /** Names of the files in the directory, sorted, without the lock file. */
  async files(): Promise<string[]> {
    return (await readdir(this.path)).filter((name) => !name.endsWith('.lock')).sort();
  }

  /** Warnings every logger opened here has reported. */
  get warnings(): string[] {
    return this.log.messages('warn');
  }

  /** Closes every logger opened here and deletes the directory. */
  async dispose(): Promise<void> {
    await Promise.all(this.loggers.map((logger) => logger.close().catch(() => undefined)));
    await rm(this.path, { recursive: true, force: true });
  }
}
