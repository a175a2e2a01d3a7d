/**
 * Whether a transaction log can take writes: `ok`; `unavailable` for a condition that can pass
 * without a restart (disk full, database unreachable), so a retry may succeed; `failed` for a
 * state only a restart can clear (a failed fsync), which is final.
 */
export type LogHealth = 'ok' | 'unavailable' | 'failed';

/** Told the new health each time it changes. */
export type LogHealthListener = (health: LogHealth) => void;

/** A log's current health and the listeners to tell when it changes; adapters keep one each. */
export class LogHealthState {
  private current: LogHealth = 'ok';
  private readonly listeners = new Set<LogHealthListener>();

  /** The health now. */
  get(): LogHealth {
    return this.current;
  }

  /** Moves to `next` and tells the listeners; returns false (and changes nothing) if it is no change or the log has failed. */
  set(next: LogHealth): boolean {
    if (next === this.current || this.current === 'failed') return false;
    this.current = next;
    for (const listener of this.listeners) listener(next);
    return true;
  }

  /** Calls `listener` on every later change; returns the function that stops it. */
  onChange(listener: LogHealthListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
