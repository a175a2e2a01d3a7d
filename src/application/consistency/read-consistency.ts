import { ownHead, ReplicaBehindError, type HeadRevision, type KeyValueStore } from '../../core';
import { READ_CONSISTENCY_DEFAULTS, type ReadConsistencyConfig } from './read-consistency.config';

/** What a read asks of the state it is answered from (REST: X-Kvs-Min-Revision, ?linearizable=true). */
export interface ReadRequirement {
  /** The answer must reflect at least this store revision (read-your-writes across replicas). */
  readonly minRevision?: number;
  /** The answer must reflect every write acknowledged before the read began (the head, confirmed). */
  readonly linearizable?: boolean;
}

/** The part of the store a read waits on. */
export type FollowedStore = Pick<KeyValueStore, 'revision' | 'whenRevision'>;

/** Whether the replica's view of a shared history is older than its bound (ReplicaStaleness). */
export interface StaleView {
  readonly stale: boolean;
  readonly ageMs: number;
  readonly maxMs: number;
}

/**
 * Makes a read wait, bounded, until the local store is as new as the read asks: for
 * `minRevision`, until the store has applied it; for `linearizable`, until it has applied the
 * head revision `head` confirms. A read that asks nothing, or whose revision the store already
 * has, is answered at once, synchronously. One that cannot be satisfied within its wait (the
 * shorter of KVS_MAX_READ_WAIT_MS and the caller's own deadline) fails with ReplicaBehindError
 * (REPLICA_BEHIND: 503 / UNAVAILABLE). For a store that is the only writer of its log the head
 * is its own revision, so every linearizable read is answered at once. A replica whose view is
 * stale (`staleness`: the head not confirmed for KVS_MAX_STALENESS_MS) refuses at once every
 * read it cannot satisfy now: it is not following the history, so waiting would not help.
 */
export class ReadConsistency {
  constructor(
    private readonly store: FollowedStore,
    private readonly head: HeadRevision = ownHead(store),
    private readonly config: ReadConsistencyConfig = READ_CONSISTENCY_DEFAULTS,
    private readonly staleness?: StaleView,
  ) {}

  /**
   * Undefined when the store satisfies the requirement now; otherwise a promise that resolves
   * once it does, or rejects with ReplicaBehindError when `deadline` (epoch ms, the caller's)
   * or the configured wait passes first, or the head cannot be confirmed in time.
   */
  satisfy(requirement: ReadRequirement, deadline = Infinity): Promise<void> | undefined {
    const min = requirement.minRevision ?? 0;
    if (!requirement.linearizable && this.store.revision >= min) return undefined;
    if (this.staleness?.stale) return Promise.reject(staleRefusal(this.staleness));
    const until = Math.min(deadline, Date.now() + this.config.maxWaitMs);
    return requirement.linearizable ? this.linearizable(min, until) : this.reach(min, until);
  }

  private async linearizable(min: number, until: number): Promise<void> {
    const head = await this.confirmHead(until);
    await this.reach(Math.max(min, head), until);
  }

  /** The head revision, or ReplicaBehindError when it is not confirmed by `until`. */
  private confirmHead(until: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(headUnconfirmed('in time')), Math.max(0, until - Date.now()));
      this.head.confirm().then(
        (revision) => {
          clearTimeout(timer);
          resolve(revision);
        },
        () => {
          clearTimeout(timer);
          reject(headUnconfirmed('because the log does not answer'));
        },
      );
    });
  }

  /** Resolves once the store has `revision`; ReplicaBehindError at `until`. */
  private reach(revision: number, until: number): Promise<void> {
    if (this.store.revision >= revision) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => {
          cancel();
          reject(
            new ReplicaBehindError(
              `this replica is at revision ${this.store.revision}, not yet at ${revision}; retry, or read elsewhere`,
            ),
          );
        },
        Math.max(0, until - Date.now()),
      );
      const cancel = this.store.whenRevision(revision, () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function staleRefusal({ ageMs, maxMs }: StaleView): ReplicaBehindError {
  return new ReplicaBehindError(
    `this replica has not confirmed the head revision for ${Math.round(ageMs)} ms (its bound is ${maxMs} ms); retry, or read elsewhere`,
  );
}

function headUnconfirmed(why: string): ReplicaBehindError {
  return new ReplicaBehindError(`this replica could not confirm the head revision ${why}; retry, or read elsewhere`);
}
