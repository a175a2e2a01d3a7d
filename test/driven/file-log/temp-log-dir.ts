import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTransactionLog, type FileLogOptions } from '../../../src/driven/file-log';
import type { LogStepHook } from '../../../src/driven/file-log/file-transaction-log';
import type { OpenLogFile } from '../../../src/driven/file-log/log-file-handle';
import { LogFileNames, parseManifest } from '../../../src/driven/file-log/manifest';
import { recordingLogger } from '../../support/recording-logger';

/** A fresh directory under the OS temp dir for one test's log files, and the loggers opened on them. */
export class TempLogDir {
  /** What every logger opened here has logged. */
  readonly log = recordingLogger();
  private readonly loggers: FileTransactionLog[] = [];

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
    afterStep?: LogStepHook,
  ): FileTransactionLog {
    const logger = new FileTransactionLog(
      { filename: this.file(), ...options },
      this.log.logger,
      openFile,
      freeBytes,
      afterStep,
    );
    this.loggers.push(logger);
    return logger;
  }

  /** Names of the files in the directory, sorted, without the lock file and the quarantine folder. */
  async files(): Promise<string[]> {
    return (await readdir(this.path)).filter((name) => !name.endsWith('.lock') && !name.endsWith('.quarantine')).sort();
  }

  /** The files the standard log's manifest names (the log file alone without a manifest). */
  async listed(): Promise<string[]> {
    const names = new LogFileNames('transactions.log');
    const text = await readFile(this.file(names.manifest), 'utf8').catch(() => undefined);
    if (text === undefined) return [names.log];
    const manifest = parseManifest(text, names);
    if (typeof manifest === 'string') throw new Error(`bad manifest: ${manifest}`);
    return [...(manifest.base === undefined ? [] : [manifest.base]), ...manifest.incrementals];
  }

  /** Names of the files start-up moved into the quarantine folder, sorted. */
  async quarantined(): Promise<string[]> {
    const folder = this.file('transactions.log.quarantine');
    const starts = await readdir(folder).catch(() => []);
    const names = await Promise.all(starts.map((start) => readdir(join(folder, start))));
    return names.flat().sort();
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
