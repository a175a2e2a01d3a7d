import type {
  CompactionReport,
  LogHealth,
  LogFollower,
  LogHealthListener,
  LogRecord,
  ReplayedRecord,
  TransactionLog,
} from '../../src/core';
import { HistoryMovedError, LogHealthState, LogUnavailableError } from '../../src/core';

/**
 * One history shared by several SharedMemoryLogs, as replicas share a PostgreSQL table
 * (KVS_REPLICAS=shared), for unit tests of the core: an append commits only when it is the next
 * revision of the shared history, like the PostgreSQL log's head check.
 */
export class SharedMemoryHistory {
  readonly records: LogRecord[] = [];

  /** A replica's log on this history. */
  replica(): SharedMemoryLog {
    return new SharedMemoryLog(this);
  }
}

/**
 * A replica's TransactionLog on a SharedMemoryHistory. Other replicas' records reach its store
 * only when the test calls `deliver` (the tail's notification, at the moment the test chooses),
 * or when an append finds the history moved: then, like the PostgreSQL log, it hands over the
 * records it missed and rejects with HistoryMovedError, so the store decides the write again.
 */
export class SharedMemoryLog implements TransactionLog {
  private readonly healthState = new LogHealthState();
  private follower: LogFollower | undefined;
  /** Revisions up to this one were replayed, handed over or appended here. */
  private known = 0;

  constructor(private readonly history: SharedMemoryHistory) {}

  async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
    const records = this.history.records.slice();
    this.known = records.length;
    yield records;
  }

  append(record: LogRecord): Promise<void> {
    const head = this.history.records.length;
    if (record.revision !== head + 1) {
      this.deliver();
      return Promise.reject(new HistoryMovedError(head));
    }
    this.history.records.push(record);
    this.known = record.revision;
    return Promise.resolve();
  }

  follow(follower: LogFollower): void {
    this.follower = follower;
  }

  /** Hands the store every record of the shared history it has not seen yet, as the tail would. */
  deliver(): void {
    const fresh = this.history.records.slice(this.known);
    this.known = this.history.records.length;
    if (fresh.length > 0) this.follower?.apply(fresh);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  health(): LogHealth {
    return this.healthState.get();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.healthState.onChange(listener);
  }

  attachLiveState(): void {
    // Nothing to compact with it.
  }

  compact(): Promise<CompactionReport> {
    return Promise.reject(new LogUnavailableError('shared memory log: no compaction'));
  }
}
