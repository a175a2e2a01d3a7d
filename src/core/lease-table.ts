import type { LeaseWrite } from './events';

/** A granted lease as the log keeps it: what compaction writes back. */
export interface LeaseGrant {
  readonly id: number;
  readonly ttlMs: number;
  /** The revision of the record that granted it. */
  readonly revision: number;
}

/** A lease in memory: its grant, its deadline and the keys attached to it. */
interface Lease extends LeaseGrant {
  /**
   * Unix ms; renewed by keepalives, set to now + ttl at grant and at every start. Logged only
   * by a shared log's keepalive records (a log with one writer keeps it in memory only).
   */
  deadline: number;
  /** Set while its revoke (or expiry) is on its way to the log: no key may attach any more. */
  ending: boolean;
}

/** What a lease looks like to clients (etcd's TimeToLive). */
export interface LeaseStatus {
  readonly id: number;
  readonly ttlMs: number;
  /** Unix ms. */
  readonly deadline: number;
  /** Milliseconds from the moment of the status to the deadline (by the store's clock). */
  readonly remainingMs: number;
  /** The keys attached, in no particular order. */
  readonly keys: readonly string[];
}

/**
 * The store's leases (etcd's model): grants and revokes are durable records; deadlines live
 * in memory (a shared log also records keepalives, so every replica renews a lease alike), and
 * a restart gives every lease its full TTL again, as in etcd. The keys attached to a lease are
 * derived from the index as records are applied.
 */
export class LeaseTable {
  private readonly leases = new Map<number, Lease>();
  private readonly keysOf = new Map<number, Set<string>>();

  /** Leases held, ending ones included. */
  get size(): number {
    return this.leases.size;
  }

  /**
   * Applies a durable lease change at `revision`; a grant's deadline starts at `now`, a
   * keepalive's is the one it logged.
   */
  apply(write: LeaseWrite, revision: number, now: number): void {
    if (write.type === 'grant') {
      // Idempotent: a compaction's base may hold a grant that the next incremental holds too.
      if (!this.leases.has(write.id)) {
        this.leases.set(write.id, {
          id: write.id,
          ttlMs: write.ttlMs,
          revision,
          deadline: now + write.ttlMs,
          ending: false,
        });
      }
    } else if (write.type === 'keepalive') {
      const lease = this.leases.get(write.id);
      // A compaction keeps only a lease's last row: its last keepalive then stands for its grant.
      if (lease === undefined) {
        const { id, ttlMs, deadline } = write;
        this.leases.set(id, { id, ttlMs, revision, deadline, ending: false });
      } else lease.deadline = write.deadline;
    } else {
      this.leases.delete(write.id);
      this.keysOf.delete(write.id);
    }
  }

  /** Moves `key` from lease `from` to lease `to` (either undefined: none), as a write applied it. */
  attach(key: string, from: number | undefined, to: number | undefined): void {
    if (from === to) return;
    if (from !== undefined) this.keysOf.get(from)?.delete(key);
    if (to === undefined) return;
    let keys = this.keysOf.get(to);
    if (keys === undefined) this.keysOf.set(to, (keys = new Set()));
    keys.add(key);
  }

  /** Whether the lease exists and its deadline is after `now`. */
  alive(id: number, now: number): boolean {
    const lease = this.leases.get(id);
    return lease !== undefined && lease.deadline > now;
  }

  /** Whether a key may attach to the lease now: alive and not ending. */
  open(id: number, now: number): boolean {
    return this.alive(id, now) && !this.leases.get(id)?.ending;
  }

  /** Whether the id is taken by a lease (live or ending). */
  has(id: number): boolean {
    return this.leases.has(id);
  }

  /** Renews the deadline of an open lease to now + ttl; false when it is not open. */
  renew(id: number, now: number): boolean {
    const lease = this.leases.get(id);
    if (lease === undefined || lease.ending || lease.deadline <= now) return false;
    lease.deadline = now + lease.ttlMs;
    return true;
  }

  /** Whether the lease exists and is past its deadline at `now` (ending or not). */
  expired(id: number, now: number): boolean {
    const lease = this.leases.get(id);
    return lease !== undefined && lease.deadline <= now;
  }

  /** The lease as clients see it, if it is alive at `now`. */
  status(id: number, now: number): LeaseStatus | undefined {
    const lease = this.leases.get(id);
    if (lease === undefined || lease.deadline <= now) return undefined;
    const { ttlMs, deadline } = lease;
    return { id, ttlMs, deadline, remainingMs: deadline - now, keys: [...(this.keysOf.get(id) ?? [])] };
  }

  /** The keys attached to the lease now. */
  keys(id: number): string[] {
    return [...(this.keysOf.get(id) ?? [])];
  }

  /** Marks the lease ending (or not, when its revoke failed); false when it was already ending or is unknown. */
  setEnding(id: number, ending: boolean): boolean {
    const lease = this.leases.get(id);
    if (lease === undefined || lease.ending === ending) return false;
    lease.ending = ending;
    return true;
  }

  /** Leases past their deadline at `now` that are not ending yet. */
  due(now: number): number[] {
    const due: number[] = [];
    for (const lease of this.leases.values()) if (!lease.ending && lease.deadline <= now) due.push(lease.id);
    return due;
  }

  /**
   * After replay, etcd's rule: every lease gets its full TTL from `now` at least, since nobody
   * could keep it alive while the service was down (a logged keepalive may have set it earlier).
   */
  restarted(now: number): void {
    for (const lease of this.leases.values()) lease.deadline = Math.max(lease.deadline, now + lease.ttlMs);
  }

  /**
   * After replay: keys attached to a lease the log does not hold (which a consistent log never
   * has) get a lease that is already past its deadline, so the first expiry deletes them
   * instead of leaving them invisible for ever.
   */
  adoptOrphans(revision: number): void {
    for (const id of this.keysOf.keys()) {
      if (!this.leases.has(id)) this.leases.set(id, { id, ttlMs: 0, revision, deadline: -Infinity, ending: false });
    }
  }

  /** Every lease as granted, for a compaction's snapshot. */
  grants(): LeaseGrant[] {
    return [...this.leases.values()].map(({ id, ttlMs, revision }) => ({ id, ttlMs, revision }));
  }
}
