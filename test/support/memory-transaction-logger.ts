import type { Event, LogHealth, LogHealthListener, Mutation, TransactionLogger } from '../../src/core';
import { LogHealthState, LogUnavailableError } from '../../src/core';

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

  constructor(initial: Event[] = []) {
    this.events.push(...initial);
  }

  async *readEvents(): AsyncIterable<readonly Event[]> {
    yield this.events.slice();
  }

  append(mutation: Mutation): Promise<Event> {
    if (this.closed) return Promise.reject(new LogUnavailableError('memory log: closed'));
    const failure = this.failures.shift();
    if (failure) return Promise.reject(failure);
    const event: Event = { ...mutation, sequence: (this.events.at(-1)?.sequence ?? 0) + 1 };
    this.events.push(event);
    if (!this.held) return Promise.resolve(event);
    const held = this.held;
    return new Promise((resolve) => held.push(() => resolve(event)));
  }

  async close(): Promise<void> {
    this.release();
    this.closed = true;
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
