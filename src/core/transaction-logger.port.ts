import type { Event, Mutation } from './events';
import type { LogHealth, LogHealthListener } from './log-health';

/**
 * The driven port: where the store makes its writes durable and reads them back at start-up.
 *
 * Contract every adapter keeps (test/contracts/transaction-logger.contract.ts checks it):
 * - `append` gives each mutation the next sequence number in call order and resolves only
 *   once the record is durable under the adapter's sync policy. Promises resolve in call
 *   order, so the store applies writes in log order.
 * - A rejected `append` means the mutation is not acknowledged; it rejects with
 *   LogUnavailableError or LogOverloadedError when the log cannot take writes, which means
 *   the mutation can no longer become durable. When the log cannot tell whether it will (a
 *   statement stalled past the write deadline), it rejects with OutcomeUnknownError, whose
 *   `outcome` says later whether it committed; the log takes no later append before that.
 * - `readEvents` yields every durable event in sequence order, once, before any append, in
 *   batches (a read chunk, a database page) so that replaying millions of events does not pay
 *   one asynchronous step per event. Empty batches are allowed.
 * - `close` waits for pending appends to settle, then releases the log's resources.
 * - `health()` says whether writes can succeed now; every change is reported to the
 *   `onHealthChange` listeners, so readiness probes and the composition root can follow it
 *   (`failed` is final: the process must restart to replay what the storage really holds).
 * - `compact` rewrites the history so that it holds the same state in less space; replay
 *   afterwards gives exactly the state before it, appends go on meanwhile, and later
 *   sequence numbers still increase. A log may also compact by itself once its history has
 *   grown (its thresholds). A snapshot's events carry the sequence the snapshot stands at.
 */
export interface TransactionLogger {
  /** Yields the log's events in sequence order, a batch at a time; called once, before the first append. */
  readEvents(): AsyncIterable<readonly Event[]>;
  /** Makes the mutation durable and resolves with the event as recorded. */
  append(mutation: Mutation): Promise<Event>;
  /** Settles pending appends and releases resources; later appends reject. */
  close(): Promise<void>;
  /** Whether the log can take writes right now. */
  health(): LogHealth;
  /** Calls `listener` on every health change; returns the function that stops it. */
  onHealthChange(listener: LogHealthListener): () => void;
  /**
   * Lends the log the store's live entries, once, after readEvents. The log only reads them,
   * at any later time and while they keep changing; a log that compacts by writing a snapshot
   * (the file log) takes it from here. Every entry reflects only acknowledged events, and each
   * event is reflected as soon as its append resolves (the store applies it right then), so a
   * snapshot taken once appends up to some sequence have resolved holds all of them.
   */
  attachLiveState(live: LiveState): void;
  /**
   * Compacts now, or joins the compaction already running (one at a time). Rejects with
   * LogUnavailableError if it fails; the history as it was stays in charge.
   */
  compact(): Promise<CompactionReport>;
}

/** The store's live entries as the log may read them: key to value, read-only. */
export type LiveState = ReadonlyMap<string, string>;

/** What one compaction did. */
export interface CompactionReport {
  /** Size of the history before, in bytes of the log's own storage. */
  readonly bytesBefore: number;
  /** Size of the history right after. */
  readonly bytesAfter: number;
  /** Size of the live data as the compaction wrote or kept it. */
  readonly liveBytes: number;
  /** Wall-clock duration in milliseconds. */
  readonly durationMs: number;
}
