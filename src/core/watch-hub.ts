import type { ChangeBatch, ChangeEvent, CommitObserver, RebaseObserver, ReplayObserver } from './change-feed';
import { RevisionCompactedError } from './errors';
import { WatchHistory } from './watch-history';
import { Watcher, type WatchFilter, type WatcherSource } from './watcher';

/** The hub's sizes. */
export interface WatchHubOptions {
  /** Bytes of recent revisions kept for watchers that start or resume in the past (KVS_WATCH_HISTORY_BYTES). */
  readonly historyBytes: number;
  /** Bytes a watcher may fall behind its consumer before it is dropped (KVS_WATCH_BUFFER_BYTES). */
  readonly bufferBytes: number;
  /** The clock delivery lag is measured with (ms); Date.now when missing. */
  readonly now?: () => number;
}

/** Where a watch starts and which keys it follows. */
export interface WatchStart {
  readonly filter: WatchFilter;
  /** The first revision to deliver; the one after the current revision when missing or 0 (etcd's default). */
  readonly startRevision?: number;
}

/**
 * The watch machinery, transport-neutral: fed by the store with every committed revision
 * (`observe`), it keeps a bounded history and hands each revision to the watchers whose keys
 * it touches. Work per commit is one history append plus one offer per matching watcher:
 * watchers of single keys are found through a map, so thousands of them on distinct keys
 * cost a commit nothing; prefix and range watchers are checked one by one.
 */
export class WatchHub implements WatcherSource {
  readonly history: WatchHistory;
  private current: number;
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly ranged = new Set<Watcher>();
  private readonly watchers = new Set<Watcher>();
  private readonly now: () => number;
  private closed = false;
  /** Whether the history was seeded from the log's replay (else it starts after the restored revision). */
  private seeded = false;

  /** `revision` is the store's when the hub starts (after restore): history begins after it. */
  constructor(
    revision: number,
    private readonly options: WatchHubOptions,
  ) {
    this.current = revision;
    this.history = new WatchHistory(revision, options.historyBytes);
    this.now = options.now ?? Date.now;
  }

  /** The store revision the hub has seen last. */
  get revision(): number {
    return this.current;
  }

  /** Open watchers. */
  get size(): number {
    return this.watchers.size;
  }

  /** The observer to give the store: records the revision and offers it to the watchers. */
  readonly observe: CommitObserver = (batch: ChangeBatch): void => {
    if (batch.revision <= this.current) return;
    this.current = batch.revision;
    if (batch.events.length === 0) return;
    const committedAt = this.now();
    this.history.add(batch, committedAt);
    for (const [watcher, events] of this.matches(batch.events)) watcher.offer(batch.revision, events, committedAt);
  };

  /**
   * Opens a watch. Throws RevisionCompactedError (with the oldest revision still available)
   * when it starts before the history, which would miss changes.
   */
  watch(start: WatchStart): Watcher {
    if (this.closed) throw new Error('watch hub: closed');
    const startRevision = start.startRevision || this.current + 1;
    if (startRevision < this.history.oldestAvailable) throw new RevisionCompactedError(this.history.oldestAvailable);
    const watcher = new Watcher(start.filter, startRevision, this.options.bufferBytes, this);
    this.watchers.add(watcher);
    return watcher;
  }

  /**
   * What to give the store's restore so that the history holds the replayed revisions whose
   * changes the log still has (within the history's bytes), and a watcher can resume across a
   * restart from any of them. Before any watch and any commit; once.
   */
  seeding(): ReplayObserver {
    this.seeded = true;
    return {
      replayed: (batch) => {
        this.current = Math.max(this.current, batch.revision);
        if (batch.revision >= this.history.oldestAvailable) this.history.add(batch, this.now());
      },
      unknownThrough: (revision) => {
        this.current = Math.max(this.current, revision);
        this.history.compact(revision + 1);
      },
    };
  }

  /**
   * The store was restored up to `revision` (call once, before the first watch). Unless the
   * history was seeded from the replay, it starts after that revision.
   */
  startAt(revision: number): void {
    // Seeded, the revisions after the last change told changed no key: nothing to cut.
    if (!this.seeded) this.history.compact(revision + 1);
    this.current = Math.max(this.current, revision);
  }

  /** Forgets the revisions before `revision` (the log compacted them away); live watchers go on undisturbed. */
  compact(revision: number): void {
    this.history.compact(revision);
  }

  /**
   * The observer to give the store for a shared log's rebase: the changes up to `revision` are
   * not known, so the history starts after it, and every watcher that has not passed it ends
   * with RevisionCompactedError (it would miss them; its client re-reads and watches again,
   * as after a compaction on one process).
   */
  readonly rebased: RebaseObserver = (revision: number): void => {
    this.current = Math.max(this.current, revision);
    this.history.compact(revision + 1);
    const compacted = new RevisionCompactedError(this.history.oldestAvailable);
    for (const watcher of [...this.watchers]) if (watcher.resumeRevision <= revision) watcher.fail(compacted);
  };

  /** The heartbeat tick: every watcher that delivered nothing since the last one gets a progress message. */
  tick(): void {
    for (const watcher of this.watchers) watcher.tick();
  }

  /** Ends every watch cleanly and opens no more (shutdown). */
  close(): void {
    this.closed = true;
    for (const watcher of [...this.watchers]) watcher.cancel();
  }

  /** @internal Called by a watcher that starts live or has caught up with the history. */
  attach(watcher: Watcher): void {
    const key = watcher.filter.key;
    if (key === undefined) {
      this.ranged.add(watcher);
      return;
    }
    let set = this.byKey.get(key);
    if (set === undefined) this.byKey.set(key, (set = new Set()));
    set.add(watcher);
  }

  /** @internal Called by a watcher that ended. */
  detach(watcher: Watcher): void {
    this.watchers.delete(watcher);
    this.ranged.delete(watcher);
    const key = watcher.filter.key;
    if (key === undefined) return;
    const set = this.byKey.get(key);
    set?.delete(watcher);
    if (set?.size === 0) this.byKey.delete(key);
  }

  /** The attached watchers the events touch, each with its events in the write's order. */
  private matches(events: readonly ChangeEvent[]): Map<Watcher, ChangeEvent[]> {
    const found = new Map<Watcher, ChangeEvent[]>();
    const add = (watcher: Watcher, event: ChangeEvent): void => {
      const list = found.get(watcher);
      if (list === undefined) found.set(watcher, [event]);
      else list.push(event);
    };
    for (const event of events) {
      const key = event.entry.key;
      for (const watcher of this.byKey.get(key) ?? []) add(watcher, event);
      for (const watcher of this.ranged) if (watcher.filter.includes(key)) add(watcher, event);
    }
    return found;
  }
}
