import { appendMutation, collectRecords } from '../../support/collect-events';
import { join } from 'node:path';
import { Client } from 'pg';
import { EnvReader } from '../../../src/config/env-reader';
import { PostgresTransactionLog, readPostgresLogConfig } from '../../../src/driven/postgres-log';
import { EmbeddedPostgresServer } from '../../support/embedded-postgres-server';

const FIXTURES = join(__dirname, '../../fixtures/postgres-tls');
const CA_FILE = join(FIXTURES, 'ca.crt');

// TLS needs a server configured for it, so this file always runs its own embedded server,
// whose certificate (test/fixtures/postgres-tls) names IP 127.0.0.1 and not "localhost".
let server: EmbeddedPostgresServer;
const loggers: PostgresTransactionLog[] = [];

beforeAll(async () => {
  server = await EmbeddedPostgresServer.create({
    certFile: join(FIXTURES, 'server.crt'),
    keyFile: join(FIXTURES, 'server.key'),
  });
});

afterEach(async () => {
  await Promise.all(loggers.splice(0).map((logger) => logger.close()));
  // Backends exit just after their client leaves; wait, so the next test sees only its own.
  while ((await kvsConnectionsEncrypted()).length > 0) await new Promise((resolve) => setTimeout(resolve, 10));
});

afterAll(async () => {
  await server?.destroy();
});

/** Starts a logger with the given TLS settings; resolves with whether its connection is encrypted. */
async function connectWith(settings: Record<string, string>): Promise<boolean> {
  const { host, port, database, user, password } = server.connection;
  const env = {
    TLOG_DB_HOST: host,
    TLOG_DB_PORT: String(port),
    TLOG_DB_DATABASE: database,
    TLOG_DB_USERNAME: user,
    TLOG_DB_PASSWORD: password,
    TLOG_DB_TABLE: 'tls_log',
    TLOG_DB_CONNECT_RETRIES: '0',
    // The first write opens a TLS connection of its own; on a loaded machine the handshake alone
    // can take longer than the default write deadline, and this test is about TLS, not deadlines.
    TLOG_DB_WRITE_TIMEOUT_MS: '15000',
    ...settings,
  };
  const logger = new PostgresTransactionLog(readPostgresLogConfig(new EnvReader(env)));
  loggers.push(logger);
  await collectRecords(logger);
  await appendMutation(logger, { type: 'put', key: 'k', value: 'v' });
  const encrypted = await kvsConnectionsEncrypted();
  expect(encrypted.length).toBeGreaterThan(0);
  expect(new Set(encrypted).size).toBe(1);
  return encrypted[0];
}

/** For each open connection of a logger (application_name kvs), whether it uses TLS. */
async function kvsConnectionsEncrypted(): Promise<boolean[]> {
  const admin = new Client({ ...server.connection });
  await admin.connect();
  try {
    const result = await admin.query<{ ssl: boolean }>(
      "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.application_name = 'kvs'",
    );
    return result.rows.map((row) => row.ssl);
  } finally {
    await admin.end();
  }
}

describe('TLOG_DB_SSLMODE', () => {
  it('disable connects in plain TCP', async () => {
    expect(await connectWith({ TLOG_DB_SSLMODE: 'disable' })).toBe(false);
  });

  it('require encrypts without checking the certificate', async () => {
    expect(await connectWith({ TLOG_DB_SSLMODE: 'require' })).toBe(true);
  });

  it('verify-full refuses a server whose CA it does not trust', async () => {
    await expect(connectWith({ TLOG_DB_SSLMODE: 'verify-full' })).rejects.toThrow(
      /after 1 attempt\(s\): .*(self[- ]signed|unable to verify|certificate)/i,
    );
  });

  it('verify-full accepts the server with TLOG_DB_SSLROOTCERT when the certificate names the host', async () => {
    expect(await connectWith({ TLOG_DB_SSLMODE: 'verify-full', TLOG_DB_SSLROOTCERT: CA_FILE })).toBe(true);
  });

  it('verify-full refuses a certificate that does not name the host; verify-ca accepts it', async () => {
    const byName = { TLOG_DB_HOST: 'localhost', TLOG_DB_SSLROOTCERT: CA_FILE };
    await expect(connectWith({ ...byName, TLOG_DB_SSLMODE: 'verify-full' })).rejects.toThrow(/localhost/);
    expect(await connectWith({ ...byName, TLOG_DB_SSLMODE: 'verify-ca' })).toBe(true);
  });

  it('names TLOG_DB_SSLROOTCERT when its file cannot be read', () => {
    const { host, database, user } = server.connection;
    const env = {
      TLOG_DB_HOST: host,
      TLOG_DB_DATABASE: database,
      TLOG_DB_USERNAME: user,
      TLOG_DB_SSLMODE: 'verify-ca',
      TLOG_DB_SSLROOTCERT: '/nonexistent/ca.pem',
    };
    expect(() => new PostgresTransactionLog(readPostgresLogConfig(new EnvReader(env)))).toThrow(
      'cannot read the CA certificate file TLOG_DB_SSLROOTCERT=/nonexistent/ca.pem',
    );
  });
});
