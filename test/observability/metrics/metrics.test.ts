import { GrpcFrontend } from '../../../src/driving/grpc';
import {
  KvsMetrics,
  logMetricsObserver,
  metricsEndpoint,
  RequestMetricsObserver,
} from '../../../src/observability/metrics';
import { PolicyPipeline, type Policy } from '../../../src/application/pipeline';
import { LoadShedder, LoadSheddingPolicy } from '../../../src/application/policies/load-shedding';
import { silentLogger } from '../../../src/platform/logging/logger';
import { request as httpRequest } from 'node:http';
import { status as grpcStatus } from '@grpc/grpc-js';
import { openLogFile, type OpenLogFile } from '../../../src/driven/file-log/log-file-handle';
import { RestFrontend } from '../../../src/driving/rest';
import { KvsClient } from '../../../src/client/kvs-client';
import { KeyValueStore, type TransactionLog } from '../../../src/core';
import { TempLogDir } from '../../driven/file-log/temp-log-dir';
import { scrape } from '../../support/prometheus-text';

/**
 * Known traffic through both frontends over a real file log, then a scrape of /metrics read
 * with a Prometheus text-format parser: every count must be exactly what was sent.
 */
describe('metrics', () => {
  let dir: TempLogDir;
  let rest: RestFrontend;
  let grpc: GrpcFrontend;
  let client: KvsClient;
  let url: string;

  beforeEach(async () => {
    dir = await TempLogDir.create();
  });

  afterEach(async () => {
    client?.close();
    await grpc?.stop();
    await rest?.stop();
    await dir.dispose();
  });

  async function start(store: KeyValueStore, metrics: KvsMetrics, policies: Policy[] = []): Promise<void> {
    const pipeline = new PolicyPipeline(policies, [new RequestMetricsObserver(metrics)]);
    rest = new RestFrontend(
      store,
      { host: '127.0.0.1', port: 0 },
      { middleware: [metricsEndpoint(metrics)], pipeline },
    );
    grpc = new GrpcFrontend(store, { host: '127.0.0.1', port: 0 }, { pipeline });
    url = `http://127.0.0.1:${(await rest.start()).port}`;
    client = new KvsClient(`127.0.0.1:${(await grpc.start()).port}`, { timeoutMs: 10_000 });
  }

  it('counts requests by frontend, operation and code, and reports the log and the store', async () => {
    const stores: KeyValueStore[] = [];
    // The gauge reads the store, which needs the log, which reports to the metrics: a late binding.
    const logs: TransactionLog[] = [];
    const metrics = new KvsMetrics({ liveKeys: () => stores[0]?.size ?? 0, logHealth: () => logs[0].health() });
    const log = dir.open({ sync: 'always', observer: logMetricsObserver(metrics) });
    logs.push(log);
    const store = new KeyValueStore(log);
    stores.push(store);
    const { events } = await store.restore();
    metrics.replayed(events, 0.25);
    await start(store, metrics);

    // REST: 3 puts (one batch each: they are sequential), 2 hits, 1 miss, 1 delete, 1 bad method.
    for (const key of ['a', 'b', 'c']) await fetch(`${url}/v1/key/${key}`, { method: 'PUT', body: 'value' });
    for (const key of ['a', 'b', 'nope']) await fetch(`${url}/v1/key/${key}`);
    await fetch(`${url}/v1/key/c`, { method: 'DELETE' });
    await fetch(`${url}/v1/key/a`, { method: 'POST' });
    // gRPC: 2 puts, 1 hit, 1 miss.
    await client.put('d', 'value');
    await client.put('e', 'value');
    await client.get('d');
    await client.get('nope').catch(() => undefined);

    const metricsText = await scrape(`${url}/metrics`);
    const requests = (frontend: string, operation: string, code: string): number =>
      metricsText.value('kvs_requests_total', { frontend, operation, code });
    expect(requests('rest', 'put', '201')).toBe(3);
    expect(requests('rest', 'get', '200')).toBe(2);
    expect(requests('rest', 'get', '404')).toBe(1);
    expect(requests('rest', 'delete', '200')).toBe(1);
    expect(requests('rest', 'other', '405')).toBe(1);
    expect(requests('grpc', 'put', 'OK')).toBe(2);
    expect(requests('grpc', 'get', 'OK')).toBe(1);
    expect(requests('grpc', 'get', 'NOT_FOUND')).toBe(1);
    // Nothing else was counted: in particular the scrape itself is not a request.
    const total = metricsText.family('kvs_requests_total').metrics.reduce((sum, s) => sum + Number(s.value), 0);
    expect(total).toBe(12);

    expect(metricsText.count('kvs_request_duration_seconds', { frontend: 'rest', operation: 'get' })).toBe(3);
    expect(metricsText.count('kvs_request_duration_seconds', { frontend: 'grpc', operation: 'put' })).toBe(2);
    expect(metricsText.value('kvs_keys')).toBe(4);

    // 6 writes, each alone in its batch and its fdatasync (sequential clients).
    expect(metricsText.sum('kvs_log_append_batch_records')).toBe(6);
    expect(metricsText.count('kvs_log_append_batch_records')).toBe(6);
    expect(metricsText.count('kvs_log_sync_duration_seconds', { outcome: 'ok' })).toBe(log.syncCount);
    expect(metricsText.count('kvs_log_sync_duration_seconds', { outcome: 'ok' })).toBeGreaterThanOrEqual(6);
    expect(metricsText.value('kvs_log_size_bytes')).toBeGreaterThan(metricsText.sum('kvs_log_append_batch_bytes'));
    expect(metricsText.value('kvs_log_pending_writes')).toBe(0);
    expect(metricsText.value('kvs_log_state', { state: 'ok' })).toBe(1);
    expect(metricsText.value('kvs_log_state', { state: 'failed' })).toBe(0);
    expect(metricsText.value('kvs_log_replay_duration_seconds')).toBe(0.25);
    // Node's default metrics come along.
    expect(metricsText.family('kvs_request_duration_seconds').type).toBe('HISTOGRAM');
    expect(metricsText.family('process_cpu_user_seconds_total').type).toBe('COUNTER');
    expect(metricsText.family('nodejs_eventloop_lag_seconds').type).toBe('GAUGE');
  });

  it('counts exactly after N requests, with a scrape mid-way (requests are counted locally and handed over at scrape)', async () => {
    const metrics = new KvsMetrics({ liveKeys: () => 0, logHealth: () => 'ok' });
    const store = new KeyValueStore(dir.open({ sync: 'never' }));
    await store.restore();
    await start(store, metrics);
    const burst = async (gets: number): Promise<void> => {
      // Concurrent, so that requests end while others are in flight.
      await Promise.all(Array.from({ length: gets }, (_, i) => fetch(`${url}/v1/key/k${i % 3}`).then((r) => r.text())));
    };
    await fetch(`${url}/v1/key/k0`, { method: 'PUT', body: 'v' });
    await burst(60);
    const first = await scrape(`${url}/metrics`);
    expect(first.value('kvs_requests_total', { frontend: 'rest', operation: 'get', code: '200' })).toBe(20);
    expect(first.value('kvs_requests_total', { frontend: 'rest', operation: 'get', code: '404' })).toBe(40);
    expect(first.count('kvs_request_duration_seconds', { frontend: 'rest', operation: 'get' })).toBe(60);

    await burst(90);
    await client.put('g', 'v');
    const second = await scrape(`${url}/metrics`);
    expect(second.value('kvs_requests_total', { frontend: 'rest', operation: 'get', code: '200' })).toBe(50);
    expect(second.value('kvs_requests_total', { frontend: 'rest', operation: 'get', code: '404' })).toBe(100);
    expect(second.value('kvs_requests_total', { frontend: 'rest', operation: 'put', code: '201' })).toBe(1);
    expect(second.value('kvs_requests_total', { frontend: 'grpc', operation: 'put', code: 'OK' })).toBe(1);
    const get = { frontend: 'rest', operation: 'get' };
    expect(second.count('kvs_request_duration_seconds', get)).toBe(150);
    expect(second.value('kvs_request_duration_seconds_bucket', { ...get, le: '+Inf' })).toBe(150);
    expect(second.value('kvs_request_duration_seconds_bucket', { ...get, le: '5' })).toBe(150);
    expect(second.sum('kvs_request_duration_seconds', get)).toBeGreaterThan(
      first.sum('kvs_request_duration_seconds', get),
    );
  });

  it('counts shed requests under their operation, not other', async () => {
    const metrics = new KvsMetrics({ liveKeys: () => 0, logHealth: () => 'ok' });
    const store = new KeyValueStore(dir.open({ sync: 'never' }));
    await store.restore();
    const shedder = new LoadShedder({ maxInFlight: 1, maxEventLoopLagMs: 0 }, silentLogger);
    await start(store, metrics, [new LoadSheddingPolicy(shedder)]);
    // A PUT whose body never comes holds the one slot (admission happens before the body is read).
    const held = httpRequest(`${url}/v1/key/held`, { method: 'PUT', headers: { 'content-length': '10' } });
    held.on('error', () => undefined);
    held.flushHeaders();
    let shed = 0;
    let answered = 0;
    while (shed === 0) {
      const status = (await fetch(`${url}/v1/key/a`)).status;
      if (status === 503) shed += 1;
      else answered += 1;
    }
    const grpcShed = await client.get('a').catch((error: { status?: number }) => error.status);
    expect(grpcShed).toBe(grpcStatus.UNAVAILABLE);
    held.destroy();

    const metricsText = await scrape(`${url}/metrics`);
    expect(metricsText.value('kvs_requests_total', { frontend: 'rest', operation: 'get', code: '503' })).toBe(shed);
    expect(metricsText.value('kvs_requests_total', { frontend: 'rest', operation: 'get', code: '404' })).toBe(answered);
    expect(metricsText.value('kvs_requests_total', { frontend: 'grpc', operation: 'get', code: 'UNAVAILABLE' })).toBe(
      1,
    );
    expect(metricsText.value('kvs_requests_total', { operation: 'other', code: '503' })).toBe(0);
    expect(metricsText.count('kvs_request_duration_seconds', { frontend: 'rest', operation: 'get' })).toBe(
      shed + answered,
    );
  });

  it('reports a failed file log', async () => {
    const logs: TransactionLog[] = [];
    const metrics = new KvsMetrics({ liveKeys: () => 0, logHealth: () => logs[0].health() });
    let broken = false;
    // Real file handles whose fdatasync fails with EIO once `broken` is set, as a dying disk's would.
    const openFailingFile: OpenLogFile = async (filename) => {
      const real = await openLogFile(filename);
      return {
        ...real,
        read: (...args) => real.read(...args),
        writev: (buffers) => real.writev(buffers),
        truncate: (length) => real.truncate(length),
        stat: () => real.stat(),
        close: () => real.close(),
        datasync: () =>
          broken ? Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })) : real.datasync(),
      };
    };
    const log = dir.open({ sync: 'always', observer: logMetricsObserver(metrics) }, openFailingFile);
    logs.push(log);
    const store = new KeyValueStore(log);
    await store.restore();
    await start(store, metrics);
    broken = true;
    expect((await fetch(`${url}/v1/key/k`, { method: 'PUT', body: 'v' })).status).toBe(503);

    const metricsText = await scrape(`${url}/metrics`);
    expect(metricsText.value('kvs_log_state', { state: 'failed' })).toBe(1);
    expect(metricsText.value('kvs_log_state', { state: 'ok' })).toBe(0);
    expect(metricsText.count('kvs_log_sync_duration_seconds', { outcome: 'error' })).toBe(1);
    expect(metricsText.value('kvs_requests_total', { frontend: 'rest', operation: 'put', code: '503' })).toBe(1);
  });

  it('counts compactions by trigger and outcome, with their sizes', async () => {
    const metrics = new KvsMetrics({ liveKeys: () => 0, logHealth: () => 'ok' });
    const log = dir.open({ sync: 'never', observer: logMetricsObserver(metrics) });
    const store = new KeyValueStore(log);
    await store.restore();
    await start(store, metrics);
    for (let i = 0; i < 50; i++) await store.put(`k${i % 5}`, `value ${i}`);
    const report = await store.compact();

    const metricsText = await scrape(`${url}/metrics`);
    expect(metricsText.value('kvs_log_compactions_total', { trigger: 'on-demand', outcome: 'succeeded' })).toBe(1);
    expect(metricsText.count('kvs_log_compaction_duration_seconds')).toBe(1);
    expect(metricsText.value('kvs_log_compaction_before_bytes')).toBe(report.bytesBefore);
    expect(metricsText.value('kvs_log_compaction_after_bytes')).toBe(report.bytesAfter);
    expect(metricsText.value('kvs_log_live_bytes')).toBe(report.liveBytes);
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore);
  });
});
