import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { attribute, OtlpReceiver, type OtlpSpan } from '../support/otlp-receiver';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';
import { TestPostgres } from '../support/test-postgres';

const SERVER_KIND = 2; // OTLP SpanKind SPAN_KIND_SERVER

/** A W3C traceparent with fresh ids, sampled. */
function newTraceparent(): { header: string; traceId: string; spanId: string } {
  const traceId = randomBytes(16).toString('hex');
  const spanId = randomBytes(8).toString('hex');
  return { header: `00-${traceId}-${spanId}-01`, traceId, spanId };
}

function named(spans: OtlpSpan[], name: string): OtlpSpan {
  const found = spans.find((span) => span.name === name);
  if (!found) throw new Error(`no span ${name}`);
  return found;
}

/**
 * The service exporting spans over OTLP/HTTP (http/json) to a receiver the test runs: a trace
 * started by the caller (traceparent) continues in the service, down to the log's fdatasync.
 */
describe('tracing over OTLP', () => {
  let dir: string;
  let receiver: OtlpReceiver;
  let service: ServiceProcess | undefined;
  let client: grpc.Client | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-tracing-'));
    receiver = await OtlpReceiver.start();
  });

  afterEach(async () => {
    client?.close();
    service?.process.kill('SIGKILL');
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('continues the caller’s trace for REST and gRPC requests and exports it', async () => {
    service = await startService({
      TLOG_FILENAME: join(dir, 'tx.log'),
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      KVS_REQUEST_LOG: 'true',
    });

    const rest = newTraceparent();
    const put = await fetch(`${service.restUrl}/v1/key/traced-key`, {
      method: 'PUT',
      body: 'traced-value',
      headers: { traceparent: rest.header },
    });
    expect(put.status).toBe(201);
    const restSpans = await receiver.trace(rest.traceId, (spans) =>
      ['PUT /v1/key/:key', 'kvs.log.append', 'kvs.log.batch', 'kvs.log.sync'].every((name) =>
        spans.some((span) => span.name === name),
      ),
    );
    const server = named(restSpans, 'PUT /v1/key/:key');
    expect(server.kind).toBe(SERVER_KIND);
    expect(server.parentSpanId).toBe(rest.spanId);
    expect(attribute(server, 'http.route')).toBe('/v1/key/:key');
    expect(named(restSpans, 'kvs.log.append').parentSpanId).toBe(server.spanId);
    expect(attribute(named(restSpans, 'kvs.log.batch'), 'kvs.log.batch.records')).toEqual(expect.anything());

    // A request cut off before its route runs, and one with a query: neither the raw path nor
    // the query reach the span.
    const aborted = newTraceparent();
    const port = Number(new URL(service.restUrl!).port);
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          `PUT /v1/key/aborted-key HTTP/1.1\r\nHost: x\r\ntraceparent: ${aborted.header}\r\nContent-Length: 100\r\n\r\npart`,
          () => setTimeout(() => socket.destroy(), 100),
        );
      });
      socket.on('close', () => resolve());
    });
    const queried = newTraceparent();
    await (
      await fetch(`${service.restUrl}/v1/key/q?query-secret=1`, { headers: { traceparent: queried.header } })
    ).arrayBuffer();
    const [abortedSpan] = await receiver.trace(aborted.traceId, (spans) => spans.length > 0);
    const [queriedSpan] = await receiver.trace(queried.traceId, (spans) => spans.length > 0);
    expect(attribute(abortedSpan, 'url.path')).toMatch(/^(\/v1\/key\/:key|\(unmatched\))$/);
    expect([attribute(queriedSpan, 'url.path'), attribute(queriedSpan, 'url.query')]).toEqual([
      '/v1/key/:key',
      '(redacted)',
    ]);

    const call = newTraceparent();
    client = new grpc.Client(service.grpcAddress!, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set('traceparent', call.header);
    const request = Buffer.concat([
      Buffer.from([0x0a, 4]),
      Buffer.from('gkey'),
      Buffer.from([0x12, 4]),
      Buffer.from('gval'),
    ]);
    await new Promise<void>((resolve, reject) =>
      client!.makeUnaryRequest(
        '/KeyValue/Put',
        (b: Buffer) => b,
        (b: Buffer) => b,
        request,
        metadata,
        (error) => (error ? reject(error) : resolve()),
      ),
    );
    const grpcSpans = await receiver.trace(
      call.traceId,
      (spans) =>
        spans.some((span) => span.name === 'grpc.KeyValue/Put') && spans.some((span) => span.name === 'kvs.log.append'),
    );
    const grpcServer = named(grpcSpans, 'grpc.KeyValue/Put');
    expect(grpcServer.kind).toBe(SERVER_KIND);
    expect(grpcServer.parentSpanId).toBe(call.spanId);

    // The request log names the trace; keys (KVS_TRACE_KEYS unset) and values are never exported.
    const lines = logRecords(service.output()).filter((record) => record.event === 'request');
    expect(lines.map((line) => line.traceId)).toEqual(expect.arrayContaining([rest.traceId, call.traceId]));
    const exported = receiver.bodies.join('\n');
    for (const secret of ['traced-key', 'traced-value', 'gkey', 'gval', 'aborted-key', 'query-secret'])
      expect(exported).not.toContain(secret);
    expect([...receiver.serviceNames]).toEqual(['kvs']);
  });
});

describe('tracing switched off', () => {
  /** Whether loading the service's tracing preload, under `env`, loads the OpenTelemetry SDK. */
  function sdkLoaded(env: Record<string, string>): boolean {
    const preload = resolve(__dirname, '../../dist/observability/tracing/preload.js');
    const script = `require(${JSON.stringify(preload)});
      process.stdout.write(String(Object.keys(require.cache).some((file) => file.includes('sdk-node'))));`;
    const output = execFileSync(process.execPath, ['-e', script], { env: { PATH: process.env.PATH, ...env } });
    return output.toString() === 'true';
  }

  it('never loads the SDK unless OTEL_TRACES_EXPORTER asks for an exporter', () => {
    expect(sdkLoaded({})).toBe(false);
    expect(sdkLoaded({ OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(sdkLoaded({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
  });
});

describe('tracing on the Postgres log', () => {
  let postgres: TestPostgres;
  let receiver: OtlpReceiver;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    postgres = await TestPostgres.start();
  });
  beforeEach(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterEach(async () => {
    service?.process.kill('SIGKILL');
    await receiver.close();
  });
  afterAll(async () => {
    await postgres?.close();
  });

  it('records the INSERT as a pg client span inside the write’s trace', async () => {
    service = await startService({
      ...postgres.logEnv(),
      FRONTEND_TYPE: 'rest',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    const caller = newTraceparent();
    const put = await fetch(`${service.restUrl}/v1/key/pg-key`, {
      method: 'PUT',
      body: 'pg-value',
      headers: { traceparent: caller.header },
    });
    expect(put.status).toBe(201);
    const spans = await receiver.trace(caller.traceId, (found) =>
      found.some(
        (span) => attribute(span, 'db.system') === 'postgresql' || attribute(span, 'db.system.name') === 'postgresql',
      ),
    );
    const query = spans.find(
      (span) => attribute(span, 'db.system') === 'postgresql' || attribute(span, 'db.system.name') === 'postgresql',
    )!;
    expect(query.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(named(spans, 'kvs.log.append')).toBeDefined();
    for (const secret of ['pg-key', 'pg-value']) expect(receiver.bodies.join('\n')).not.toContain(secret);
  });
});
