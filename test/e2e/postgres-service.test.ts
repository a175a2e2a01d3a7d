import { KvsClient } from '../../src/client/kvs-client';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

/**
 * The service with TLOG_TYPE=postgres and both frontends: writes through either frontend land
 * in the database; while the database is down reads keep working from memory and writes fail
 * with 503 / UNAVAILABLE without touching memory; once it is back, writes work again without a
 * restart; a restart replays the table.
 */
describe('service on the Postgres log (REST and gRPC)', () => {
  let postgres: TestPostgres;
  let service: ServiceProcess | undefined;
  let grpc: KvsClient | undefined;

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });

  afterEach(() => {
    grpc?.close();
    service?.process.kill('SIGKILL');
  });

  afterAll(async () => {
    await postgres?.close();
  });

  it('serves both frontends, survives a database outage, and replays after a restart', async () => {
    const env = { ...postgres.logEnv(), FRONTEND_TYPE: 'rest,grpc', TLOG_DB_CONNECT_TIMEOUT_MS: '1000' };
    service = await startService(env);
    expect(service.output()).toMatch(/replayed 0 events/);
    const started = logRecords(service.output()).find((record) => record.event === 'started');
    const { TLOG_DB_DATABASE: database, TLOG_DB_PASSWORD: password } = postgres.logEnv();
    expect(started?.log).toEqual(expect.objectContaining({ type: 'postgres', database }));
    if (password) expect(service.output()).not.toContain(password);
    const key = (name: string) => `${service!.restUrl}/v1/key/${encodeURIComponent(name)}`;
    grpc = new KvsClient(service.grpcAddress!, { timeoutMs: 10_000 });

    expect((await fetch(key('via rest'), { method: 'PUT', body: 'r\u00001' })).status).toBe(201);
    await grpc.put('via grpc', 'g1');
    expect(await grpc.get('via rest')).toBe('r\u00001');
    expect(await (await fetch(key('via grpc'))).text()).toBe('g1');

    const server = postgres.server;
    if (server) {
      await server.stop('immediate');
      const refused = await fetch(key('during outage'), { method: 'PUT', body: 'x' });
      expect(refused.status).toBe(503);
      await expect(grpc.put('during outage', 'x')).rejects.toMatchObject({ status: 14 }); // UNAVAILABLE
      expect(await (await fetch(key('via rest'))).text()).toBe('r\u00001');
      expect((await fetch(key('during outage'))).status).toBe(404);
      await server.start();
      expect((await fetch(key('after outage'), { method: 'PUT', body: 'a' })).status).toBe(201);
    }

    service.process.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
    service = await startService(env);
    const restarted = service.restUrl!;
    expect(await (await fetch(`${restarted}/v1/key/${encodeURIComponent('via grpc')}`)).text()).toBe('g1');
    expect(await (await fetch(`${restarted}/v1/key/${encodeURIComponent('via rest')}`)).text()).toBe('r\u00001');
    expect((await fetch(`${restarted}/v1/key/${encodeURIComponent('during outage')}`)).status).toBe(404);
  });
});
