import type { LogRecord, ReplayedRecord } from './events';
import type { KeyEntry } from './ordered-index';
import type { LeaseGrant } from './lease-table';
import type { LogHealth, LogHealthListener } from './log-health';
import type { Clock } from './clock';

/**
 * The driven port: where the store makes its writes durable and reads them back at start-up.
 *
 * Contract every adapter keeps (test/contracts/transaction-log.contract.ts checks it):
 * - The store gives every record its revision (see KeyValueStore) and calls `append` in
 *   revision order; `append` resolves only once the whole record is durable under the
 *   adapter's sync policy, and promises resolve in call order, so the store applies records
 *   in log order. A record is durable all or nothing: replay never gives part of one.
 *   A record whose revision does not exceed the last durable one is a caller's bug (it would
 *   replay out of order, or shadow an acknowledged write): rejected, nothing written
 *   ({@link revisionNotAfter}).
 * - A rejected `append` means the record is not acknowledged; it rejects with
 *   LogUnavailableError or LogOverloadedError when the log cannot take it (nothing changed:
 *   the store gives its revision to the next write), or OutcomeUnknownError when the log
 *   cannot tell (a statement stalled past the write deadline; the revision is never given
 *   again): its `outcome` says later whether the record committed, and the log settles it
 *   before it takes any later append. Appends pending behind a refused
 *   one may still succeed (the PostgreSQL log retries the next batch): replay then has a gap
 *   in revisions, which it accepts.
 * - `readEvents` yields every durable record in revision order, once, before any append, in
 *   batches (a read chunk, a database page) so that replaying millions of records does not
 *   pay one asynchronous step per record. Empty batches are allowed. Replay gives back every
 *   record exactly as appended: revision, keys, values, createRevision and version.
 *   Records that restate compacted state (`base: true`) come first; every record after them
 *   is whole, as appended, so the watch history may be seeded from those. A record may also
 *   carry the optional hint `changeBytesAfter` (the file log gives it): never more than the
 *   history counts for the key writes after it, which spares the store building changes the
 *   bounded history would drop again at once.
 * - `close` waits for pending appends to settle, then releases the log's resources.
 * - `health()` says whether writes can succeed now; every change is reported to the
 *   `onHealthChange` listeners, so readiness probes and the composition root can follow it
 *   (`failed` is final: the process must restart to replay what the storage really holds).
 * - `compact` rewrites the history so that it holds the same state in less space; appends go
 *   on meanwhile. Replay afterwards gives the same state, with the same revisions: a live key
 *   comes back as the record of its last write (its createRevision, version and value, at its
 *   mod_revision; such records may come in any order), and the history still ends at the
 *   revision it had (an empty record `{revision, writes: []}` may say so). Every record the
 *   compaction rewrote replays marked `base: true`; the records appended after it do not. A
 *   log may also compact by itself once its history has grown (its thresholds).
 */
export interface TransactionLog {
  /**
   * Yields the log's records in revision order, a batch at a time; called once, before the
   * first append. `historyBytes`, when given, is the watch history's budget the replay seeds
   * (ReplayObserver.keepsBytes): a log need give ReplayedRecord.changeBytesAfter only where it
   * exceeds that, and none at all without it.
   */
  readEvents(historyBytes?: number): AsyncIterable<readonly ReplayedRecord[]>;
  /** Makes the record durable; resolves once it is. */
  append(record: LogRecord): Promise<void>;
  /** Settles pending appends and releases resources; later appends reject. */
  close(): Promise<void>;
  /** Whether the log can take writes right now. */
  health(): LogHealth;
  /** Calls `listener` on every health change; returns the function that stops it. */
  onHealthChange(listener: LogHealthListener): () => void;
  /**
   * Lends the log the store's live entries, once, after readEvents; a log that compacts by
   * writing a snapshot (the file log) takes it from here. Every entry reflects only
   * acknowledged records, and each record is reflected as soon as its append resolves (the
   * store applies it right then), so a view taken once appends up to some revision have
   * resolved holds all of them.
   */
  attachLiveState(live: LiveState): void;
  /**
   * Compacts now, or joins the compaction already running (one at a time). Rejects with
   * LogUnavailableError if it fails; the history as it was stays in charge.
   */
  compact(): Promise<CompactionReport>;
  /**
   * Only a log other writers share (the PostgreSQL log with KVS_REPLICAS=shared) has it. The
   * store calls it once, after readEvents; the log then hands `follower` the records other
   * writers commit, in revision order, or the whole state when the store's position was
   * compacted away. Before it rejects an append with HistoryMovedError it hands over the
   * records that moved the history, so the store decides the write again against them.
   */
  follow?(follower: LogFollower): void;
  /** Only a shared log: the head revision of the shared history, confirmed with its storage (linearizable reads). */
  confirmHead?(): Promise<number>;
  /**
   * Only a shared log: the clock of its storage (Unix ms), by which every writer sets and judges
   * deadlines, so that TTLs and leases end at the same instant on every replica whatever each
   * host's own clock says. The store reads the time from it when the composition passes it.
   */
  readonly clock?: Clock;
  /**
   * Only a shared log: calls `listener` each time the log has confirmed that the store holds
   * the head of the shared history (a read of the storage found nothing after the store's
   * revision, or a write of the store's committed as the next revision), with the time the
   * confirming read was sent (performance.now()); returns the function that stops it.
   */
  onHeadConfirmed?(listener: (sentAt: number) => void): () => void;
}

/** What a shared log hands the store it follows (TransactionLog.follow). */
export interface LogFollower {
  /**
   * Records other writers committed, in revision order (a record handed over twice, or one the
   * store appended itself, the store skips).
   */
  apply(records: readonly LogRecord[]): void;
  /**
   * The history right after the store's revision was compacted away, so the records up to
   * `through` are thinned: `base` is the compacted state through `through` as the log holds
   * it now (records marked `base`, in revision order); the log then hands the records after
   * it to `apply`. The store takes that state in one step instead of a partial history, and
   * its watchers that have not passed `through` end with REVISION_COMPACTED (they would
   * silently miss the revisions compacted away).
   */
  rebase(base: readonly ReplayedRecord[], through: number): void;
}

/** The store's live entries as the log may read them. */
export interface LiveState {
  /** Live keys now. */
  readonly size: number;
  /** A consistent view of every live entry at the moment of the call, in key order; later writes do not show in it. */
  entries(): Iterable<KeyEntry>;
  /** Every lease granted and not revoked, with the revision of its grant (taken at the same moment as `entries`). */
  leases(): Iterable<LeaseGrant>;
}

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

/** The rejection of an append whose revision does not exceed the log's last durable revision. */
export function revisionNotAfter(revision: number, durable: number): Error {
  return new Error(`append at revision ${revision}, not after the last durable revision ${durable}; nothing written`);
}
