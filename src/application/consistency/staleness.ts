/** Where head confirmations come from: a shared log (TransactionLog.onHeadConfirmed). */
export interface HeadConfirmations {
  /** Calls `listener` with the time (the tracker's clock) each confirming read was sent; returns the function that stops it. */
  onHeadConfirmed(listener: (sentAt: number) => void): () => void;
}

/** A monotonic clock in ms, and timers: injected, so tests move time by hand. */
export interface StalenessClock {
  now(): number;
  /** Calls `run` after about `ms`; returns the function that cancels it. */
  after(ms: number, run: () => void): () => void;
}

/** performance.now and unref'd timers: a staleness check never keeps the process alive. */
export const monotonicClock: StalenessClock = {
  now: () => performance.now(),
  after: (ms, run) => {
    const timer = setTimeout(run, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/**
 * How old this replica's view of a shared history may be (KVS_MAX_STALENESS_MS): stale once
 * the log has not confirmed for longer than `maxMs` that the store holds the head. A
 * confirmation is a read of the table, sent at some moment, that found nothing after the
 * store's revision (the tail's catch-up after a notification, its reconnect, or its poll every
 * KVS_PG_POLL_MS), or a write of this replica that committed as the next revision: each proves
 * the store held the head as of the moment it was sent. Listeners hear every change, at the
 * moment it happens: stale when `maxMs` passes without a confirmation (one timer, re-armed
 * lazily), fresh again at the first confirmation after.
 */
export class ReplicaStaleness {
  private confirmedAt: number;
  private reportedStale = false;
  private readonly listeners = new Set<(stale: boolean) => void>();
  private cancelTimer: (() => void) | undefined;

  constructor(
    confirmations: HeadConfirmations,
    /** KVS_MAX_STALENESS_MS. */
    readonly maxMs: number,
    private readonly clock: StalenessClock = monotonicClock,
  ) {
    // Start-up counts as confirmed: the replay has just read the table to its end.
    this.confirmedAt = clock.now();
    confirmations.onHeadConfirmed((sentAt) => this.confirmed(sentAt));
    this.arm();
  }

  /** Ms since the head was last confirmed (as of the confirming read's sending). */
  get ageMs(): number {
    return Math.max(0, this.clock.now() - this.confirmedAt);
  }

  /** Whether the head has not been confirmed for longer than maxMs. */
  get stale(): boolean {
    return this.ageMs > this.maxMs;
  }

  /** Calls `listener` with the new value on every change; returns the function that stops it. */
  onChange(listener: (stale: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private confirmed(sentAt: number): void {
    // Confirmations may arrive out of order (a slow read answered after a quicker one).
    if (sentAt <= this.confirmedAt) return;
    this.confirmedAt = sentAt;
    this.report();
  }

  /** Checks once the newest confirmation is maxMs old; re-arms while confirmations keep coming. */
  private arm(): void {
    this.cancelTimer = this.clock.after(Math.max(1, this.maxMs - this.ageMs + 1), () => {
      this.cancelTimer = undefined;
      this.report();
      if (!this.stale) this.arm();
    });
  }

  private report(): void {
    const stale = this.stale;
    if (stale === this.reportedStale) return;
    this.reportedStale = stale;
    // Fresh again: watch for the next lapse.
    if (!stale && this.cancelTimer === undefined) this.arm();
    for (const listener of this.listeners) listener(stale);
  }
}
