import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { logRecords, runService, startService } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';
import { FRONTENDS, TRANSACTION_LOGS } from '../../src/composition/container';

const scratch = useTempDir('config', 'file');

/**
 * Each bad variable makes the service exit with status 2 and one line on stderr that names
 * the variable, the bad value and what is accepted — before it touches any file or port.
 */
describe('configuration errors', () => {
  it.each([
    ['TLOG_TYPE', 'mysql', `TLOG_TYPE="mysql" is not valid; expected ${Object.keys(TRANSACTION_LOGS).join(', ')}`],
    ['TLOG_SYNC', 'sometimes', /TLOG_SYNC="sometimes" is not valid; expected always, interval, never/],
    [
      'FRONTEND_TYPE',
      'rest,soap',
      `FRONTEND_TYPE="rest,soap" is not valid; expected a comma-separated list of ${Object.keys(FRONTENDS).join(', ')}`,
    ],
    ['KVS_HTTP_PORT', '99999', /KVS_HTTP_PORT="99999" is not valid; expected an integer from 0 to 65535/],
    ['KVS_HTTP_PORT', 'http', /KVS_HTTP_PORT="http" is not valid/],
    ['KVS_GRPC_PORT', '-1', /KVS_GRPC_PORT="-1" is not valid; expected an integer from 0 to 65535/],
    ['KVS_MAX_KEY_BYTES', '0', /KVS_MAX_KEY_BYTES="0" is not valid; expected an integer from 1 to/],
    ['KVS_MAX_VALUE_BYTES', '1.5', /KVS_MAX_VALUE_BYTES="1.5" is not valid/],
    ['KVS_MAX_DATA_BYTES', '0', /KVS_MAX_DATA_BYTES="0" is not valid; expected an integer from 1 to/],
    ['KVS_ADMIN_PORT', 'admin', /KVS_ADMIN_PORT="admin" is not valid; expected an integer from 0 to 65535/],
    ['KVS_METRICS', 'maybe', /KVS_METRICS="maybe" is not valid; expected true, false/],
    ['KVS_REQUEST_LOG', 'yes', /KVS_REQUEST_LOG="yes" is not valid; expected true, false/],
    ['OTEL_TRACES_EXPORTER', 'jaeger', /OTEL_TRACES_EXPORTER="jaeger" is not valid; expected none, otlp, console/],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'http', /OTEL_EXPORTER_OTLP_PROTOCOL="http" is not valid; expected http\/protobuf/],
    ['KVS_TRACE_KEYS', '1', /KVS_TRACE_KEYS="1" is not valid; expected true, false/],
    ['KVS_REPLICAS', 'shared', /KVS_REPLICAS="shared" is not valid; expected single with TLOG_TYPE=file/],
    ['KVS_MAX_READ_WAIT_MS', 'soon', /KVS_MAX_READ_WAIT_MS="soon" is not valid; expected an integer from 0 to/],
  ])('%s=%s exits 2 with one clear line', async (name, value, message) => {
    const result = await runService({ TLOG_FILENAME: join(scratch.path, `${name}.log`), [name]: value });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe('configuration errors of the postgres log', () => {
  it('names a missing TLOG_DB_* variable, exits 2, and never prints the password', async () => {
    const result = await runService({ TLOG_TYPE: 'postgres', TLOG_DB_DATABASE: 'kvs', TLOG_DB_PASSWORD: 's3cret-pw' });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^kvs: config: TLOG_DB_HOST is not set/)]);
    expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
  });

  it('refuses a bad TLOG_DB_SSLMODE without echoing the password', async () => {
    const env = {
      TLOG_TYPE: 'postgres',
      TLOG_DB_HOST: 'db',
      TLOG_DB_DATABASE: 'kvs',
      TLOG_DB_USERNAME: 'kvs',
      TLOG_DB_PASSWORD: 's3cret-pw',
    };
    const result = await runService({ ...env, TLOG_DB_SSLMODE: 'prefer-maybe' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /TLOG_DB_SSLMODE="prefer-maybe" is not valid; expected disable, require, verify-ca, verify-full/,
    );
    expect(result.stderr).not.toContain('s3cret-pw');
  });

  it.each([
    [{ KVS_MAX_STALENESS_MS: 'soon' }, /KVS_MAX_STALENESS_MS="soon" is not valid; expected an integer from 100 to/],
    [
      { KVS_MAX_STALENESS_MS: '1500', KVS_PG_POLL_MS: '1000' },
      /KVS_MAX_STALENESS_MS="1500" is not valid; expected at least twice KVS_PG_POLL_MS \(2000 ms\)/,
    ],
    [{ KVS_WORKERS: '2' }, /KVS_WORKERS="2" is not valid; expected 1 with KVS_REPLICAS=shared/],
  ])('KVS_REPLICAS=shared with %j exits 2 with one clear line', async (variables, message) => {
    const env = { TLOG_TYPE: 'postgres', TLOG_DB_HOST: 'db', TLOG_DB_DATABASE: 'kvs', TLOG_DB_USERNAME: 'kvs' };
    const result = await runService({ ...env, KVS_REPLICAS: 'shared', ...variables });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});

/** The message of the one fatal line a failed start logs. */
function fatalMessage(stdout: string): string {
  const fatal = logRecords(stdout).filter((record) => record.event === 'start_failed');
  expect(fatal).toHaveLength(1);
  return fatal[0].msg;
}

describe('start-up failures', () => {
  it('exits 1 naming the path when TLOG_FILENAME cannot be opened as a log file', async () => {
    const result = await runService({ TLOG_FILENAME: scratch.path, FRONTEND_TYPE: 'rest' });
    expect(result.code).toBe(1);
    expect(fatalMessage(result.stdout)).toMatch(/^cannot start: file log: /);
    expect(fatalMessage(result.stdout)).toContain(scratch.path);
    expect(result.stdout).not.toMatch(/listening/);
  });

  it('exits 1 at once when a parent directory of TLOG_FILENAME cannot be created (not spin, as recursive mkdir does under /proc)', async () => {
    const result = await runService({ TLOG_FILENAME: '/proc/kvs-no-such-dir/tx.log', FRONTEND_TYPE: 'rest' }, 10_000);
    expect(result.code).toBe(1);
    expect(fatalMessage(result.stdout)).toContain("mkdir '/proc/kvs-no-such-dir'");
  });

  it('refuses to start on a log corrupted in the middle, naming the file and offset', async () => {
    const filename = join(scratch.path, 'foreign.log');
    await writeFile(filename, 'this is not a kvs transaction log\n'.repeat(10));
    const result = await runService({ TLOG_FILENAME: filename, FRONTEND_TYPE: 'rest' });
    expect(result.code).toBe(1);
    expect(fatalMessage(result.stdout)).toContain(filename);
    expect(result.stdout).not.toMatch(/listening/);
  });

  it('gives up on an unreachable database after the configured retries, exiting 1 with a clear line', async () => {
    const result = await runService({
      TLOG_TYPE: 'postgres',
      TLOG_DB_HOST: '127.0.0.1',
      TLOG_DB_PORT: '1',
      TLOG_DB_DATABASE: 'kvs',
      TLOG_DB_USERNAME: 'kvs',
      TLOG_DB_PASSWORD: 's3cret-pw',
      TLOG_DB_CONNECT_RETRIES: '2',
    });
    expect(result.code).toBe(1);
    expect(fatalMessage(result.stdout)).toMatch(
      /^cannot start: postgres log: cannot connect to 127\.0\.0\.1:1 .*after 3 attempt/,
    );
    expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
    expect(result.stdout).not.toMatch(/listening/);
  });
});

describe('misspelled variables', () => {
  it('starts with the defaults but warns about a KVS_ variable nothing reads, naming the closest one', async () => {
    const service = await startService({
      TLOG_FILENAME: join(scratch.path, 'typo.log'),
      KVS_HTTP_PROT: '9000',
    });
    try {
      const warnings = logRecords(service.output()).filter((record) => record.event === 'config_variable_unread');
      expect(warnings).toEqual([
        expect.objectContaining({
          variable: 'KVS_HTTP_PROT',
          suggestion: 'KVS_HTTP_PORT',
          msg: expect.stringContaining('did you mean KVS_HTTP_PORT?'),
        }),
      ]);
    } finally {
      service.process.kill('SIGKILL');
      await service.exited();
    }
  });
});
