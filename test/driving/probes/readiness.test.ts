import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import type { NextFunction, Request, Response } from 'express';
import { KeyValueStore } from '../../../src/core';
import { GrpcFrontend } from '../../../src/driving/grpc';
import { probeRouter, Readiness } from '../../../src/driving/probes';
import { RestFrontend } from '../../../src/driving/rest';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';

describe('Readiness', () => {
  it('is ready once serving, not while the log cannot take writes, and never again once stopping', () => {
    const log = new MemoryTransactionLog();
    const readiness = new Readiness(log);
    const changes: boolean[] = [];
    readiness.onChange((ready) => changes.push(ready));

    expect([readiness.state, readiness.ready]).toEqual(['starting', false]);
    log.healthState.set('unavailable');
    readiness.serving();
    expect(readiness.state).toBe('log-unavailable');
    log.healthState.set('ok');
    expect([readiness.state, readiness.ready]).toEqual(['ready', true]);
    log.healthState.set('failed');
    expect(readiness.state).toBe('log-failed');
    readiness.stopping();
    expect(readiness.state).toBe('stopping');
    readiness.serving();
    expect(readiness.state).toBe('stopping');
    expect(changes).toEqual([true, false]);
  });
});

describe('Readiness of a replica on a shared log', () => {
  it('follows the staleness of its view, not a database outage it shares with every replica; a failed log still takes it out', () => {
    const log = new MemoryTransactionLog();
    const listeners = new Set<(stale: boolean) => void>();
    const staleness = {
      stale: false,
      onChange: (listener: (stale: boolean) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const turn = (stale: boolean) => {
      staleness.stale = stale;
      listeners.forEach((listener) => listener(stale));
    };
    const readiness = new Readiness(log, staleness);
    const changes: boolean[] = [];
    readiness.onChange((ready) => changes.push(ready));
    readiness.serving();
    log.healthState.set('unavailable');
    expect(readiness.state).toBe('ready');
    turn(true);
    expect([readiness.state, readiness.ready]).toEqual(['stale', false]);
    turn(false);
    log.healthState.set('ok');
    expect(readiness.state).toBe('ready');
    log.healthState.set('failed');
    expect(readiness.state).toBe('log-failed');
    expect(changes).toEqual([true, false, true, false]);
  });
});

describe('probeRouter on the REST frontend', () => {
  const log = new MemoryTransactionLog();
  const readiness = new Readiness(log);
  // A middleware that refuses everything: the probes must answer before it runs.
  const refuseAll = (_req: Request, res: Response, _next: NextFunction): void => {
    res.status(401).end();
  };
  const frontend = new RestFrontend(
    new KeyValueStore(log),
    { host: '127.0.0.1', port: 0 },
    { probes: probeRouter(readiness), middleware: [refuseAll] },
  );
  let url: string;

  beforeAll(async () => {
    url = `http://127.0.0.1:${(await frontend.start()).port}`;
  });

  afterAll(() => frontend.stop());

  async function probe(path: string): Promise<[number, string]> {
    const res = await fetch(`${url}${path}`);
    return [res.status, await res.text()];
  }

  it('answers /livez and /healthz always, /readyz 503 until serving, and never passes probes to the middleware', async () => {
    expect(await probe('/livez')).toEqual([200, 'ok']);
    expect(await probe('/healthz')).toEqual([200, 'ok']);
    expect(await probe('/readyz')).toEqual([503, '{"status":"starting"}']);
    readiness.serving();
    expect(await probe('/readyz')).toEqual([200, '{"status":"ready"}']);
    expect(await probe('/READYZ/')).toEqual([200, '{"status":"ready"}']);
    expect((await probe('/v1/key/k'))[0]).toBe(401);
  });

  it('reports the log being unavailable or failed on /readyz, with no Retry-After', async () => {
    readiness.serving();
    log.healthState.set('unavailable');
    const res = await fetch(`${url}/readyz`);
    expect([res.status, await res.text(), res.headers.get('retry-after')]).toEqual([
      503,
      '{"status":"log-unavailable"}',
      null,
    ]);
    log.healthState.set('ok');
    expect(await probe('/readyz')).toEqual([200, '{"status":"ready"}']);
    expect(await probe('/livez')).toEqual([200, 'ok']);
  });
});

describe('grpc.health.v1 on the gRPC frontend', () => {
  it('follows readiness exactly: NOT_SERVING while the log cannot take writes, SERVING again after', async () => {
    const log = new MemoryTransactionLog();
    const readiness = new Readiness(log);
    const frontend = new GrpcFrontend(new KeyValueStore(log), { host: '127.0.0.1', port: 0 }, { readiness });
    const { port } = await frontend.start();
    const health = healthClient(`127.0.0.1:${port}`);
    try {
      expect(await statuses(health)).toEqual(['NOT_SERVING', 'NOT_SERVING']);
      readiness.serving();
      expect(await statuses(health)).toEqual(['SERVING', 'SERVING']);
      log.healthState.set('unavailable');
      expect(await statuses(health)).toEqual(['NOT_SERVING', 'NOT_SERVING']);
      log.healthState.set('ok');
      expect(await statuses(health)).toEqual(['SERVING', 'SERVING']);
      readiness.stopping();
      expect(await statuses(health)).toEqual(['NOT_SERVING', 'NOT_SERVING']);
    } finally {
      health.close();
      await frontend.stop();
    }
  });
});

type HealthClient = grpc.Client & {
  Check(
    request: { service: string },
    callback: (error: grpc.ServiceError | null, response: { status: string }) => void,
  ): void;
};

function healthClient(address: string): HealthClient {
  const definition = protoLoader.loadSync('health/v1/health.proto', {
    keepCase: true,
    enums: String,
    includeDirs: [path.resolve(healthProtoPath, '../../..')],
  });
  const Client = grpc.makeClientConstructor(
    definition['grpc.health.v1.Health'] as unknown as grpc.ServiceDefinition,
    'grpc.health.v1.Health',
  );
  return new Client(address, grpc.credentials.createInsecure()) as unknown as HealthClient;
}

async function statuses(client: HealthClient): Promise<string[]> {
  const check = (service: string): Promise<string> =>
    new Promise((resolve, reject) =>
      client.Check({ service }, (error, response) => (error ? reject(error) : resolve(response.status))),
    );
  return [await check(''), await check('KeyValue')];
}
