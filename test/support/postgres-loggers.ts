import { EnvReader } from '../../src/config/env-reader';
import {
  PostgresTransactionLog,
  readPostgresLogConfig,
  type PostgresLoggerOptions,
} from '../../src/driven/postgres-log';
import { TestPostgres } from './test-postgres';

/** A test file's PostgreSQL and the loggers its tests open on it. */
export interface PostgresLoggers {
  /** The file's database server (available from beforeAll on). */
  readonly postgres: TestPostgres;
  /** A logger configured from `env` as the service would be; closed after the test. */
  open(env: Record<string, string>, options?: PostgresLoggerOptions): PostgresTransactionLog;
}

/** Starts a PostgreSQL for the calling test file, closes every logger after each test and the server at the end. */
export function usePostgresLoggers(): PostgresLoggers {
  let server: TestPostgres | undefined;
  const opened: PostgresTransactionLog[] = [];

  beforeAll(async () => {
    server = await TestPostgres.start();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((logger) => logger.close()));
  });
  afterAll(async () => {
    await server?.close();
  });

  return {
    get postgres(): TestPostgres {
      if (!server) throw new Error('usePostgresLoggers: the server starts in beforeAll');
      return server;
    },
    open(env, options = {}) {
      const logger = new PostgresTransactionLog(readPostgresLogConfig(new EnvReader(env)), options);
      opened.push(logger);
      return logger;
    },
  };
}
