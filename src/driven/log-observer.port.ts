import type { CompactionObserver } from './compaction/compaction-runner';

/**
 * Hooks a transaction log adapter calls so the composition root can measure it (metrics, trace
 * spans) without the adapter knowing how: plain callbacks, no metrics library. Every hook is
 * optional. They run on the write path, once per batch rather than per write, and must be
 * cheap and never throw.
 */
export interface TransactionLogObserver extends CompactionObserver {
  /** A batch of `records` records, `bytes` long, is about to be written (one writev, one INSERT). */
  batchStarted?(records: number, bytes: number): void;
  /** The batch's durability step, an fdatasync or the INSERT's commit, took `seconds`. */
  durabilityWaited?(seconds: number, succeeded: boolean): void;
  /** The batch's appends are settled: acknowledged, or rejected when `succeeded` is false. */
  batchFinished?(succeeded: boolean): void;
  /** Writes now waiting for the log, queued plus in flight. */
  pendingWrites?(count: number): void;
  /** The log's size in bytes (file log: after each batch). */
  sizeBytes?(bytes: number): void;
}

/** Observes nothing: the default for adapters built without one. */
export const noLogObserver: TransactionLogObserver = {};

/** One observer telling each of `observers` in turn (metrics and tracing both watch the log). */
export function combineLogObservers(...observers: TransactionLogObserver[]): TransactionLogObserver {
  const present = observers.filter((observer) => observer !== noLogObserver);
  if (present.length <= 1) return present[0] ?? noLogObserver;
  const hook = <Name extends keyof TransactionLogObserver>(name: Name) => {
    const hooks = present.flatMap((observer) => (observer[name] ? [observer[name].bind(observer)] : []));
    return ((...args: unknown[]) => {
      for (const each of hooks) (each as (...values: unknown[]) => void)(...args);
    }) as TransactionLogObserver[Name];
  };
  return {
    batchStarted: hook('batchStarted'),
    durabilityWaited: hook('durabilityWaited'),
    batchFinished: hook('batchFinished'),
    pendingWrites: hook('pendingWrites'),
    sizeBytes: hook('sizeBytes'),
    compactionFinished: hook('compactionFinished'),
  };
}
