import * as grpc from '@grpc/grpc-js';
import { OperationTable } from '../../src/application/operations';
import { send } from '../support/http-request';
import { healthCheck, rawClient, reflectionListServices } from '../support/grpc-raw';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { goodClaims, hmacSetup } from './jwt-fixtures';

describe('the scope table (rows of the operation table)', () => {
  const table = new OperationTable();
  const rest = (method: string, path: string) => {
    const resolved = table.byRest(method, path);
    return resolved && { name: resolved.operation.name, scope: resolved.operation.scope, key: resolved.key };
  };

  it.each([
    ['GET', '/v1/key/a', { name: 'Get', scope: 'kvs:read', key: 'a' }],
    ['HEAD', '/v1/key/a%2Fb', { name: 'Get', scope: 'kvs:read', key: 'a/b' }],
    ['PUT', '/v1/key/a', { name: 'Put', scope: 'kvs:write', key: 'a' }],
    ['DELETE', '/v1/key/a', { name: 'Delete', scope: 'kvs:write', key: 'a' }],
    ['GET', '/v1/key/%E0%A4%A', { name: 'Get', scope: 'kvs:read', key: undefined }],
    ['POST', '/v1/key/a', undefined],
    ['POST', '/v1/admin/compact', { name: 'Compact', scope: 'kvs:admin', key: undefined }],
    ['GET', '/healthz', { name: 'Healthz', scope: undefined, key: undefined }],
    ['GET', '/livez', { name: 'Livez', scope: undefined, key: undefined }],
    ['GET', '/readyz', { name: 'Readyz', scope: undefined, key: undefined }],
    ['GET', '/metrics', { name: 'Metrics', scope: 'kvs:metrics', key: undefined }],
    ['GET', '/elsewhere', undefined],
  ])('REST %s %s', (method, path, row) => {
    expect(rest(method, path)).toEqual(row);
  });

  it.each([
    ['/KeyValue/Get', 'kvs:read', true],
    ['/KeyValue/Put', 'kvs:write', true],
    ['/KeyValue/Delete', 'kvs:write', true],
    ['/KvsAdmin/Compact', 'kvs:admin', false],
    ['/grpc.health.v1.Health/Check', undefined, false],
    ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', undefined, false],
  ])('gRPC %s', (path, scope, hasKey) => {
    const operation = table.byGrpcPath(path);
    expect(operation?.scope).toBe(scope);
    expect(operation?.key !== undefined).toBe(hasKey);
  });

  it('has no row for methods nobody registered', () => {
    expect(table.byGrpcPath('/KvsAdmin/Anything')).toBeUndefined();
    expect(table.byGrpcPath('/KeyValue/Unknown')).toBeUndefined();
  });
});

describe('what stays open with authentication on', () => {
  const setup = hmacSetup();
  let service: InProcessService;
  let client: grpc.Client;

  beforeAll(async () => {
    service = await startInProcessService(setup.env);
    client = rawClient(service.grpcAddress);
  });

  afterAll(async () => {
    client.close();
    await service.stop();
  });

  it('answers /healthz, grpc.health.v1 and reflection without a token', async () => {
    expect((await send(`${service.restUrl}/healthz`)).status).toBe(200);
    expect(await healthCheck(client)).toBe('SERVING');
    expect(await reflectionListServices(client)).toContain('KeyValue');
  });

  it('answers unknown REST paths 404 whatever the credentials, and needs kvs:admin for /v1/admin/*', async () => {
    const bearer = (scope: string) => setup.sign(goodClaims({ scope })).then((t) => ({ Authorization: `Bearer ${t}` }));
    // The one deliberate change of the operation table: no row, no policy, 404 (it was 401).
    expect((await send(`${service.restUrl}/elsewhere`)).status).toBe(404);
    expect((await send(`${service.restUrl}/elsewhere`, { headers: await bearer('') })).status).toBe(404);
    const compact = `${service.restUrl}/v1/admin/compact`;
    expect((await send(compact, { method: 'POST' })).status).toBe(401);
    const full = await send(compact, { method: 'POST', headers: await bearer('kvs:read kvs:write') });
    expect(full.status).toBe(403);
    expect(JSON.parse(full.body)).toMatchObject({ code: 'PERMISSION_DENIED' });
    // Past authorization, the compaction route answers.
    expect((await send(compact, { method: 'POST', headers: await bearer('kvs:admin') })).status).toBe(200);
  });
});

describe('reflection switched off', () => {
  it('is not offered with KVS_GRPC_REFLECTION=false', async () => {
    const service = await startInProcessService({ KVS_GRPC_REFLECTION: 'false' });
    const client = rawClient(service.grpcAddress);
    try {
      await expect(reflectionListServices(client)).rejects.toMatchObject({ code: grpc.status.UNIMPLEMENTED });
    } finally {
      client.close();
      await service.stop();
    }
  });
});
