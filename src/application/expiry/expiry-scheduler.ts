import type { KeyValueStore } from '../../core';
import { describeError } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';

/** How often the scheduler looks for deadlines that have passed: the expiry tolerance's main part. */
export const EXPIRY_INTERVAL_MS = 100;
/** Keys one expiry record deletes at most (a lease's keys always go in one record). */
export const EXPIRY_BATCH_KEYS = 1000;

/** What the scheduler needs besides the store. */
export interface ExpirySchedulerOptions {
  /** True while expiries must not be logged (read-only): the keys stay invisible meanwhile. */
  readonly paused: () => boolean;
  /** Told of every expiry record logged, with the number of keys it deleted. */
  readonly expired?: (keys: number) => void;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly batchKeys?: number;
}

/**
 * Logs the store's expiries: every EXPIRY_INTERVAL_MS it asks the store for the deadlines that
 * have passed and logs their deletes, a bounded batch per record with an event-loop turn
 * between batches, so a million keys expiring at once never stall the requests being served.
 * One pass at a time; a log that refuses a batch leaves its deadlines in place for the next pass.
 */
export class ExpiryScheduler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private pass: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(
    private readonly store: Pick<KeyValueStore, 'expireDue'>,
    private readonly options: ExpirySchedulerOptions,
  ) {}

  /** Starts the periodic passes. */
  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs ?? EXPIRY_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the passes; resolves once the one running (if any) has finished its batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.pass;
  }

  /**
   * Logs every expiry due now unless paused, a batch at a time (what start-up awaits before
   * serving); rejects when the log refuses a batch.
   */
  async drain(): Promise<number> {
    const batch = this.options.batchKeys ?? EXPIRY_BATCH_KEYS;
    let total = 0;
    while (!this.stopped && !this.options.paused()) {
      const keys = await this.store.expireDue(batch);
      if (keys > 0) this.options.expired?.(keys);
      total += keys;
      if (keys < batch) break;
      // Requests that arrived during the batch go first.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  private tick(): void {
    if (this.pass !== undefined || this.stopped || this.options.paused()) return;
    this.pass = this.drain()
      .then(() => this.recovered())
      .catch((error: unknown) => this.failed(error))
      .finally(() => (this.pass = undefined));
  }

  /** One warning when passes start failing (the log is down, say), not one per pass. */
  private failed(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.options.logger.warn(
      { event: 'expiry_failed', err: error },
      `expiry: cannot log expired keys (${describeError(error)}); they stay invisible, retrying`,
    );
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    this.options.logger.info({ event: 'expiry_recovered' }, 'expiry: logging expired keys again');
  }
}
