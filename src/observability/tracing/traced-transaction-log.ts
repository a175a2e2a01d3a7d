import { SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type {
  CompactionReport,
  LiveState,
  LogHealth,
  LogHealthListener,
  LogRecord,
  ReplayedRecord,
  TransactionLog,
} from '../../core';
import { KEY_ATTRIBUTE } from './trace-attributes';

/** The name spans of kvs's own code are recorded under. */
export const TRACER_NAME = 'kvs';

/**
 * A TransactionLog decorator giving every append a span, `kvs.log.append`, under the
 * request's span, from the call until the write is durable. The batch it joined and the
 * batch's fdatasync or commit appear as its children (see tracingLogObserver).
 */
export class TracedTransactionLog implements TransactionLog {
  private readonly tracer: Tracer = trace.getTracer(TRACER_NAME);
  /** A shared log's, passed through (absent when the inner log has none). */
  readonly follow?: TransactionLog['follow'];
  readonly confirmHead?: TransactionLog['confirmHead'];
  readonly clock?: TransactionLog['clock'];
  readonly onHeadConfirmed?: TransactionLog['onHeadConfirmed'];

  constructor(
    private readonly inner: TransactionLog,
    private readonly traceKeys: boolean,
  ) {
    if (inner.follow) this.follow = (follower) => inner.follow?.(follower);
    if (inner.confirmHead) this.confirmHead = () => inner.confirmHead!();
    this.clock = inner.clock;
    if (inner.onHeadConfirmed) this.onHeadConfirmed = (listener) => inner.onHeadConfirmed!(listener);
  }

  readEvents(historyBytes?: number): AsyncIterable<readonly ReplayedRecord[]> {
    return this.inner.readEvents(historyBytes);
  }

  append(record: LogRecord): Promise<void> {
    return this.tracer.startActiveSpan('kvs.log.append', (span) => {
      const [only] = record.writes;
      // A record of several writes (a transaction, a delete of a range) is named for what it is.
      span.setAttribute('kvs.operation', record.writes.length === 1 ? only.type : 'txn');
      if (this.traceKeys && record.writes.length === 1) span.setAttribute(KEY_ATTRIBUTE, only.key);
      span.setAttribute('kvs.log.revision', record.revision);
      return this.inner.append(record).then(
        () => {
          span.end();
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
