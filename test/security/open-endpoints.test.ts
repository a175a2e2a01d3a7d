import * as grpc from '@grpc/grpc-js';
import { grpcRequirement, restRequirement } from '../../src/application/policies/auth/requirements';
import { send } from '../support/http-request';
import { healthCheck, rawClient, reflectionListServices } from '../support/grpc-raw';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { goodClaims, hmacSetup } from './jwt-fixtures';

describe('the scope table', () => {
  it.each([
    ['GET', '/v1/key/a', { open: false, scope: 'kvs:read', key: { value: 'a' } }],
    ['HEAD', '/v1/key/a%2Fb', { open: false, scope: 'kvs:read', key: { value: 'a/b' } }],
    ['PUT', '/v1/key/a', { open: false, scope: 'kvs:write', key: { value: 'a' } }],
    ['DELETE', '/v1/key/a', { open: false, scope: 'kvs:write', key: { value: 'a' } }],
    ['GET', '/v1/key/%E0%A4%A', { open: false, scope: 'kvs:read', key: 'undecodable' }],
    ['POST', '/v1/key/a', { open: false }],
    ['POST', '/v1/admin/compact', { open: false, scope: 'kvs:admin' }],
    ['GET', '/healthz', { open: true }],
    ['GET', '/livez', { open: true }],
    ['GET', '/readyz', { open: true }],
    ['GET', '/metrics', { open: true }],
    ['GET', '/elsewhere', { open: false }],
  ])('REST %s %s', (method, path, requirement) => {
    expect(restRequirement(method, path, false)).toEqual(requirement);
  });

  it('protects /metrics with kvs:metrics when asked to', () => {
    expect(restRequirement('GET', '/metrics', true)).toEqual({ open: false, scope: 'kvs:metrics' });
  });

  it.each([
    ['/KeyValue/Get', { open: false, scope: 'kvs:read', key: 'message' }],
    ['/KeyValue/Put', { open: false, scope: 'kvs:write', key: 'message' }],
    ['/KeyValue/Delete', { open: false, scope: 'kvs:write', key: 'message' }],
    ['/kvs.KeyValueAdmin/Compact', { open: false, scope: 'kvs:admin' }],
    ['/KvsAdmin/Anything', { open: false, scope: 'kvs:admin' }],
    ['/grpc.health.v1.Health/Check', { open: true }],
    ['/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', { open: true }],
    ['/KeyValue/Unknown', { open: false }],
  ])('gRPC %s', (path, requirement) => {
    expect(grpcRequirement(path)).toEqual(requirement);
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

  it('needs a token for unknown REST paths, and kvs:admin for /v1/admin/*', async () => {
    const bearer = (scope: string) => setup.sign(goodClaims({ scope })).then((t) => ({ Authorization: `Bearer ${t}` }));
    expect((await send(`${service.restUrl}/elsewhere`)).status).toBe(401);
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
