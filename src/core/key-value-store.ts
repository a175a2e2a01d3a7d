import type { Event, Mutation } from './events';
import { NoSuchKeyError, OutcomeUnknownError } from './errors';
import { checkKey, checkValue, DEFAULT_LIMITS, type Limits } from './limits';
import type { CompactionReport, TransactionLogger } from './transaction-logger.port';

/** What a restore found in the log. */
export interface RestoreSummary {
  /** Events read from the log. */
  readonly events: number;
  /** Live keys afterwards. */
  readonly keys: number;
}

/**
 * The key-value store: an in-memory map kept in step with a durable transaction log.
 *
 * A write goes to the log first and reaches the map only once the log reports it durable,
 * so the map never holds anything the log could lose, and a failed write changes nothing.
 * The logger resolves appends in call order and every write awaits exactly one append, so
 * concurrent writes reach the map in log order.
 */
export class KeyValueStore {
  private readonly entries = new Map<string, string>();

  constructor(
    private readonly log: TransactionLogger,
    /** The size limits checked on every request. */
    readonly limits: Limits = DEFAULT_LIMITS,
  ) {}

  /** Replays the log into memory; call once, before serving any request. */
  async restore(): Promise<RestoreSummary> {
    let events = 0;
    // Replay applies events directly: going through put/delete would log them a second time.
    for await (const batch of this.log.readEvents()) {
      for (const event of batch) this.apply(event);
      events += batch.length;
    }
    // The log may snapshot the live entries to compact its history (it only ever reads them).
    this.log.attachLiveState(this.entries);
    return { events, keys: this.entries.size };
  }

  /** Returns the key's value, or throws NoSuchKeyError. */
  get(key: string): string {
    checkKey(key, this.limits);
    const value = this.entries.get(key);
    if (value === undefined) throw new NoSuchKeyError(key);
    return value;
  }

  /** Sets the key's value once the log has it durably; writing the same value twice is harmless. */
  async put(key: string, value: string): Promise<void> {
    checkKey(key, this.limits);
    checkValue(value, this.limits);
    await this.record({ type: 'put', key, value });
  }

  /**
   * Removes the key once the log has the deletion durably; deleting an absent key succeeds.
   * The deletion is logged even when the key looks absent, because a put of it may still be
   * in flight ahead of this delete in the log.
   */
  async delete(key: string): Promise<void> {
    checkKey(key, this.limits);
    await this.record({ type: 'delete', key });
  }

  /** Rewrites the log's history to hold just the live state; reads and writes go on meanwhile. */
  compact(): Promise<CompactionReport> {
    return this.log.compact();
  }

  /** Number of live keys. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Appends the mutation and applies it once durable. A write whose outcome the log could not
   * tell (OutcomeUnknownError) may still turn out committed; memory follows the log then.
   */
  private async record(mutation: Mutation): Promise<void> {
    try {
      this.apply(await this.log.append(mutation));
    } catch (error) {
      if (error instanceof OutcomeUnknownError) {
        error.outcome?.then(
          (event) => event && this.apply(event),
          () => undefined,
        );
      }
      throw error;
    }
  }

  private apply(event: Event): void {
    if (event.type === 'put') this.entries.set(event.key, event.value);
    else this.entries.delete(event.key);
  }
}
