import type { ChangeBatch, ChangeEvent } from './change-feed';
import { utf8ByteLength } from './limits';

/**
 * What one event is taken to cost in memory beyond its strings: the event, entry and array
 * slot objects. An estimate (V8 does not tell), kept on the high side so the configured bytes
 * bound the real heap rather than undercount it.
 */
const EVENT_OVERHEAD_BYTES = 160;

/** The bytes one event is counted as, in the history and in a watcher's buffer. */
export function eventBytes(event: ChangeEvent): number {
  const { entry, previous } = event;
  const previousBytes = previous === undefined ? 0 : utf8ByteLength(previous.value);
  return writeEventBytes(utf8ByteLength(entry.key), utf8ByteLength(entry.value)) + previousBytes;
}

/**
 * The least bytes the event of one key write is counted as (eventBytes without the previous
 * value), from the UTF-8 lengths of its key and value (0 for a delete): what a log sums for
 * ReplayedRecord.changeBytesAfter.
 */
export function writeEventBytes(keyBytes: number, valueBytes: number): number {
  return EVENT_OVERHEAD_BYTES + 2 * keyBytes + valueBytes;
}

/** A batch as the history keeps it: when it was committed and the bytes it is counted as. */
export interface HistoryEntry {
  readonly batch: ChangeBatch;
  /** When the hub was given it (ms, the hub's clock). */
  readonly committedAt: number;
  readonly bytes: number;
}

/** Entries dropped from the front of the array before it is copied down (amortised O(1) trimming). */
const REINDEX_AFTER = 1024;

/**
 * The recent committed revisions kept in memory, at most `maxBytes` of them (the oldest go
 * first), so that a watcher can start or resume at a past revision. Revisions before
 * `oldestAvailable` are gone: a start there would miss changes.
 */
export class WatchHistory {
  private batches: HistoryEntry[] = [];
  private head = 0;
  private bytes = 0;
  private oldest: number;

  /** `revision` is the store's when the history starts: later revisions can be watched from. */
  constructor(
    revision: number,
    private readonly maxBytes: number,
  ) {
    this.oldest = revision + 1;
  }

  /** The oldest start revision that can still be served (etcd's compact revision + 1). */
  get oldestAvailable(): number {
    return this.oldest;
  }

  /** Bytes the kept revisions are counted as. */
  get sizeBytes(): number {
    return this.bytes;
  }

  /** Revisions kept. */
  get length(): number {
    return this.batches.length - this.head;
  }

  /** Keeps a committed batch (revisions arrive in increasing order), then drops the oldest beyond the budget. */
  add(batch: ChangeBatch, committedAt: number): void {
    let bytes = 0;
    for (const event of batch.events) bytes += eventBytes(event);
    this.batches.push({ batch, committedAt, bytes });
    this.bytes += bytes;
    while (this.bytes > this.maxBytes && this.length > 0) this.dropOldest();
    this.reindex();
  }

  /** Forgets every revision below `revision` (after a log compaction); never moves backwards. */
  compact(revision: number): void {
    while (this.length > 0 && this.batches[this.head].batch.revision < revision) this.dropOldest();
    if (revision > this.oldest) this.oldest = revision;
    this.reindex();
  }

  /** The first kept batch at or after `revision`, or undefined when there is none (yet). */
  firstFrom(revision: number): HistoryEntry | undefined {
    let low = this.head;
    let high = this.batches.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.batches[middle].batch.revision < revision) low = middle + 1;
      else high = middle;
    }
    return this.batches[low];
  }

  private dropOldest(): void {
    const dropped = this.batches[this.head++];
    this.bytes -= dropped.bytes;
    this.oldest = Math.max(this.oldest, dropped.batch.revision + 1);
  }

  private reindex(): void {
    if (this.head < REINDEX_AFTER || this.head * 2 < this.batches.length) return;
    this.batches = this.batches.slice(this.head);
    this.head = 0;
  }
}
