/**
 * Callbacks waiting for the store revision to reach a number: what a read asking for
 * "at least revision R" (read-your-writes on a replica that may lag) waits on. The store tells
 * it of every revision it applies; a waiter is called once, synchronously, in the step that
 * made its revision reachable. Work per applied revision is O(1) while nobody waits for it.
 */
export class RevisionWaiters {
  private readonly waiting = new Set<Waiter>();
  /** The lowest revision anybody waits for (Infinity: nobody). */
  private lowest = Infinity;

  /** Calls `reached` once `revision()` is at least `target`; returns the function that cancels the wait. */
  add(target: number, reached: () => void): () => void {
    const waiter: Waiter = { target, reached };
    this.waiting.add(waiter);
    this.lowest = Math.min(this.lowest, target);
    return () => {
      this.waiting.delete(waiter);
    };
  }

  /** The store's revision is now `current`: calls (and forgets) every waiter it satisfies. */
  advanced(current: number): void {
    if (current < this.lowest) return;
    this.lowest = Infinity;
    for (const waiter of [...this.waiting]) {
      if (waiter.target <= current) {
        this.waiting.delete(waiter);
        waiter.reached();
      } else {
        this.lowest = Math.min(this.lowest, waiter.target);
      }
    }
  }

  /** Callbacks still waiting. */
  get size(): number {
    return this.waiting.size;
  }
}

interface Waiter {
  readonly target: number;
  readonly reached: () => void;
}
