import type { RequestHandler } from 'express';
import { ResponderBuilder, ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import type { Counter, Histogram } from 'prom-client';
import type { FrontendLabel, KvsMetrics } from './kvs-metrics';

/** The operations requests are counted under; anything else (405s, unknown routes, reflection) is `other`. */
type Operation = 'get' | 'put' | 'delete' | 'other';

const REST_OPERATIONS: Readonly<Record<string, Operation>> = { GET: 'get', HEAD: 'get', PUT: 'put', DELETE: 'delete' };
const GRPC_OPERATIONS: Readonly<Record<string, Operation>> = {
  '/KeyValue/Get': 'get',
  '/KeyValue/Put': 'put',
  '/KeyValue/Delete': 'delete',
};
/** Health checks are not counted as requests, like REST's /healthz which sits before the middleware. */
const UNCOUNTED_SERVICE_PREFIX = '/grpc.health.v1.';

/**
 * Counts and times requests. The label children are kept per label combination, so a request
 * allocates no label objects (prom-client still hashes the labels on each increment).
 */
class RequestRecorder {
  private readonly counters = new Map<string, Counter.Internal>();
  private readonly timers = new Map<string, Histogram.Internal<string>>();

  constructor(private readonly metrics: KvsMetrics) {}

  record(frontend: FrontendLabel, operation: Operation, code: string, seconds: number): void {
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

/** Express middleware counting and timing every request that reaches it. */
export function restRequestMetrics(metrics: KvsMetrics): RequestHandler {
  const recorder = new RequestRecorder(metrics);
  return (req, res, next) => {
    const startedAt = performance.now();
    res.once('finish', () => {
      // A request that matched no route has no req.route: `other`, whatever its method.
      const operation = req.route ? (REST_OPERATIONS[req.method] ?? 'other') : 'other';
      recorder.record('rest', operation, String(res.statusCode), secondsSince(startedAt));
    });
    next();
  };
}

/** grpc-js interceptor counting and timing every call, the twin of {@link restRequestMetrics}. */
export function grpcRequestMetrics(metrics: KvsMetrics): ServerInterceptor {
  const recorder = new RequestRecorder(metrics);
  return (method, call) => {
    if (method.path.startsWith(UNCOUNTED_SERVICE_PREFIX)) return new ServerInterceptingCall(call);
    const startedAt = performance.now();
    const operation = GRPC_OPERATIONS[method.path] ?? 'other';
    const responder = new ResponderBuilder()
      .withSendStatus((outcome, next) => {
        recorder.record('grpc', operation, status[outcome.code] ?? String(outcome.code), secondsSince(startedAt));
        next(outcome);
      })
      .build();
    return new ServerInterceptingCall(call, responder);
  };
}
