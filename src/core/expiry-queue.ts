/** A key generation that carries a deadline: the key as written at `modRevision`. */
export interface Deadline {
  readonly expiresAt: number;
  readonly key: string;
  readonly modRevision: number;
}

/**
 * The deadlines of the store's keys, earliest first: a binary min-heap. A generation that is
 * overwritten or deleted is not removed here (that would need an index per key); it stays
 * until its deadline and is dropped then, when the store finds the key is no longer that
 * generation. So the heap holds at most one item per put with a TTL made within the longest
 * TTL, and a put costs O(log n).
 */
export class ExpiryQueue {
  private readonly heap: Deadline[] = [];

  /** Items held, stale ones included. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds a deadline. */
  push(item: Deadline): void {
    const heap = this.heap;
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].expiresAt <= item.expiresAt) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = item;
  }

  /** Removes and returns the earliest deadline if it is at or before `now`. */
  popDue(now: number): Deadline | undefined {
    const heap = this.heap;
    if (heap.length === 0 || heap[0].expiresAt > now) return undefined;
    const top = heap[0];
    const last = heap.pop() as Deadline;
    if (heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right].expiresAt < heap[left].expiresAt ? right : left;
      if (heap[child].expiresAt >= last.expiresAt) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
