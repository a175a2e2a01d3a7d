import { EnvReader } from '../../../src/config/env-reader';
import { PostgresTransactionLogger, readPostgresLogConfig } from '../../../src/adapters/postgres-log';
import { runTransactionLoggerContract } from '../../contracts/transaction-logger.contract';
import { TestPostgres } from '../../support/test-postgres';

let postgres: TestPostgres;

beforeAll(async () => {
  postgres = await TestPostgres.start();
});

afterAll(async () => {
  await postgres?.close();
});

// Each test gets a table of its own; reopening it means a new logger (and pool) on the same table.
runTransactionLoggerContract('postgres', {
  async newFixture() {
    const config = readPostgresLogConfig(new EnvReader(postgres.logEnv()));
    return {
      async open() {
        return new PostgresTransactionLogger(config);
      },
      async dispose() {
        await postgres.query(`DROP TABLE IF EXISTS "${config.table}"`);
      },
    };
  },
});
