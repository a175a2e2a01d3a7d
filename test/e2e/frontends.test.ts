import { join } from 'node:path';
import { KvsClient } from '../../src/client/kvs-client';
import { startService, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';

describe('FRONTEND_TYPE', () => {
  const dir = useTempDir('frontends');
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    service?.process.kill('SIGKILL');
  });

  it('starts REST and gRPC on one store by default', async () => {
    service = await startService({ TLOG_FILENAME: join(dir.path, 'tx.log') });
    const client = new KvsClient(service.grpcAddress!);
    try {
      expect((await fetch(`${service.restUrl}/v1/key/shared`, { method: 'PUT', body: 'from rest' })).status).toBe(201);
      expect(await client.get('shared')).toBe('from rest');
      await client.put('shared', 'from grpc');
      expect(await (await fetch(`${service.restUrl}/v1/key/shared`)).text()).toBe('from grpc');
    } finally {
      client.close();
    }
  });

  it.each([
    ['grpc', ['grpc'], ['rest']],
    ['rest', ['rest'], ['grpc']],
    [' GRPC , rest ', ['grpc', 'rest'], []],
  ])('FRONTEND_TYPE=%p starts exactly %p', async (value, started, absent) => {
    service = await startService({ TLOG_FILENAME: join(dir.path, 'tx.log'), FRONTEND_TYPE: value });
    for (const name of started) expect(service.output()).toContain(`${name} frontend listening`);
    for (const name of absent) expect(service.output()).not.toContain(`${name} frontend`);
  });
});
