import { ConfigError, EnvReader } from '../../../src/config/env-reader';
import { readPostgresLogConfig } from '../../../src/driven/postgres-log';

const PASSWORD = 's3cret-Pa55word';
const COMPLETE = {
  TLOG_DB_HOST: 'db.internal',
  TLOG_DB_DATABASE: 'kvs',
  TLOG_DB_USERNAME: 'kvs_writer',
  TLOG_DB_PASSWORD: PASSWORD,
};

function read(env: Record<string, string>) {
  return readPostgresLogConfig(new EnvReader(env));
}

function configError(env: Record<string, string>): ConfigError {
  try {
    read(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('readPostgresLogConfig', () => {
  it('reads the book variables and applies the defaults', () => {
    expect(read(COMPLETE)).toEqual({
      host: 'db.internal',
      port: 5432,
      database: 'kvs',
      user: 'kvs_writer',
      password: PASSWORD,
      sslMode: 'disable',
      sslRootCertFile: undefined,
      table: 'transactions',
      connectRetries: 10,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 10_000,
      writeTimeoutMs: 1000,
      pingTimeoutMs: 500,
      maxPendingWrites: 10_000,
      compaction: { minBytes: 64 * 1024 * 1024, ratio: 2 },
      replicas: 'single',
      pollMs: 1000,
    });
  });

  it('reads KVS_REPLICAS=shared and KVS_PG_POLL_MS (scale-out)', () => {
    expect(read({ ...COMPLETE, KVS_REPLICAS: 'shared', KVS_PG_POLL_MS: '50' })).toMatchObject({
      replicas: 'shared',
      pollMs: 50,
    });
  });

  it('reads every optional knob', () => {
    const config = read({
      ...COMPLETE,
      TLOG_DB_PORT: '6543',
      TLOG_DB_SSLMODE: 'Verify-Full',
      TLOG_DB_SSLROOTCERT: '/etc/ssl/db-ca.pem',
      TLOG_DB_TABLE: 'kvs_log_2',
      TLOG_DB_CONNECT_RETRIES: '0',
      TLOG_DB_CONNECT_TIMEOUT_MS: '1500',
      TLOG_DB_STATEMENT_TIMEOUT_MS: '2500',
      TLOG_DB_MAX_PENDING_WRITES: '64',
      TLOG_DB_WRITE_TIMEOUT_MS: '750',
      TLOG_DB_PING_TIMEOUT_MS: '200',
    });
    expect(config).toMatchObject({
      port: 6543,
      sslMode: 'verify-full',
      sslRootCertFile: '/etc/ssl/db-ca.pem',
      table: 'kvs_log_2',
      connectRetries: 0,
      connectTimeoutMs: 1500,
      statementTimeoutMs: 2500,
      maxPendingWrites: 64,
      writeTimeoutMs: 750,
      pingTimeoutMs: 200,
    });
  });

  it('leaves the password undefined when it is not set', () => {
    const { TLOG_DB_PASSWORD: _password, ...withoutPassword } = COMPLETE;
    expect(read(withoutPassword).password).toBeUndefined();
  });

  it.each(['TLOG_DB_HOST', 'TLOG_DB_DATABASE', 'TLOG_DB_USERNAME'])(
    'fails with one line naming %s when it is missing',
    (name) => {
      const error = configError({ ...COMPLETE, [name]: '' });
      expect(error.message).toContain(name);
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain(PASSWORD);
    },
  );

  it.each([
    ['TLOG_DB_PORT', '0'],
    ['TLOG_DB_PORT', 'fivefour'],
    ['TLOG_DB_SSLMODE', 'prefer'],
    ['TLOG_DB_TABLE', 'transactions; DROP TABLE users'],
    ['TLOG_DB_TABLE', 'Transactions'],
    ['TLOG_DB_CONNECT_RETRIES', '-1'],
    ['TLOG_DB_MAX_PENDING_WRITES', '0'],
    ['KVS_REPLICAS', 'many'],
    ['KVS_PG_POLL_MS', '1'],
  ])('rejects %s=%j naming the variable, never echoing the password', (name, value) => {
    const error = configError({ ...COMPLETE, [name]: value });
    expect(error.message).toContain(name);
    expect(error.message).toContain(JSON.stringify(value));
    expect(error.message).not.toContain(PASSWORD);
  });
});
