import { SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type {
  CompactionReport,
  Event,
  LiveState,
  LogHealth,
  LogHealthListener,
  Mutation,
  TransactionLogger,
} from '../../core';
import { KEY_ATTRIBUTE } from './trace-attributes';

/** The name spans of kvs's own code are recorded under. */
export const TRACER_NAME = 'kvs';

/**
 * A TransactionLogger decorator giving every append a span, `kvs.log.append`, under the
 * request's span, from the call until the write is durable. The batch it joined and the
 * batch's fdatasync or commit appear as its children (see tracingLogObserver).
 */
export class TracedTransactionLogger implements TransactionLogger {
  private readonly tracer: Tracer = trace.getTracer(TRACER_NAME);

  constructor(
    private readonly inner: TransactionLogger,
    private readonly traceKeys: boolean,
  ) {}

  readEvents(): AsyncIterable<readonly Event[]> {
    return this.inner.readEvents();
  }

  append(mutation: Mutation): Promise<Event> {
    return this.tracer.startActiveSpan('kvs.log.append', (span) => {
      span.setAttribute('kvs.operation', mutation.type);
      if (this.traceKeys) span.setAttribute(KEY_ATTRIBUTE, mutation.key);
      return this.inner.append(mutation).then(
        (event) => {
          span.setAttribute('kvs.log.sequence', event.sequence);
          span.end();
          return event;
        },
        (error: unknown) => {
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          span.end();
          throw error;
        },
      );
    });
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  health(): LogHealth {
    return this.inner.health();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.inner.onHealthChange(listener);
  }

  attachLiveState(live: LiveState): void {
    this.inner.attachLiveState(live);
  }

  compact(): Promise<CompactionReport> {
    return this.inner.compact();
  }
}
