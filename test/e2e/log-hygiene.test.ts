import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, status } from '@grpc/grpc-js';
import { KvsClient, KvsClientError } from '../../src/client/kvs-client';
import { rawClient, rawUnary } from '../support/grpc-raw';
import { send } from '../support/http-request';
import { rawExchange } from '../support/raw-http';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';
import { goodClaims, hmacSetup } from '../security/jwt-fixtures';
import { TcpProxy } from '../support/tcp-proxy';
import { TestPostgres } from '../support/test-postgres';

/**
 * The logging rule on a real service process with request logs on: keys appear in logs only at
 * debug, values and tokens never. Every refusal and error path is driven on REST and gRPC with
 * distinctive markers in the keys, values and tokens, at LOG_LEVEL=debug: no line at info or
 * above may carry one, and no line at all a value or a token. The log-unavailable path is driven
 * by cutting the network to a real PostgreSQL.
 */

const KEY_MARK = 'kmarkQ7';
const VALUE_MARK = 'vmarkZ9';
const TOKEN_MARK = 'tmarkX3';
const INFO = 30;

const setup = hmacSetup();
const now = (): number => Math.floor(Date.now() / 1000);
const key = (n: string): string => `${KEY_MARK}-${n}`;
const VALUE = `${VALUE_MARK}-secret value`;

function flagFile(readOnly: boolean): string {
  const flag = (on: boolean) => ({
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: on ? 'on' : 'off',
  });
  return JSON.stringify({ flags: { 'read-only': flag(readOnly), 'request-logging': flag(true) } });
}

describe('no key, value or token at info or above, on every refusal and error path', () => {
  let dir: string;
  let service: ServiceProcess;
  let flags: string;
  /** Every token used: their signatures must not be logged either. */
  const tokens: string[] = [];

  const token = async (sub: string, claims: object = {}): Promise<string> => {
    const minted = await setup.sign(goodClaims({ sub, scope: 'kvs:read kvs:write', ...claims }));
    tokens.push(minted);
    return minted;
  };
  const url = (k: string): string => `${service.restUrl}/v1/key/${encodeURIComponent(k)}`;
  const bearer = (t: string): Record<string, string> => ({ Authorization: `Bearer ${t}` });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-log-hygiene-'));
    flags = join(dir, 'flags.json');
    await writeFile(flags, flagFile(false));
    service = await startService({
      ...setup.env,
      TLOG_FILENAME: join(dir, 'tx.log'),
      KVS_REQUEST_LOG: 'true',
      // Debug, so the test also proves that debug detail stays on debug lines.
      LOG_LEVEL: 'debug',
      KVS_FLAGS_FILE: flags,
      KVS_RATE_LIMIT: '1/h',
      KVS_RATE_BURST: '5',
      KVS_MAX_IN_FLIGHT: '1',
      KVS_MAX_VALUE_BYTES: '1024',
    });
  });

  afterAll(async () => {
    service.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('REST and gRPC', async () => {
    const expired = await token('expired', { exp: now() - 3600 });
    const reader = await token('reader', { scope: 'kvs:read' });
    const fenced = await token('fenced', { kvs_prefixes: ['team-a/'] });
    const limited = await token('limited');
    const full = await token('full');
    const forged = `${TOKEN_MARK}.${TOKEN_MARK}.${TOKEN_MARK}`;
    const statuses: number[] = [];
    const rest = async (
      path: string,
      init: { method?: string; headers?: Record<string, string>; body?: string } = {},
    ) => {
      const answer = await send(path, init);
      statuses.push(answer.status);
      return answer.status;
    };

    // 401, 403, 429
    await rest(url(key('a')));
    await rest(url(key('a')), { headers: bearer(forged) });
    await rest(url(key('a')), { headers: bearer(expired) });
    await rest(url(key('a')), { method: 'PUT', headers: bearer(reader), body: VALUE });
    await rest(url(key('a')), { headers: bearer(fenced) });
    for (let i = 0; i < 6; i++) await rest(url(key('limit')), { headers: bearer(limited) });
    // 404 (no value, no route), 405, 400 (bad key, key too large, bad value), 413
    await rest(url(key('absent')), { headers: bearer(full) });
    await rest(`${service.restUrl}/v2/${key('route')}`, { headers: bearer(full) });
    await rest(url(key('method')), { method: 'POST', headers: bearer(full), body: VALUE });
    await rest(`${service.restUrl}/v1/key/%FF${KEY_MARK}`, { headers: bearer(full) });
    await rest(url(key('x'.repeat(2000))), { headers: bearer(full) });
    await rest(url(key('large')), { method: 'PUT', headers: bearer(full), body: VALUE.repeat(100) });
    const badUtf8 = Buffer.concat([Buffer.from(VALUE), Buffer.from([0xff, 0xfe])]);
    const put = (k: string, body: Buffer) =>
      `PUT /v1/key/${k} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${full}\r\nContent-Length: ${body.length}\r\n\r\n`;
    const port = Number(new URL(service.restUrl!).port);
    const raw = async (bytes: Buffer | string) =>
      statuses.push((await rawExchange('127.0.0.1', port, bytes, 1)).responses[0]?.status ?? 0);
    await raw(Buffer.concat([Buffer.from(put(key('utf8'), badUtf8)), badUtf8]));
    await raw(`GET /v1/key/${key('line')} HTTP/9${TOKEN_MARK}\r\n\r\n`);
    expect(statuses).toEqual([
      401, 401, 401, 403, 403, 404, 404, 404, 404, 404, 429, 404, 404, 405, 400, 400, 413, 400, 400,
    ]);

    // gRPC: the same refusals, a malformed message, an oversized key.
    const grpcStatus = async (t: string | undefined, call: (client: KvsClient) => Promise<unknown>) => {
      const client = new KvsClient(service.grpcAddress!, { timeoutMs: 5000 }, { token: t });
      try {
        await call(client);
        return 'OK';
      } catch (error) {
        if (error instanceof KvsClientError) return status[error.status];
        throw error;
      } finally {
        client.close();
      }
    };
    const grpcStatuses = [
      await grpcStatus(undefined, (c) => c.get(key('g'))),
      await grpcStatus(forged, (c) => c.get(key('g'))),
      await grpcStatus(reader, (c) => c.put(key('g'), VALUE)),
      await grpcStatus(fenced, (c) => c.put(key('g'), VALUE)),
      await grpcStatus(limited, (c) => c.get(key('g'))),
      await grpcStatus(await token('g1'), (c) => c.get(key('gabsent'))),
      await grpcStatus(await token('g2'), (c) => c.get(key('x'.repeat(2000)))),
      await grpcStatus(await token('g3'), (c) => c.put(key('glarge'), VALUE.repeat(100))),
    ];
    const client = rawClient(service.grpcAddress!);
    const metadata = new Metadata();
    metadata.set('authorization', `Bearer ${await token('g4')}`);
    // Field 1 (key) declared 100 bytes long with fewer present: not a well-formed message.
    const malformed = Buffer.concat([Buffer.from([0x0a, 100]), Buffer.from(key('malformed'))]);
    grpcStatuses.push(status[(await rawUnary(client, '/KeyValue/Put', malformed, metadata)).code]);
    client.close();
    expect(grpcStatuses).toEqual([
      'UNAUTHENTICATED',
      'UNAUTHENTICATED',
      'PERMISSION_DENIED',
      'PERMISSION_DENIED',
      'RESOURCE_EXHAUSTED',
      'NOT_FOUND',
      'INVALID_ARGUMENT',
      'RESOURCE_EXHAUSTED',
      'INVALID_ARGUMENT',
    ]);

    // 503 shedding: one PUT held in flight (KVS_MAX_IN_FLIGHT=1), then both transports are shed.
    const held = request(url(key('held')), {
      method: 'PUT',
      headers: { ...bearer(await token('held')), 'Content-Length': String(VALUE.length) },
    });
    const heldAnswer = new Promise<number>((resolve, reject) => {
      held.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      held.on('error', reject);
    });
    held.write(VALUE.slice(0, 10));
    let shed = 0;
    for (let tries = 0; shed !== 503 && tries < 250; tries++) {
      shed = (await send(url(key('shed')), { headers: bearer(await token(`shed-${tries}`)) })).status;
    }
    expect(shed).toBe(503);
    expect(await grpcStatus(await token('shed-grpc'), (c) => c.put(key('gshed'), VALUE))).toBe('UNAVAILABLE');
    held.end(VALUE.slice(10));
    expect(await heldAnswer).toBe(201);

    // 503 read-only, once the flag file says so.
    await writeFile(flags, flagFile(true));
    let readOnly = 0;
    // The flag provider polls the file every few seconds.
    for (let tries = 0; readOnly !== 503 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      readOnly = (
        await send(url(key('ro')), { method: 'PUT', headers: bearer(await token(`ro-${tries}`)), body: VALUE })
      ).status;
    }
    expect(readOnly).toBe(503);
    expect(await grpcStatus(await token('ro-grpc'), (c) => c.delete(key('gro')))).toBe('UNAVAILABLE');

    // Let the last request lines be written, then read everything the process logged.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const records = logRecords(service.output());
    const loud = records.filter((record) => Number(record.level) >= INFO);
    // The test saw the paths it drove: refusals, request lines of both transports, shedding.
    const events = new Set(loud.map((record) => record.event));
    for (const event of ['access_refused', 'request', 'shedding_started', 'flags_changed'])
      expect(events).toContain(event);
    expect(loud.filter((record) => record.event === 'request').length).toBeGreaterThan(30);
    // Keys are logged at debug (so the markers would be found if they leaked upwards).
    expect(records.some((record) => record.event === 'request_key' && String(record.key).includes(KEY_MARK))).toBe(
      true,
    );
    const tokenSecrets = [TOKEN_MARK, ...tokens.map((t) => t.split('.')[2])];
    expect(leaksOf(loud, [KEY_MARK, VALUE_MARK, ...tokenSecrets])).toEqual([]);
    expect(leaksOf(records, [VALUE_MARK, ...tokenSecrets])).toEqual([]);
  }, 90_000);
});

/** Each secret found in a record, with the record. */
function leaksOf(records: Record<string, unknown>[], secrets: string[]): string[] {
  return records.flatMap((record) => {
    const line = JSON.stringify(record);
    return secrets.filter((secret) => line.includes(secret)).map((secret) => `${secret} in ${line}`);
  });
}

describe('no key or value at info or above while the log is unavailable', () => {
  let postgres: TestPostgres;
  let proxy: TcpProxy;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    postgres = await TestPostgres.start();
    proxy = await TcpProxy.start(postgres.connection.host, postgres.connection.port);
  });

  afterAll(async () => {
    service?.process.kill('SIGKILL');
    await proxy?.cut();
    await postgres?.close();
  });

  it('REST and gRPC writes refused with LOG_UNAVAILABLE while the database is cut away', async () => {
    service = await startService({
      ...postgres.logEnv(),
      TLOG_DB_HOST: '127.0.0.1',
      TLOG_DB_PORT: String(proxy.port),
      TLOG_DB_CONNECT_TIMEOUT_MS: '500',
      KVS_REQUEST_LOG: 'true',
      LOG_LEVEL: 'info',
    });
    const url = `${service.restUrl}/v1/key/${key('pg')}`;
    expect((await fetch(url, { method: 'PUT', body: VALUE })).status).toBe(201);
    await proxy.cut();
    const refused = await fetch(url, { method: 'PUT', body: `${VALUE} 2` });
    expect([refused.status, ((await refused.json()) as { code: string }).code]).toEqual([503, 'LOG_UNAVAILABLE']);
    const client = new KvsClient(service.grpcAddress!, { timeoutMs: 5000 });
    try {
      await expect(client.put(key('gpg'), VALUE)).rejects.toMatchObject({ status: status.UNAVAILABLE });
    } finally {
      client.close();
    }
    await proxy.restore();

    await new Promise((resolve) => setTimeout(resolve, 300));
    const loud = logRecords(service.output()).filter((record) => Number(record.level) >= INFO);
    expect(loud.map((record) => record.event)).toContain('postgres_log_unavailable');
    expect(leaksOf(loud, [KEY_MARK, VALUE_MARK])).toEqual([]);
  });
});
