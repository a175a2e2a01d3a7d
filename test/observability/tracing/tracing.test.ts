import { context, trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import type { RequestHandler } from 'express';
import { RestFrontend } from '../../../src/driving/rest';
import { SpanRouteObserver, TracedTransactionLog, tracingLogObserver } from '../../../src/observability/tracing';
import { PolicyPipeline } from '../../../src/application/pipeline';
import { KeyValueStore } from '../../../src/core';
import { TempLogDir } from '../../driven/file-log/temp-log-dir';

/**
 * kvs's own spans, recorded by a real tracer provider into an in-memory exporter: the append,
 * its batch and the batch's fdatasync, under the request's span; keys only when asked for.
 */
describe('tracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let dir: TempLogDir;

  beforeAll(() => provider.register());
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });
  beforeEach(async () => {
    exporter.reset();
    dir = await TempLogDir.create();
  });
  afterEach(() => dir.dispose());

  async function tracedStore(traceKeys: boolean): Promise<KeyValueStore> {
    const log = dir.open({ sync: 'always', observer: tracingLogObserver() });
    const store = new KeyValueStore(new TracedTransactionLog(log, traceKeys));
    await store.restore();
    return store;
  }

  /** Runs `work` inside a span standing for the request's server span; resolves with that span. */
  async function inRequestSpan(work: () => Promise<unknown>): Promise<Span> {
    const tracer = trace.getTracer('test');
    return tracer.startActiveSpan('request', async (span) => {
      await work();
      span.end();
      return span;
    });
  }

  function spanNamed(name: string, spans: ReadableSpan[] = exporter.getFinishedSpans()): ReadableSpan {
    const found = spans.find((span) => span.name === name);
    if (!found) throw new Error(`no span ${name} among ${spans.map((span) => span.name).join(', ')}`);
    return found;
  }

  it('records append, batch (records, bytes) and sync spans under the request, without the key by default', async () => {
    const store = await tracedStore(false);
    const request = await inRequestSpan(() => store.put('secret-key', 'secret-value'));

    const append = spanNamed('kvs.log.append');
    const batch = spanNamed('kvs.log.batch');
    const sync = spanNamed('kvs.log.sync');
    expect(append.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    expect(batch.parentSpanContext?.spanId).toBe(append.spanContext().spanId);
    expect(sync.parentSpanContext?.spanId).toBe(batch.spanContext().spanId);
    for (const span of [append, batch, sync]) expect(span.spanContext().traceId).toBe(request.spanContext().traceId);
    expect(append.attributes).toEqual({ 'kvs.operation': 'put', 'kvs.log.revision': 1 });
    expect(batch.attributes['kvs.log.batch.records']).toBe(1);
    expect(batch.attributes['kvs.log.batch.bytes']).toBeGreaterThan('secret-keysecret-value'.length);
    const everything = JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes));
    expect(everything).not.toContain('secret-key');
    expect(everything).not.toContain('secret-value');
  });

  it('puts the key, never the value, on the append span with KVS_TRACE_KEYS', async () => {
    const store = await tracedStore(true);
    await inRequestSpan(() => store.put('visible-key', 'hidden-value'));
    expect(spanNamed('kvs.log.append').attributes['kvs.key']).toBe('visible-key');
    expect(JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes))).not.toContain('hidden-value');
  });

  it('names the REST server span after the route template and sets http.route', async () => {
    const store = await tracedStore(true);
    // Stands in for the http instrumentation: the request runs inside a server span.
    const serverSpan: RequestHandler = (_req, res, next) => {
      const span = trace.getTracer('test').startSpan('GET');
      res.once('close', () => span.end());
      context.with(trace.setSpan(context.active(), span), next);
    };
    const frontend = new RestFrontend(
      store,
      { host: '127.0.0.1', port: 0 },
      { middleware: [serverSpan], pipeline: new PolicyPipeline([], [new SpanRouteObserver(true)]) },
    );
    const { port } = await frontend.start();
    try {
      expect((await fetch(`http://127.0.0.1:${port}/v1/key/a%20key`)).status).toBe(404);
    } finally {
      await frontend.stop();
    }
    const server = spanNamed('GET /v1/key/:key');
    expect(server.attributes).toMatchObject({ 'http.route': '/v1/key/:key', 'kvs.key': 'a key' });
  });

  it('replaces the raw URL path, which holds the key, by the route template unless keys are traced', async () => {
    const store = await tracedStore(false);
    const serverSpan: RequestHandler = (req, res, next) => {
      const span = trace.getTracer('test').startSpan('GET', { attributes: { 'url.path': req.path } });
      res.once('close', () => span.end());
      context.with(trace.setSpan(context.active(), span), next);
    };
    const frontend = new RestFrontend(
      store,
      { host: '127.0.0.1', port: 0 },
      { middleware: [serverSpan], pipeline: new PolicyPipeline([], [new SpanRouteObserver(false)]) },
    );
    const { port } = await frontend.start();
    try {
      await fetch(`http://127.0.0.1:${port}/v1/key/private`);
      await fetch(`http://127.0.0.1:${port}/elsewhere/private`);
    } finally {
      await frontend.stop();
    }
    const paths = exporter.getFinishedSpans().map((span) => span.attributes['url.path']);
    expect(paths).toEqual(['/v1/key/:key', '(unmatched)']);
  });
});
