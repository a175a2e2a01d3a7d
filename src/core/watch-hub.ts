import type { ChangeBatch, ChangeEvent, CommitObserver, RebaseObserver, ReplayObserver } from './change-feed';
import { RevisionCompactedError } from './errors';
import { WatchHistory } from './watch-history';
import { Watcher, type ChangeMessage, type WatchFilter, type WatcherSource } from './watcher';

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
 * watchers of single keys are found through a map, so thousands of them on distinct keys cost a
 * commit nothing; prefix and range watchers are grouped by their filter (`WatchFilter.group`),
 * so a filter is evaluated once per revision however many watchers share it. Every watcher of
 * one key (or of one group) is offered the same message object, which lets a transport encode
 * it once for all of them (the SSE encoder does).
 */
export class WatchHub implements WatcherSource {
  readonly history: WatchHistory;
  private current: number;
  private readonly byKey = new Map<string, Set<Watcher>>();
  /** Prefix and range watchers by their filter's group; one without a group is a group of its own (keyed by itself). */
  private readonly ranged = new Map<string | Watcher, Set<Watcher>>();
  /** Every open watcher, with its opening number (which heartbeat slice it is in). */
  private readonly watchers = new Map<Watcher, number>();
  private opened = 0;
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
    this.offerToKeys(batch, committedAt);
    this.offerToRanges(batch, committedAt);
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
    this.watchers.set(watcher, this.opened++);
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
      keepsBytes: this.options.historyBytes,
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
    for (const watcher of [...this.watchers.keys()]) if (watcher.resumeRevision <= revision) watcher.fail(compacted);
  };

  /**
   * The heartbeat tick of slice `slice` of `slices` (default: all watchers in one): each of its
   * watchers that delivered nothing since its last tick gets a progress message. Ticking the
   * slices in turn spreads the heartbeats of many idle watchers over the period instead of
   * writing to all of them at one instant.
   */
  tick(slice = 0, slices = 1): void {
    for (const [watcher, opened] of this.watchers) if (opened % slices === slice) watcher.tick();
  }

  /** Ends every watch cleanly and opens no more (shutdown). */
  close(): void {
    this.closed = true;
    for (const watcher of [...this.watchers.keys()]) watcher.cancel();
  }

  /** @internal Called by a watcher that starts live or has caught up with the history. */
  attach(watcher: Watcher): void {
    const key = watcher.filter.key;
    if (key === undefined) addTo(this.ranged, groupOf(watcher), watcher);
    else addTo(this.byKey, key, watcher);
  }

  /** @internal Called by a watcher that ended. */
  detach(watcher: Watcher): void {
    this.watchers.delete(watcher);
    const key = watcher.filter.key;
    if (key === undefined) removeFrom(this.ranged, groupOf(watcher), watcher);
    else removeFrom(this.byKey, key, watcher);
  }

  /** Offers each watched key's events of the batch, as one message, to every watcher of that key. */
  private offerToKeys({ revision, events }: ChangeBatch, committedAt: number): void {
    if (this.byKey.size === 0) return;
    if (events.length === 1) {
      // The common case (one put or delete): the batch's own events are the message's.
      const watchers = this.byKey.get(events[0].entry.key);
      if (watchers !== undefined) offerAll(watchers, { type: 'change', revision, events, committedAt });
      return;
    }
    const touched = new Map<string, ChangeEvent[]>();
    for (const event of events) {
      const key = event.entry.key;
      if (!this.byKey.has(key)) continue;
      const list = touched.get(key);
      if (list === undefined) touched.set(key, [event]);
      else list.push(event);
    }
    for (const [key, keyEvents] of touched) {
      // A watcher offered an earlier key's message may have ended and taken its key's set with it.
      const watchers = this.byKey.get(key);
      if (watchers !== undefined) offerAll(watchers, { type: 'change', revision, events: keyEvents, committedAt });
    }
  }

  /** Offers every group of prefix and range watchers the batch's events its filter includes (in the write's order), once per group. */
  private offerToRanges(batch: ChangeBatch, committedAt: number): void {
    for (const watchers of this.ranged.values()) {
      const first = watchers.values().next();
      if (first.done === true) continue;
      const { filter } = first.value;
      let matched: ChangeEvent[] | undefined;
      for (const event of batch.events) if (filter.includes(event.entry.key)) (matched ??= []).push(event);
      if (matched === undefined) continue;
      const events = matched.length === batch.events.length ? batch.events : matched;
      offerAll(watchers, { type: 'change', revision: batch.revision, events, committedAt });
    }
  }
}

/** The group a prefix or range watcher is filed under: its filter's, or itself alone. */
function groupOf(watcher: Watcher): string | Watcher {
  return watcher.filter.group ?? watcher;
}

function addTo<K>(map: Map<K, Set<Watcher>>, key: K, watcher: Watcher): void {
  let set = map.get(key);
  if (set === undefined) map.set(key, (set = new Set()));
  set.add(watcher);
}

function removeFrom<K>(map: Map<K, Set<Watcher>>, key: K, watcher: Watcher): void {
  const set = map.get(key);
  set?.delete(watcher);
  if (set?.size === 0) map.delete(key);
}

/** Offers one message to each watcher (one that ends meanwhile leaves the set; iteration goes on). */
function offerAll(watchers: ReadonlySet<Watcher>, message: ChangeMessage): void {
  for (const watcher of watchers) watcher.offer(message);
}
