import { runTransactionLogContract } from '../../contracts/transaction-log.contract';
import { usePostgresLoggers } from '../../support/postgres-loggers';

const fixture = usePostgresLoggers();

// Each test gets a table of its own; reopening it means a new logger (and pool) on the same table.
runTransactionLogContract('postgres', {
  async newFixture() {
    const env = fixture.postgres.logEnv();
    return {
      async open() {
        return fixture.open(env);
      },
      async dispose() {
        await fixture.postgres.query(`DROP TABLE IF EXISTS "${env.TLOG_DB_TABLE}"`);
      },
    };
  },
});
