import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KvsClient } from '../../src/client/kvs-client';
import { scrape } from '../support/prometheus-text';
import { goodClaims, hmacSetup } from '../security/jwt-fixtures';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';

/** The service as an operator runs it: what it says on start-up and about each request. */
describe('observability of the running service', () => {
  let dir: string;
  let service: ServiceProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-observability-'));
  });

  afterEach(async () => {
    service?.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('says on start-up its version, its log, where it listens and what it replayed', async () => {
    const { version } = JSON.parse(await readFile(resolve(__dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const filename = join(dir, 'tx.log');
    service = await startService({ TLOG_FILENAME: filename, TLOG_SYNC: 'interval' });
    await fetch(`${service.restUrl}/v1/key/k`, { method: 'PUT', body: 'v' });
    service.process.kill('SIGTERM');
    expect(await service.exited()).toBe(0);

    service = await startService({ TLOG_FILENAME: filename, TLOG_SYNC: 'interval' });
    const started = logRecords(service.output()).find((record) => record.event === 'started');
    expect(started).toMatchObject({
      version,
      log: { type: 'file', path: filename, sync: 'interval' },
      listening: [
        { frontend: 'rest', port: Number(new URL(service.restUrl!).port) },
        { frontend: 'grpc', port: Number(service.grpcAddress!.split(':')[1]) },
      ],
      replay: { events: 1, keys: 1 },
    });
  });

  it('logs one JSON line per request with the request id it returns, once switched on', async () => {
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), KVS_REQUEST_LOG: 'true' });
    const response = await fetch(`${service.restUrl}/v1/key/k`, { headers: { 'X-Request-Id': 'e2e-request-1' } });
    expect(response.headers.get('x-request-id')).toBe('e2e-request-1');
    const line = await waitForRecord(service, (record) => record.requestId === 'e2e-request-1');
    expect(line).toMatchObject({ event: 'request', route: '/v1/key/:key', status: 404, level: 30 });
    expect(typeof line.time).toBe('string');
  });

  it('writes no request lines by default', async () => {
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log') });
    const response = await fetch(`${service.restUrl}/v1/key/k`, { headers: { 'X-Request-Id': 'unlogged' } });
    expect(response.status).toBe(404);
    // A later line proves the earlier request had its chance to be logged.
    service.process.kill('SIGTERM');
    await service.exited();
    expect(logRecords(service.output()).some((record) => record.event === 'shutdown_done')).toBe(true);
    expect(logRecords(service.output()).filter((record) => record.event === 'request')).toEqual([]);
  });
});

describe('metrics of the running service', () => {
  let dir: string;
  let service: ServiceProcess | undefined;
  let client: KvsClient | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-metrics-'));
  });

  afterEach(async () => {
    client?.close();
    service?.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('serves /metrics and the probes on KVS_ADMIN_PORT with only gRPC running, and no keys there', async () => {
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), FRONTEND_TYPE: 'grpc', KVS_ADMIN_PORT: '0' });
    const admin = await waitForRecord(service, (record) => record.event === 'admin_listening');
    client = new KvsClient(service.grpcAddress!, { timeoutMs: 10_000 });
    await client.put('k', 'v');
    await client.get('k');
    await client.get('k');

    const metrics = await scrape(`http://127.0.0.1:${String(admin.port)}/metrics`);
    expect(metrics.value('kvs_requests_total', { frontend: 'grpc', operation: 'put', code: 'OK' })).toBe(1);
    expect(metrics.value('kvs_requests_total', { frontend: 'grpc', operation: 'get', code: 'OK' })).toBe(2);
    expect(metrics.value('kvs_keys')).toBe(1);
    expect(metrics.sum('kvs_log_append_batch_records')).toBe(1);
    expect(metrics.value('kvs_log_replay_events')).toBe(0);
    expect((await fetch(`http://127.0.0.1:${String(admin.port)}/v1/key/k`)).status).toBe(404);
    // The probes are there too, so readiness is visible without the REST frontend.
    expect((await fetch(`http://127.0.0.1:${String(admin.port)}/readyz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${String(admin.port)}/livez`)).status).toBe(200);
  });

  it('guards /metrics on KVS_ADMIN_PORT with a kvs:metrics token when KVS_AUTH_PROTECT_METRICS=true, probes still open', async () => {
    const issuer = hmacSetup();
    service = await startService({
      TLOG_FILENAME: join(dir, 'tx.log'),
      FRONTEND_TYPE: 'grpc',
      KVS_ADMIN_PORT: '0',
      KVS_AUTH_PROTECT_METRICS: 'true',
      ...issuer.env,
    });
    const admin = `http://127.0.0.1:${String((await waitForRecord(service, (r) => r.event === 'admin_listening')).port)}`;
    expect((await fetch(`${admin}/metrics`)).status).toBe(401);
    const reader = await issuer.sign(goodClaims({ scope: 'kvs:read' }));
    expect((await fetch(`${admin}/metrics`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(403);
    const scraper = await issuer.sign(goodClaims({ scope: 'kvs:metrics' }));
    const allowed = await fetch(`${admin}/metrics`, { headers: { authorization: `Bearer ${scraper}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain('kvs_keys');
    expect((await fetch(`${admin}/readyz`)).status).toBe(200);
    expect((await fetch(`${admin}/livez`)).status).toBe(200);
  });

  it('answers /metrics on the REST port unless KVS_METRICS=false', async () => {
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), FRONTEND_TYPE: 'rest' });
    await fetch(`${service.restUrl}/v1/key/k`, { method: 'PUT', body: 'v' });
    expect((await scrape(`${service.restUrl}/metrics`)).value('kvs_requests_total', { code: '201' })).toBe(1);
    service.process.kill('SIGTERM');
    await service.exited();

    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), FRONTEND_TYPE: 'rest', KVS_METRICS: 'false' });
    expect((await fetch(`${service.restUrl}/metrics`)).status).toBe(404);
  });
});

/** The first log record matching `wanted`, once the service has written it. */
async function waitForRecord(
  service: ServiceProcess,
  wanted: (record: ReturnType<typeof logRecords>[number]) => boolean,
): Promise<ReturnType<typeof logRecords>[number]> {
  for (;;) {
    const found = logRecords(service.output()).find(wanted);
    if (found) return found;
    await new Promise((done) => setTimeout(done, 20));
  }
}
