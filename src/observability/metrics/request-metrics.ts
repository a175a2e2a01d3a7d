import type { RequestHandler } from 'express';
import { ResponderBuilder, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Counter, Histogram } from 'prom-client';
import { OperationTable } from '../../application/operations';
import type { FrontendLabel, KvsMetrics } from './kvs-metrics';

/** The label of requests that map to no operation (405s, unknown routes, refusals before routing). */
const OTHER = 'other';

/**
 * Counts and times requests. The label children are kept per label combination, so a request
 * allocates no label objects (prom-client still hashes the labels on each increment).
 */
class RequestRecorder {
  private readonly counters = new Map<string, Counter.Internal>();
  private readonly timers = new Map<string, Histogram.Internal<string>>();

  constructor(private readonly metrics: KvsMetrics) {}

  record(frontend: FrontendLabel, operation: string, code: string, seconds: number): void {
    const timerKey = `${frontend} ${operation}`;
    const counterKey = `${timerKey} ${code}`;
    let counter = this.counters.get(counterKey);
    if (!counter) {
      counter = this.metrics.requests.labels({ frontend, operation, code });
      this.counters.set(counterKey, counter);
    }
    let timer = this.timers.get(timerKey);
    if (!timer) {
      timer = this.metrics.requestSeconds.labels({ frontend, operation });
      this.timers.set(timerKey, timer);
    }
    counter.inc();
    timer.observe(seconds);
  }
}

/** Seconds since a performance.now() reading. */
function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}

/**
 * Express middleware counting and timing every request that reaches it, under its operation's
 * `metric` label in the table.
 */
export function restRequestMetrics(metrics: KvsMetrics, table = new OperationTable()): RequestHandler {
  const recorder = new RequestRecorder(metrics);
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once('finish', () => {
      // A request that matched no route has no req.route: `other`, whatever its method.
      const route = (req.route as { path?: string } | undefined)?.path;
      const operation = route === undefined ? OTHER : (table.byRestRoute(req.method, route)?.metric ?? OTHER);
      recorder.record('rest', operation, String(res.statusCode), secondsSince(startedAt));
    });
    next();
  };
}

/**
 * grpc-js interceptor counting and timing every call, the twin of {@link restRequestMetrics}.
 * Probes are not counted, like REST's, which are answered before the middleware.
 */
export function grpcRequestMetrics(metrics: KvsMetrics, table = new OperationTable()): ServerInterceptor {
  const recorder = new RequestRecorder(metrics);
  return (method, call) => {
    const row = table.byGrpcPath(method.path);
    if (row?.kind === 'probe') return new ServerInterceptingCall(call);
    const startedAt = performance.now();
    const operation = row?.metric ?? OTHER;
    const responder = new ResponderBuilder()
      .withSendStatus((outcome, next) => {
        recorder.record('grpc', operation, status[outcome.code] ?? String(outcome.code), secondsSince(startedAt));
        next(outcome);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
