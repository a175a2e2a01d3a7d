import { EventEmitter } from 'node:events';
import { Metadata, type ServerInterceptingCallInterface, type ServerMethodDefinition } from '@grpc/grpc-js';
import type { Request, Response } from 'express';
import { OperationTable } from '../../src/application/operations';
import { PolicyPipeline } from '../../src/application/pipeline';
import { AccessPolicy, AuthPolicy, readAuthConfig } from '../../src/application/policies/auth';
import { LoadShedder, LoadSheddingPolicy } from '../../src/application/policies/load-shedding';
import { EnvReader } from '../../src/config/env-reader';
import { grpcCallAdapter } from '../../src/driving/grpc/grpc-call-adapter';
import { restCallAdapter } from '../../src/driving/rest/rest-call-adapter';
import { KvsMetrics } from '../../src/observability/metrics';
import { RequestMetricsObserver } from '../../src/observability/metrics';
import { RequestLogObserver } from '../../src/observability/request-log';
import { silentLogger } from '../../src/platform/logging/logger';
import { goodClaims, hmacSetup } from '../security/jwt-fixtures';
import { recordingLogger } from '../support/recording-logger';

/**
 * The read fast path stays synchronous with the observers and the synchronous policies on
 * (shedding, auth; the rate limit's store answers with a promise): once a token is in
 * the verified-token cache, a GET's handler (REST) or a Get's message (gRPC) is passed on
 * within the very call that delivered the request, with no promise hop. Unit tests: the
 * adapters are driven with stand-ins for express's request and grpc-js's call.
 */
describe('the synchronous fast path', () => {
  const setup = hmacSetup();
  let token: string;
  let pipeline: PolicyPipeline;
  const requestLog = recordingLogger();

  beforeAll(async () => {
    token = `Bearer ${await setup.sign(goodClaims({ scope: 'kvs:read' }))}`;
    const auth = new AuthPolicy(new AccessPolicy(readAuthConfig(new EnvReader(setup.env))!, silentLogger), false);
    const shedding = new LoadSheddingPolicy(new LoadShedder({ maxInFlight: 100, maxEventLoopLagMs: 0 }, silentLogger));
    const metrics = new RequestMetricsObserver(new KvsMetrics({ liveKeys: () => 0, logHealth: () => 'ok' }));
    pipeline = new PolicyPipeline([shedding, auth], [new RequestLogObserver({ logger: requestLog.logger }), metrics]);
  });
  afterAll(() => setup.remove());

  it('REST: a cached-token GET reaches its handler in the same call, and is logged and counted when it ends', async () => {
    const adapter = restCallAdapter(new OperationTable(), pipeline);
    const request = () => {
      const setHeader = jest.fn();
      const res = Object.assign(new EventEmitter(), {
        locals: {},
        statusCode: 200,
        writableFinished: false,
        setHeader,
      });
      const req = { method: 'GET', path: '/v1/key/k', headers: { authorization: token }, socket: { bytesWritten: 0 } };
      return { req: req as unknown as Request, res: res as unknown as Response & EventEmitter, setHeader };
    };
    // The first request verifies the token (asynchronously) and fills the cache.
    const first = request();
    await new Promise<void>((resolve) => adapter(first.req, first.res, () => resolve()));

    const second = request();
    let passedOn = false;
    adapter(second.req, second.res, () => (passedOn = true));
    expect(passedOn).toBe(true);
    expect(second.setHeader).toHaveBeenCalledWith('x-request-id', expect.any(String));
    second.res.emit('finish');
    expect(requestLog.records.filter((record) => record.event === 'request')).toEqual([
      expect.objectContaining({ frontend: 'rest', method: 'GET', route: '/v1/key/:key', status: 200 }),
    ]);
  });

  it('gRPC: a cached-token Get passes its metadata and message on in the same call', async () => {
    const interceptor = grpcCallAdapter(new OperationTable(), pipeline);
    const method = { path: '/KeyValue/Get' } as ServerMethodDefinition<unknown, unknown>;
    const call = () => {
      const received: { metadata: boolean; message: boolean } = { metadata: false, message: false };
      let inner: { onReceiveMetadata(metadata: Metadata): void; onReceiveMessage(message: unknown): void };
      const sendStatus = jest.fn();
      const next = {
        start: (listener: typeof inner) => (inner = listener),
        getDeadline: () => Infinity,
        sendStatus,
      } as unknown as ServerInterceptingCallInterface;
      interceptor(method, next).start({
        onReceiveMetadata: () => (received.metadata = true),
        onReceiveMessage: () => (received.message = true),
        onReceiveHalfClose: () => undefined,
        onCancel: () => undefined,
      });
      const metadata = new Metadata();
      metadata.set('authorization', token);
      return { received, sendStatus, metadata, deliver: () => inner };
    };
    const first = call();
    first.deliver().onReceiveMetadata(first.metadata);
    first.deliver().onReceiveMessage({ key: 'k' });
    while (!first.received.message) await new Promise((resolve) => setImmediate(resolve));

    const second = call();
    second.deliver().onReceiveMetadata(second.metadata);
    expect(second.received.metadata).toBe(true);
    second.deliver().onReceiveMessage({ key: 'k' });
    expect(second.received.message).toBe(true);
    expect(second.sendStatus).not.toHaveBeenCalled();
  });
});
