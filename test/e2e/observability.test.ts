import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

  it('logs one JSON line per request with the request id it returns', async () => {
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log') });
    const response = await fetch(`${service.restUrl}/v1/key/k`, { headers: { 'X-Request-Id': 'e2e-request-1' } });
    expect(response.headers.get('x-request-id')).toBe('e2e-request-1');
    const line = await waitForRecord(service, (record) => record.requestId === 'e2e-request-1');
    expect(line).toMatchObject({ event: 'request', route: '/v1/key/:key', status: 404, level: 30 });
    expect(typeof line.time).toBe('string');
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
