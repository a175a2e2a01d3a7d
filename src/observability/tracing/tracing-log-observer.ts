import { context, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { TransactionLogObserver } from '../../driven/log-observer.port';
import { TRACER_NAME } from './traced-transaction-log';

/**
 * A transaction log observer recording each batch as a span, `kvs.log.batch` (attributes:
 * records, bytes), with its durability step as a child, `kvs.log.sync` (fdatasync or COMMIT).
 * A batch is written in the async context of the append that started the writer, so its spans
 * hang under that request's `kvs.log.append`; the other appends of the batch share its work.
 */
export function tracingLogObserver(): TransactionLogObserver {
  const tracer = trace.getTracer(TRACER_NAME);
  let batch: Span | undefined;
  return {
    batchStarted(records, bytes) {
      batch?.end();
      batch = tracer.startSpan('kvs.log.batch', {
        attributes: { 'kvs.log.batch.records': records, 'kvs.log.batch.bytes': bytes },
      });
    },
    durabilityWaited(seconds, succeeded) {
      const now = performance.timeOrigin + performance.now();
      const parent = batch ? trace.setSpan(context.active(), batch) : context.active();
      const sync = tracer.startSpan('kvs.log.sync', { startTime: now - seconds * 1000 }, parent);
      if (!succeeded) sync.setStatus({ code: SpanStatusCode.ERROR });
      sync.end(now);
    },
    batchFinished(succeeded) {
      if (!batch) return;
      if (!succeeded) batch.setStatus({ code: SpanStatusCode.ERROR });
      batch.end();
      batch = undefined;
    },
  };
}
