import type {
  CompactionReport,
  Event,
  Limits,
  LiveState,
  LogHealth,
  LogHealthListener,
  Mutation,
  TransactionLogger,
} from '../../src/core';
import { KeyValueStore, LogHealthState, LogUnavailableError } from '../../src/core';

/**
 * A TransactionLogger that keeps its events in an array, for unit tests of the core.
 * `failNext` makes the next appends reject as a real adapter does when its storage fails;
 * `holdAppends` keeps appends pending until `release` is called, to test ordering;
 * `healthState` lets a test set the health the logger reports.
 */
export class MemoryTransactionLogger implements TransactionLogger {
  readonly events: Event[] = [];
  readonly healthState = new LogHealthState();
  private failures: Error[] = [];
  private held: (() => void)[] | undefined;
  private closed = false;
  private replay: 'not started' | 'running' | 'done' = 'not started';
  private lastSequence: number;
  private live: LiveState | undefined;
  /** Compactions made so far. */
  compactions = 0;

  constructor(initial: Event[] = []) {
    this.events.push(...initial);
    this.lastSequence = initial.at(-1)?.sequence ?? 0;
  }

  async *readEvents(): AsyncIterable<readonly Event[]> {
    if (this.replay !== 'not started')
      throw new Error('memory log: readEvents may be called only once, before appends');
    this.replay = 'running';
    yield this.events.slice();
    this.replay = 'done';
  }

  append(mutation: Mutation): Promise<Event> {
    if (this.closed) return Promise.reject(new LogUnavailableError('memory log: closed'));
    if (this.replay !== 'done')
      return Promise.reject(new LogUnavailableError('memory log: append before readEvents finished'));
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const event: Event = { ...mutation, sequence: ++this.lastSequence };
    this.events.push(event);
    if (!this.held) return Promise.resolve(event);
    const held = this.held;
    return new Promise((resolve) => held.push(() => resolve(event)));
  }

  async close(): Promise<void> {
    this.release();
    this.closed = true;
  }

  attachLiveState(live: LiveState): void {
    this.live = live;
  }

  /** Drops every event a later one supersedes (and deletions, once nothing older remains), like the Postgres log. */
  async compact(): Promise<CompactionReport> {
    if (!this.live) throw new LogUnavailableError('memory log: compact before readEvents finished');
    const before = this.events.length;
    const latest = new Map<string, Event>();
    for (const event of this.events) latest.set(event.key, event);
    const kept = [...latest.values()].filter((event) => event.type === 'put').sort((a, b) => a.sequence - b.sequence);
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
  log: TransactionLogger = new MemoryTransactionLogger(),
  limits?: Limits,
): Promise<KeyValueStore> {
  const store = new KeyValueStore(log, limits);
  await store.restore();
  return store;
}
