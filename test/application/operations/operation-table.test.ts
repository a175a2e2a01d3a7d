import * as grpc from '@grpc/grpc-js';
import { AccessPolicy, AuthPolicy, readAuthConfig } from '../../../src/application/policies/auth';
import { OPERATIONS, OperationTable, type Operation } from '../../../src/application/operations';
import { PolicyPipeline } from '../../../src/application/pipeline';
import { EnvReader } from '../../../src/config/env-reader';
import { KeyValueStore } from '../../../src/core';
import { GrpcFrontend } from '../../../src/driving/grpc';
import { probeRouter, Readiness } from '../../../src/driving/probes';
import { RestFrontend } from '../../../src/driving/rest';
import { KvsMetrics, metricsEndpoint } from '../../../src/observability/metrics';
import { goodClaims, hmacSetup } from '../../security/jwt-fixtures';
import { rawClient, rawUnary } from '../../support/grpc-raw';
import { send } from '../../support/http-request';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';
import { silentLogger } from '../../../src/platform/logging/logger';

const table = new OperationTable();
/** Rows the REST frontend serves with routes of its own (probes and /metrics have their own routers). */
const routed = (row: Operation) => row.rest !== undefined && row.kind !== 'probe' && row.kind !== 'metrics';
/** A REST path of a row, its parameters filled in. */
const concrete = (path: string) => path.replace(/:[a-z]+/g, 'k');

async function frontends(rows: readonly Operation[] = OPERATIONS, pipeline = new PolicyPipeline()) {
  const store = new KeyValueStore(new MemoryTransactionLog());
  await store.restore();
  const readiness = new Readiness(new MemoryTransactionLog());
  const operations = new OperationTable(rows);
  const metrics = new KvsMetrics({ liveKeys: () => 0, logHealth: () => 'ok' });
  const rest = new RestFrontend(
    store,
    { host: '127.0.0.1', port: 0 },
    { probes: probeRouter(readiness), operations, pipeline, endpoints: [metricsEndpoint(metrics)] },
  );
  const grpcFrontend = new GrpcFrontend(store, { host: '127.0.0.1', port: 0 }, { operations, pipeline });
  const restUrl = `http://127.0.0.1:${(await rest.start()).port}`;
  const grpcAddress = `127.0.0.1:${(await grpcFrontend.start()).port}`;
  readiness.serving();
  return {
    rest,
    grpc: grpcFrontend,
    restUrl,
    client: rawClient(grpcAddress),
    async stop() {
      this.client.close();
      await Promise.all([rest.stop(), grpcFrontend.stop()]);
    },
  };
}

describe('the operation table', () => {
  let served: Awaited<ReturnType<typeof frontends>>;

  beforeAll(async () => {
    served = await frontends();
  });

  afterAll(() => served.stop());

  it('has a row for every registered express route, and a route for every row with a REST binding', () => {
    const routes = served.rest.registeredRoutes();
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      const [method, path] = route.split(' ');
      expect([route, table.byRestRoute(method, path)?.name]).toEqual([route, expect.any(String)]);
    }
    const expected = OPERATIONS.filter(routed).flatMap((row) => row.rest!.methods.map((m) => `${m} ${row.rest!.path}`));
    expect([...routes].sort()).toEqual([...expected].sort());
  });

  it('serves the probe and metrics rows on the REST port (their own routers)', async () => {
    for (const row of OPERATIONS.filter((r) => r.rest !== undefined && !routed(r))) {
      const answer = await send(`${served.restUrl}${row.rest!.path}`, { method: 'GET' });
      expect([row.name, answer.status]).toEqual([row.name, 200]);
    }
  });

  it('has a row for every registered gRPC method, and a method for every row with a gRPC binding', () => {
    const methods = served.grpc.registeredMethods();
    for (const path of methods) expect([path, table.byGrpcPath(path)?.name]).toEqual([path, expect.any(String)]);
    const expected = OPERATIONS.flatMap((row) => (row.grpc ? [row.grpc.path] : []));
    expect([...new Set(methods)].sort()).toEqual([...expected].sort());
  });

  it('refuses a table where two rows claim one gRPC method or REST route', () => {
    const get = OPERATIONS.find((row) => row.name === 'Get')!;
    expect(() => new OperationTable([get, { ...get, name: 'Get2', rest: undefined }])).toThrow(/two rows/);
    expect(() => new OperationTable([get, { ...get, name: 'Get2', grpc: undefined }])).toThrow(/two rows/);
  });
});

describe('an operation without a row', () => {
  const setup = hmacSetup();
  let served: Awaited<ReturnType<typeof frontends>>;
  let token: string;

  beforeAll(async () => {
    const env = new EnvReader(setup.env);
    const auth = new AuthPolicy(new AccessPolicy(readAuthConfig(env)!, silentLogger), false);
    const rows = OPERATIONS.filter((row) => row.name !== 'Delete' && row.name !== 'Compact');
    served = await frontends(rows, new PolicyPipeline([auth]));
    token = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write kvs:admin' }));
  });

  afterAll(() => served.stop());

  it('is refused on REST before any policy, whatever the credentials', async () => {
    for (const headers of [{}, { Authorization: `Bearer ${token}` }] as Record<string, string>[]) {
      const del = await send(`${served.restUrl}/v1/key/k`, { method: 'DELETE', headers });
      expect([del.status, JSON.parse(del.body).code, del.headers.allow]).toEqual([
        405,
        'METHOD_NOT_ALLOWED',
        'GET, HEAD, PUT',
      ]);
      const compact = await send(`${served.restUrl}/v1/admin/compact`, { method: 'POST', headers });
      expect([compact.status, JSON.parse(compact.body).code]).toEqual([404, 'NO_SUCH_ROUTE']);
    }
    // The rows still there still need a token.
    expect((await send(`${served.restUrl}/v1/key/k`)).status).toBe(401);
  });

  it('is refused UNIMPLEMENTED on gRPC, whatever the credentials', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${token}`);
    for (const path of ['/KeyValue/Delete', '/KvsAdmin/Compact']) {
      expect((await rawUnary(served.client, path, Buffer.from([0x0a, 0x01, 0x6b]))).code).toBe(
        grpc.status.UNIMPLEMENTED,
      );
      expect((await rawUnary(served.client, path, Buffer.from([0x0a, 0x01, 0x6b]), metadata)).code).toBe(
        grpc.status.UNIMPLEMENTED,
      );
    }
    // The rows still there still need a token.
    expect((await rawUnary(served.client, '/KeyValue/Get', Buffer.from([0x0a, 0x01, 0x6b]))).code).toBe(
      grpc.status.UNAUTHENTICATED,
    );
  });
});

describe('a token without the row’s scope', () => {
  const setup = hmacSetup();
  let service: InProcessService;
  let client: grpc.Client;

  beforeAll(async () => {
    service = await startInProcessService({ ...setup.env, KVS_AUTH_PROTECT_METRICS: 'true' });
    client = rawClient(service.grpcAddress);
  });

  afterAll(async () => {
    client.close();
    await service.stop();
  });

  it.each(OPERATIONS.filter((row) => row.scope !== undefined).map((row) => [row.name, row] as const))(
    '%s is refused on every transport that binds it',
    async (_name, row) => {
      // Every scope but the row's own.
      const others = ['kvs:read', 'kvs:write', 'kvs:admin', 'kvs:metrics'].filter((scope) => scope !== row.scope);
      const token = await setup.sign(goodClaims({ scope: others.join(' ') }));
      let transports = 0;
      if (row.rest) {
        for (const method of row.rest.methods) {
          const answer = await send(`${service.restUrl}${concrete(row.rest.path)}`, {
            method,
            headers: { Authorization: `Bearer ${token}` },
          });
          expect([method, answer.status]).toEqual([method, 403]);
        }
        transports += 1;
      }
      if (row.grpc) {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${token}`);
        const answer = await rawUnary(client, row.grpc.path, Buffer.alloc(0), metadata);
        expect([answer.code, answer.errorCode]).toEqual([grpc.status.PERMISSION_DENIED, 'PERMISSION_DENIED']);
        transports += 1;
      }
      expect(transports).toBeGreaterThan(0);
    },
  );
});
