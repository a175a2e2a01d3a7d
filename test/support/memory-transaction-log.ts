import type {
  Clock,
  CompactionReport,
  Limits,
  LiveState,
  LogHealth,
  LogHealthListener,
  LogRecord,
  ReplayedRecord,
  TransactionLog,
} from '../../src/core';
import { KeyValueStore, LogHealthState, LogUnavailableError } from '../../src/core';
import { revisionNotAfter } from '../../src/core/transaction-log.port';

/**
 * A TransactionLog that keeps its records in an array, for unit tests of the core.
 * `failNext` makes the next appends reject as a real adapter does when its storage fails;
 * `holdAppends` keeps appends pending until `release` is called, to test ordering;
 * `healthState` lets a test set the health the logger reports.
 */
export class MemoryTransactionLog implements TransactionLog {
  readonly events: ReplayedRecord[] = [];
  readonly healthState = new LogHealthState();
  private failures: Error[] = [];
  private held: (() => void)[] | undefined;
  private closed = false;
  private replay: 'not started' | 'running' | 'done' = 'not started';
  private live: LiveState | undefined;
  /** Compactions made so far. */
  compactions = 0;

  constructor(initial: ReplayedRecord[] = []) {
    this.events.push(...initial);
  }

  async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
    if (this.replay !== 'not started')
      throw new Error('memory log: readEvents may be called only once, before appends');
    this.replay = 'running';
    yield this.events.slice();
    this.replay = 'done';
  }

  append(record: LogRecord): Promise<void> {
    if (this.closed) return Promise.reject(new LogUnavailableError('memory log: closed'));
    if (this.replay !== 'done')
      return Promise.reject(new LogUnavailableError('memory log: append before readEvents finished'));
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const last = this.events.at(-1)?.revision ?? 0;
    if (record.revision <= last) {
      return Promise.reject(revisionNotAfter(record.revision, last));
    }
    this.events.push(record);
    if (!this.held) return Promise.resolve();
    const held = this.held;
    return new Promise((resolve) => held.push(resolve));
  }

  async close(): Promise<void> {
    this.release();
    this.closed = true;
  }

  attachLiveState(live: LiveState): void {
    this.live = live;
  }

  /**
   * Replaces the history by one record per live key, as its last write left it, and a record
   * marking the revision the history stood at, like the file log's base (all marked base).
   */
  async compact(): Promise<CompactionReport> {
    if (!this.live) throw new LogUnavailableError('memory log: compact before readEvents finished');
    const before = this.events.length;
    const revision = this.events.at(-1)?.revision ?? 0;
    const latest = new Map<string, ReplayedRecord>();
    const grants = new Map<number, ReplayedRecord>();
    for (const record of this.events) {
      for (const write of record.writes) {
        if (write.type === 'delete') latest.delete(write.key);
        else latest.set(write.key, { revision: record.revision, writes: [write], base: true });
      }
      for (const lease of record.leases ?? []) {
        if (lease.type === 'revoke') grants.delete(lease.id);
        else grants.set(lease.id, { revision: record.revision, writes: [], leases: [lease], base: true });
      }
    }
    const kept: ReplayedRecord[] = [...grants.values(), ...latest.values(), { revision, writes: [], base: true }];
    this.events.splice(0, this.events.length, ...kept);
    this.compactions++;
    return { bytesBefore: before, bytesAfter: kept.length, liveBytes: kept.length, durationMs: 0 };
  }

  health(): LogHealth {
    return this.healthState.get();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.healthState.onChange(listener);
  }

  /** Makes the next `count` appends fail with `error` without recording anything. */
  failNext(count = 1, error: Error = new LogUnavailableError('memory log: simulated failure')): void {
    for (let i = 0; i < count; i++) this.failures.push(error);
  }

  /** Keeps later appends pending until `release`. */
  holdAppends(): void {
    this.held = [];
  }

  /** Resolves every held append, in call order. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resolve of held) resolve();
  }
}

/** A store on `log` that has been restored, as the service does before any frontend serves. */
export async function restoredStore(
  log: TransactionLog = new MemoryTransactionLog(),
  limits?: Limits,
  clock?: Clock,
): Promise<KeyValueStore> {
  const store = new KeyValueStore(log, limits, undefined, clock);
  await store.restore();
  return store;
}

/** A clock a test moves by hand (Unix ms). */
export class ManualClock implements Clock {
  constructor(public time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
