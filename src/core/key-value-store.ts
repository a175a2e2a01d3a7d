import {
  changeEventOf,
  entryOf,
  type ChangeEvent,
  type CommitObserver,
  type RebaseObserver,
  type ReplayObserver,
} from './change-feed';
import type { DeleteWrite, KeyWrite, LeaseWrite, LogRecord, PutWrite, ReplayedPut, ReplayedRecord } from './events';
import {
  HistoryMovedError,
  ReadOnlyError,
  InvalidRequestError,
  KeyAccessDeniedError,
  KvsError,
  LeaseNotFoundError,
  NoSuchKeyError,
  OutcomeUnknownError,
  PreconditionFailedError,
  QuotaExceededError,
} from './errors';
import { LeaseTable, type LeaseStatus } from './lease-table';
import { systemClock, type Clock } from './clock';
import { ExpiryQueue, type Deadline } from './expiry-queue';
import { checkKey, checkTtl, checkValue, DEFAULT_LIMITS, utf8ByteLength, type Limits } from './limits';
import { OrderedIndex, type KeyEntry } from './ordered-index';
import { RevisionWaiters } from './revision-waiters';
import {
  boundsOf,
  clipBounds,
  pageBounds,
  pageLimit,
  withinBounds,
  type KeyBounds,
  type KeySelector,
  type RangePage,
  type RangeQuery,
} from './range-query';
import { checkTxn, compareHolds, keysOf, type TxnOpResult, type TxnRequest, type TxnResult } from './txn';
import type { CompactionReport, LiveState, TransactionLog } from './transaction-log.port';

/** What a restore found in the log. */
export interface RestoreSummary {
  /** Records read from the log. */
  readonly events: number;
  /** Live keys afterwards. */
  readonly keys: number;
  /** The store revision afterwards. */
  readonly revision: number;
}

/**
 * What a conditional put or delete expects of the key; the write changes nothing and throws
 * PreconditionFailedError (with the key's current mod_revision) unless it holds.
 */
export interface WriteCondition {
  /** The key's current mod_revision must be this; 0 means the key must be absent. */
  readonly modRevision?: number;
  /** true: the key must be live; false: it must be absent. */
  readonly exists?: boolean;
}

/**
 * How long a put's generation lives: a TTL in ms from now (the store's clock), or as long as
 * a lease; neither when both are undefined (a put may not name both).
 */
export interface PutOptions {
  readonly ttlMs?: number;
  readonly lease?: number;
}

/** What a lease grant answers. */
export interface LeaseGrantResult {
  readonly id: number;
  readonly ttlMs: number;
  readonly revision: number;
}

/** What a revoke answers: its revision and how many keys it deleted. */
export interface LeaseRevokeResult {
  readonly revision: number;
  readonly deleted: number;
}

/** How often a write is decided again, at most, when a shared log's history moves on under it. */
const MAX_DECISIONS = 64;

/** Keys one expiry record deletes at most, when no other batch size is asked for. */
export const DEFAULT_EXPIRY_BATCH = 1000;

/** What the store's deadlines look like now (for metrics). */
export interface ExpiryStats {
  /** Keys in the store with a deadline (those past it whose delete is not logged yet included). */
  readonly keysWithTtl: number;
  /** Leases held (those past their deadline whose revoke is not logged yet included). */
  readonly leases: number;
}

/** What a put answers: its revision and the key's entry after it. */
export interface PutResult {
  readonly revision: number;
  readonly entry: KeyEntry;
}

/** What a delete answers: its revision (the store's, when nothing was deleted) and whether the key was live. */
export interface DeleteResult {
  readonly revision: number;
  readonly deleted: boolean;
}

/** What a delete of a range answers: its revision (the store's, when nothing matched) and how many keys went. */
export interface DeleteRangeResult {
  readonly revision: number;
  readonly deleted: number;
}

/** Every live entry as it stood at one store revision (a copy-on-write view: later writes do not show in it). */
export interface StoreView extends LiveState {
  /** The store revision the view stands at. */
  readonly revision: number;
}

/** A key's entry (undefined when absent) and the store revision it was read at. */
export interface ReadResult {
  readonly revision: number;
  readonly entry: KeyEntry | undefined;
}

/** The latest write to a key still on its way to the log: what the key will be once it is durable. */
interface PendingWrite {
  readonly entry: KeyEntry | undefined;
  /** Resolves (never rejects) once the write is applied or has failed. */
  readonly settled: Promise<void>;
}

/**
 * The key-value store: an ordered index in memory kept in step with a durable transaction log,
 * with etcd's data model: a store revision that every write raises by one, and per key the
 * revisions that created and last changed it and its version.
 *
 * A write goes to the log first and reaches the index only once the log reports it durable,
 * so the index never holds anything the log could lose, and a failed write changes nothing.
 * The store gives each record its revision when it hands it to the log; the log resolves
 * appends in call order, so records reach the index in revision order.
 *
 * Writes to different keys are pipelined (the log commits them in groups). A plain put is
 * decided against what the key will be once the writes ahead of it are durable, so puts to
 * one key pipeline too. Everything whose outcome depends on a key's state (a conditional
 * write, a delete, a delete of a range, a transaction) first waits until no write to the keys
 * it names is pending, and is then decided against durable state: it never answers from a
 * write that might still fail.
 */
export class KeyValueStore {
  private readonly index = new OrderedIndex();
  private readonly pending = new Map<string, PendingWrite>();
  /** The revision of the last record applied: the store revision clients see. */
  private current = 0;
  /** The revision of the last record handed to the log. */
  private issued = 0;
  /** Revisions up to this one may have reached the log (an outcome the log could not tell): never given again. */
  private spent = 0;
  private inFlight = 0;
  private liveBytes = 0;
  /** What the writes in flight add to liveBytes once durable (negative when they free space). */
  private pendingBytes = 0;
  /** Every generation with a deadline (and stale ones, dropped when due). */
  private readonly deadlines = new ExpiryQueue();
  /** Keys in the index with a deadline, expired or not. */
  private withDeadline = 0;
  private readonly leases = new LeaseTable();
  private readonly revisionWaiters = new RevisionWaiters();
  /** Called once no write is in flight. */
  private idle: (() => void)[] = [];
  /** Whether the log is shared with other writers and hands over their records (TransactionLog.follow). */
  private following = false;
  /**
   * Whether this store logs the expiries of its keys (expireDue) and so queues their deadlines.
   * A replica whose owner logs them (ReplicaStore) does not: its queue would only grow.
   */
  protected readonly logsExpiries: boolean = true;

  constructor(
    private readonly log: TransactionLog,
    /** The size limits checked on every request, and the data quota. */
    readonly limits: Limits = DEFAULT_LIMITS,
    /** Told of every committed revision, in order, as it is applied (the watch hub's feed); not of replay. */
    private readonly onCommit?: CommitObserver,
    /** The wall clock deadlines are set and checked against (Unix ms). */
    private readonly clock: Clock = systemClock,
    /** Told when a shared log's compacted state replaced revisions the store had not applied (the watch hub). */
    private readonly onRebase?: RebaseObserver,
    /**
     * True while the log must not grow (the read-only flag): the request policies refuse every
     * write then, and the store refuses what they let through that it would log, a shared
     * log's keepalive (ReadOnlyError).
     */
    private readonly frozen: () => boolean = () => false,
  ) {}

  /**
   * Replays the log into memory; call once, before serving any request. `replay` (the watch
   * history) is told the changes of every record replay gives back whole, and where it cannot.
   */
  async restore(replay?: ReplayObserver): Promise<RestoreSummary> {
    let events = 0;
    // Replay applies records directly: going through put/delete would log them a second time.
    for await (const batch of this.log.readEvents(replay?.keepsBytes)) {
      for (const record of batch) {
        if (replay === undefined) this.apply(record);
        else this.replayTelling(record, replay);
      }
      events += batch.length;
    }
    this.issued = this.current;
    this.leases.restarted(this.clock.now());
    this.leases.adoptOrphans(this.current);
    // The log may snapshot the live entries to compact its history (it only ever reads them).
    const index = this.index;
    const leases = this.leases;
    const live: LiveState = {
      get size() {
        return index.size;
      },
      entries: () => index.snapshot().entries(),
      leases: () => leases.grants(),
    };
    this.log.attachLiveState(live);
    if (this.log.follow) {
      this.following = true;
      this.log.follow({
        apply: (records) => this.follow(records),
        rebase: (base, through) => this.rebase(base, through),
      });
    }
    return { events, keys: this.index.size, revision: this.current };
  }

  /** The store revision: that of the last write applied. */
  get revision(): number {
    return this.current;
  }

  /**
   * Calls `reached` once the store revision is at least `revision` (synchronously, now, if it
   * already is); returns the function that cancels the wait. Bounding the wait is the caller's.
   */
  whenRevision(revision: number, reached: () => void): () => void {
    if (this.current >= revision) {
      reached();
      return () => undefined;
    }
    return this.revisionWaiters.add(revision, reached);
  }

  /** Number of live keys. */
  get size(): number {
    return this.index.size;
  }

  /** UTF-8 bytes of every live key and value: what the data quota (limits.maxDataBytes) counts. */
  get dataBytes(): number {
    return this.liveBytes;
  }

  /** A consistent view of every live key at the store revision, in O(1); reads and writes go on beside it. */
  view(): StoreView {
    // Taken in one synchronous step: the index and `current` change together when a record is applied.
    const snapshot = this.index.snapshot();
    const grants = [...this.leases.grants()];
    return { revision: this.current, size: snapshot.size, entries: () => snapshot.entries(), leases: () => grants };
  }

  /** Returns the key's value, or throws NoSuchKeyError. */
  get(key: string): string {
    return this.getEntry(key).value;
  }

  /** Returns the key's entry with its revisions, or throws NoSuchKeyError. */
  getEntry(key: string): KeyEntry {
    checkKey(key, this.limits);
    const entry = this.visible(key);
    if (entry === undefined) throw new NoSuchKeyError(key);
    return entry;
  }

  /** The key's entry (undefined when absent) with the store revision. */
  read(key: string): ReadResult {
    checkKey(key, this.limits);
    return { revision: this.current, entry: this.visible(key) };
  }

  /** Keys with a deadline now (those past it whose delete is not logged yet included). */
  get expiryStats(): ExpiryStats {
    return { keysWithTtl: this.withDeadline, leases: this.leases.size };
  }

  /** A page of the keys a selector names (clipped to `within`), in UTF-8 byte order, in O(log n + page). */
  range(query: RangeQuery): RangePage {
    const bounds = pageBounds(query, this.limits);
    const limit = pageLimit(query);
    const parts = query.within === undefined ? [bounds] : clipBounds(bounds, query.within);
    const entries: KeyEntry[] = [];
    let more = false;
    const now = this.clock.now();
    for (const entry of this.entriesIn(parts)) {
      if (this.isExpired(entry, now)) continue;
      if (entries.length === limit) {
        more = true;
        break;
      }
      entries.push(query.keysOnly ? { ...entry, value: '' } : entry);
    }
    return {
      revision: this.current,
      entries,
      more,
      nextStartAfter: more ? entries[entries.length - 1].key : undefined,
    };
  }

  /** The entries of each of the bounds, one after the other. */
  private *entriesIn(parts: readonly KeyBounds[]): Generator<KeyEntry> {
    for (const { lower, upper } of parts) yield* this.index.entries(lower, upper);
  }

  /**
   * Sets the key's value once the log has it durably, if the condition (when given) holds;
   * writing the same value twice is two writes (two revisions). With a TTL the new generation
   * expires that long from now; without one it does not expire (a put replaces any deadline).
   */
  async put(key: string, value: string, condition?: WriteCondition, options: PutOptions = {}): Promise<PutResult> {
    checkKey(key, this.limits);
    checkValue(value, this.limits);
    return this.decided(() => {
      const extras = this.extrasOf(options);
      if (condition === undefined) return this.commitPut(key, value, this.projected(key), extras);
      return this.whenSettled([key], () => {
        const current = this.visible(key);
        checkCondition(key, current, condition);
        this.checkLeaseOpen(extras.lease);
        return this.commitPut(key, value, current, extras);
      });
    });
  }

  /** Removes the key once the log has the deletion durably, if the condition holds; deleting an absent key succeeds and writes nothing. */
  async delete(key: string, condition?: WriteCondition): Promise<DeleteResult> {
    checkKey(key, this.limits);
    return this.decided(() => {
      // A key that will be live once the writes ahead are durable is deleted behind them, in call
      // order, like a plain put. "Not live" is only answered from durable state: a pending
      // delete ahead of this one might still fail.
      if (condition === undefined && this.projected(key) !== undefined) return this.commitDelete(key);
      return this.whenSettled([key], async () => {
        const current = this.visible(key);
        if (condition !== undefined) checkCondition(key, current, condition);
        if (current === undefined) return { revision: this.current, deleted: false };
        return this.commitDelete(key);
      });
    });
  }

  /** Removes every key the selector names, in one revision (one log record). */
  async deleteRange(selector: KeySelector): Promise<DeleteRangeResult> {
    const bounds = boundsOf(selector, this.limits);
    const pendingInRange = (): Promise<void>[] =>
      [...this.pending].filter(([key]) => withinBounds(key, bounds)).map(([, write]) => write.settled);
    return this.decided(() =>
      this.whenSettledOn(pendingInRange, async () => {
        const writes: DeleteWrite[] = [];
        const now = this.clock.now();
        // Keys past their deadline are already gone for clients; their expiry deletes them.
        for (const entry of this.index.entries(bounds.lower, bounds.upper))
          if (!this.isExpired(entry, now)) writes.push({ type: 'delete', key: entry.key });
        if (writes.length === 0) return { revision: this.current, deleted: 0 };
        const revision = await this.commit(writes, new Array<undefined>(writes.length));
        return { revision, deleted: writes.length };
      }),
    );
  }

  /**
   * Runs a transaction (etcd's Txn): the compares are evaluated against durable state, then
   * the ops of one branch run in order, each get seeing the writes before it. All writes get
   * one revision and are one log record; a transaction that writes nothing logs nothing.
   */
  async txn(request: TxnRequest): Promise<TxnResult> {
    checkTxn(request, this.limits);
    return this.decided(() =>
      this.whenSettled(keysOf(request), async () => {
        const succeeded = request.compare.every((compare) => compareHolds(compare, this.visible(compare.key)));
        const revision = this.issued + 1;
        const local = new Map<string, KeyEntry | undefined>();
        const view = (key: string): KeyEntry | undefined => (local.has(key) ? local.get(key) : this.visible(key));
        const writes: KeyWrite[] = [];
        const entries: (KeyEntry | undefined)[] = [];
        const results: TxnOpResult[] = [];
        for (const op of succeeded ? request.success : request.failure) {
          if (op.type === 'get') {
            results.push({ type: 'get', entry: view(op.key) });
          } else if (op.type === 'put') {
            const { write, entry } = putOf(op.key, op.value, view(op.key), revision, this.extrasOf(op));
            local.set(op.key, entry);
            writes.push(write);
            entries.push(entry);
            results.push({ type: 'put', revision });
          } else {
            const deleted = view(op.key) !== undefined;
            if (deleted) {
              local.set(op.key, undefined);
              writes.push({ type: 'delete', key: op.key });
              entries.push(undefined);
            }
            results.push({ type: 'delete', deleted });
          }
        }
        if (writes.length === 0) return { succeeded, revision: this.current, results };
        await this.commit(writes, entries);
        return { succeeded, revision, results };
      }),
    );
  }

  /** Rewrites the log's history to hold just the live state; reads and writes go on meanwhile. */
  compact(): Promise<CompactionReport> {
    return this.log.compact();
  }

  /**
   * Logs the expiry of up to `maxKeys` keys whose deadline has passed, as one record of deletes
   * (one revision), each conditional on the key still being the generation that carried the
   * deadline: a key written again meanwhile is left alone. Resolves to the number deleted (0
   * when none was due); call it again while it returns `maxKeys`. A failed append puts the
   * deadlines back, so the next call tries again.
   */
  async expireDue(maxKeys = DEFAULT_EXPIRY_BATCH): Promise<number> {
    const now = this.clock.now();
    let deleted = 0;
    // A lease's keys go in one record, whatever their number (its revoke is one revision).
    for (const id of this.leases.due(now)) deleted += (await this.endLease(id, 'expiry')).deleted;
    return deleted + (await this.expireKeys(now, maxKeys));
  }

  /**
   * Grants a lease of `ttlMs` (a logged record); its deadline starts now and each keepalive
   * renews it. The id is random (53 bits) so that clients cannot guess each other's leases.
   */
  async grantLease(ttlMs: number): Promise<LeaseGrantResult> {
    checkTtl(ttlMs, this.limits);
    let id: number;
    do id = Math.floor(Math.random() * Number.MAX_SAFE_INTEGER) + 1;
    while (this.leases.has(id));
    const revision = await this.decided(() => this.commit([], [], [{ type: 'grant', id, ttlMs }]));
    return { id, ttlMs, revision };
  }

  /**
   * Renews the lease's deadline to now + its TTL; LeaseNotFoundError unless it is open. With a
   * log of its own it is not a write (memory only). With a shared log it is a logged record of
   * the new deadline, answered once durable, so every replica renews the lease in log order and
   * none expires a lease another one keeps alive (docs/ttl-and-leases.md); so while the store
   * is frozen it is refused (ReadOnlyError), and the lease's deadline runs on.
   */
  async keepAliveLease(id: number): Promise<LeaseStatus> {
    if (!this.following) return this.renewLeaseHere(id);
    await this.decided(() => {
      if (this.frozen()) throw new ReadOnlyError();
      const now = this.clock.now();
      const status = this.leases.open(id, now) ? this.leases.status(id, now) : undefined;
      if (status === undefined) throw new LeaseNotFoundError(id);
      const { ttlMs } = status;
      return this.commit([], [], [{ type: 'keepalive', id, ttlMs, deadline: now + ttlMs }]);
    });
    return this.leaseStatus(id);
  }

  /**
   * Renews the lease in this store's memory only, unlogged: a single instance's keepalive, and a
   * worker replica's copy of a renewal the owner made. LeaseNotFoundError unless it is alive.
   */
  protected renewLeaseHere(id: number): LeaseStatus {
    if (!this.leases.renew(id, this.clock.now())) throw new LeaseNotFoundError(id);
    return this.leaseStatus(id);
  }

  /** The lease's TTL, deadline and keys; LeaseNotFoundError unless it is alive. */
  leaseStatus(id: number): LeaseStatus {
    const status = this.leases.status(id, this.clock.now());
    if (status === undefined) throw new LeaseNotFoundError(id);
    return status;
  }

  /**
   * Revokes the lease: one record deletes every key attached to it. LeaseNotFoundError unless it
   * is alive; KeyAccessDeniedError, changing nothing, when `mayDelete` (the caller's prefixes)
   * refuses one of its keys, checked when the revoke is decided, so no key attaches after it.
   */
  revokeLease(id: number, mayDelete?: (key: string) => boolean): Promise<LeaseRevokeResult> {
    if (!this.leases.open(id, this.clock.now())) throw new LeaseNotFoundError(id);
    return this.endLease(id, 'revoke', mayDelete);
  }

  /**
   * Logs the end of a lease (revoke or expiry): the deletes of its keys and the revoke, in one
   * record, once no write to its keys (or attaching a key to it) is in flight. No key attaches
   * meanwhile; a failed append leaves the lease as it was. Decided again when a shared history
   * moved under it: another replica's keepalive may have renewed the lease (an expiry is then
   * dropped) or its revoke or expiry ended it (a revoke is then LeaseNotFoundError).
   */
  private endLease(
    id: number,
    why: 'revoke' | 'expiry',
    mayDelete?: (key: string) => boolean,
  ): Promise<LeaseRevokeResult> {
    if (!this.leases.setEnding(id, true)) return Promise.resolve({ revision: this.current, deleted: 0 });
    const attached = new Set(this.leases.keys(id));
    const inFlight = (): Promise<void>[] =>
      [...this.pending]
        .filter(([key, write]) => write.entry?.lease === id || attached.has(key))
        .map(([, write]) => write.settled);
    return this.decided(() =>
      this.whenSettledOn(inFlight, async () => {
        const ends = why === 'revoke' ? this.leases.has(id) : this.leases.expired(id, this.clock.now());
        if (!ends) {
          this.leases.setEnding(id, false);
          if (why === 'revoke') throw new LeaseNotFoundError(id);
          return { revision: this.current, deleted: 0 };
        }
        const keys = this.leases.keys(id);
        if (mayDelete !== undefined && !keys.every(mayDelete)) {
          this.leases.setEnding(id, false);
          throw new KeyAccessDeniedError(
            `lease ${id} holds keys outside this token's prefixes: only a token that may delete every one of them may revoke it`,
          );
        }
        const writes: DeleteWrite[] = keys.map((key) => ({ type: 'delete', key }));
        try {
          const revision = await this.commit(writes, new Array<undefined>(writes.length), [{ type: 'revoke', id }]);
          return { revision, deleted: writes.length };
        } catch (error) {
          if (!(error instanceof HistoryMovedError)) this.leases.setEnding(id, false);
          throw error;
        }
      }),
    );
  }

  /** The TTL half of expireDue: keys past their own deadline, at most `maxKeys` in one record. */
  private async expireKeys(now: number, maxKeys: number): Promise<number> {
    const due: Deadline[] = [];
    while (due.length < maxKeys) {
      const item = this.deadlines.popDue(now);
      if (item === undefined) break;
      if (this.isGeneration(item)) due.push(item);
    }
    if (due.length === 0) return 0;
    try {
      return await this.decided(() =>
        this.whenSettled(
          due.map((item) => item.key),
          async () => {
            const writes: DeleteWrite[] = due
              .filter((item) => this.isGeneration(item))
              .map((item) => ({ type: 'delete', key: item.key }));
            if (writes.length === 0) return 0;
            await this.commit(writes, new Array<undefined>(writes.length));
            return writes.length;
          },
        ),
      );
    } catch (error) {
      for (const item of due) if (this.isGeneration(item)) this.deadlines.push(item);
      throw error;
    }
  }

  /** The key's entry as clients may see it: undefined when absent or past its deadline. */
  private visible(key: string): KeyEntry | undefined {
    const entry = this.index.get(key);
    return entry === undefined || this.isExpired(entry, this.clock.now()) ? undefined : entry;
  }

  /** Whether the entry is past its own deadline or its lease's at `now`. */
  private isExpired(entry: KeyEntry, now: number): boolean {
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) return true;
    return entry.lease !== undefined && !this.leases.alive(entry.lease, now);
  }

  /** Refuses with LeaseNotFoundError unless a key may attach to the lease now. */
  private checkLeaseOpen(lease: number | undefined): void {
    if (lease !== undefined && !this.leases.open(lease, this.clock.now())) throw new LeaseNotFoundError(lease);
  }

  /** Whether the key is still the generation the deadline was set for. */
  private isGeneration(item: Deadline): boolean {
    const entry = this.index.get(item.key);
    return entry?.modRevision === item.modRevision && entry.expiresAt === item.expiresAt;
  }

  /** What a put's options make of its generation: an absolute deadline (TTL checked against the limit) or a lease. */
  private extrasOf({ ttlMs, lease }: PutOptions): Extras {
    if (ttlMs !== undefined && lease !== undefined)
      throw new InvalidRequestError('a put takes a ttl or a lease, not both');
    if (lease !== undefined) {
      this.checkLeaseOpen(lease);
      return { lease };
    }
    if (ttlMs === undefined) return NO_EXTRAS;
    checkTtl(ttlMs, this.limits);
    return { expiresAt: this.clock.now() + ttlMs };
  }

  /** What the key will be once the writes to it in flight are durable (undefined when that is past its deadline). */
  private projected(key: string): KeyEntry | undefined {
    const pending = this.pending.get(key);
    const entry = pending ? pending.entry : this.index.get(key);
    return entry === undefined || this.isExpired(entry, this.clock.now()) ? undefined : entry;
  }

  private commitPut(key: string, value: string, previous: KeyEntry | undefined, extras: Extras): Promise<PutResult> {
    const { write, entry } = putOf(key, value, previous, this.issued + 1, extras);
    return this.commit([write], [entry]).then((revision) => ({ revision, entry }));
  }

  private async commitDelete(key: string): Promise<DeleteResult> {
    const revision = await this.commit([{ type: 'delete', key }], [undefined]);
    return { revision, deleted: true };
  }

  /**
   * Runs `decide`, and runs it again when a shared log's history moved on under the write
   * (HistoryMovedError: another writer took its revision, nothing was written). The log has
   * handed over the records that moved it by then; the writes decided on the old history all
   * fail with it, so once they have drained the write is decided against the new history.
   */
  private async decided<T>(decide: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await decide();
      } catch (error) {
        if (!(error instanceof HistoryMovedError) || attempt >= MAX_DECISIONS) throw error;
        await this.drained();
      }
    }
  }

  /** Resolves once no write is in flight. */
  private drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Applies records other writers of a shared log committed (TransactionLog.follow), in
   * revision order, telling watchers as for any commit; records at or below the store revision
   * (handed over twice, or the store's own) are skipped.
   */
  private follow(records: readonly LogRecord[]): void {
    for (const record of records) if (record.revision > this.current) this.applyCommitted(record);
    if (this.issued < this.current) this.issued = this.current;
  }

  /**
   * Takes a shared log's compacted state through `through` in one synchronous step, when the
   * history right after the store's revision was compacted away (TransactionLog.follow).
   * Only what differs is applied: a base write whose generation the store holds already is
   * skipped, and the keys and leases the store holds that the base does not (deleted or
   * revoked in the compacted revisions, whose rows compaction removed) go at `through`.
   * Readers see the old state or the new one, never a mix. The revisions up to `through`
   * reach no watcher: onRebase ends those that needed them.
   */
  private rebase(base: readonly ReplayedRecord[], through: number): void {
    if (through <= this.current) return;
    const keys = new Set<string>();
    const leases = new Set<number>();
    for (const record of base) {
      for (const write of record.writes) {
        if (write.type === 'put') keys.add(write.key);
        else keys.delete(write.key);
      }
      for (const lease of record.leases ?? []) {
        if (lease.type === 'grant') leases.add(lease.id);
        else leases.delete(lease.id);
      }
      const writes = record.writes.filter((write) =>
        write.type === 'put'
          ? this.index.get(write.key)?.modRevision !== record.revision
          : this.index.get(write.key) !== undefined,
      );
      this.apply({ revision: record.revision, writes, leases: record.leases });
    }
    const gone: DeleteWrite[] = [];
    for (const entry of this.index.entries()) if (!keys.has(entry.key)) gone.push({ type: 'delete', key: entry.key });
    const revoked: LeaseWrite[] = [];
    for (const grant of this.leases.grants()) if (!leases.has(grant.id)) revoked.push({ type: 'revoke', id: grant.id });
    this.apply({ revision: through, writes: gone, leases: revoked });
    if (this.issued < this.current) this.issued = this.current;
    this.onRebase?.(through);
  }

  /** Runs `decide` once none of `keys` has a write in flight, synchronously after the check. */
  private whenSettled<T>(keys: readonly string[], decide: () => Promise<T>): Promise<T> {
    return this.whenSettledOn(() => keys.flatMap((key) => this.pending.get(key)?.settled ?? []), decide);
  }

  private async whenSettledOn<T>(waits: () => Promise<void>[], decide: () => Promise<T>): Promise<T> {
    for (;;) {
      const pending = waits();
      // decide runs in the same turn as the check, so no write can slip in between.
      if (pending.length === 0) return decide();
      await Promise.all(pending);
    }
  }

  /**
   * Gives the writes the next revision, checks the quota, hands them to the log as one record
   * and applies them once it is durable. `entries[i]` is what writes[i] leaves its key as.
   * Everything before the append runs synchronously, so records reach the log in revision order.
   */
  private commit(
    writes: readonly KeyWrite[],
    entries: readonly (KeyEntry | undefined)[],
    leases?: readonly LeaseWrite[],
  ): Promise<number> {
    const growth = this.growthOf(writes, entries);
    const quota = this.limits.maxDataBytes;
    if (growth > 0 && quota !== undefined && this.liveBytes + this.pendingBytes + growth > quota) {
      throw new QuotaExceededError(`the live data would exceed the quota of ${quota} bytes; delete keys to make room`);
    }
    const revision = ++this.issued;
    const record: LogRecord = leases === undefined ? { revision, writes } : { revision, writes, leases };
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const mine = writes.map((write, i): [string, PendingWrite] => [write.key, { entry: entries[i], settled }]);
    for (const [key, write] of mine) this.pending.set(key, write);
    this.inFlight++;
    this.pendingBytes += growth;
    const finish = (): void => {
      this.inFlight--;
      this.pendingBytes -= growth;
      for (const [key, write] of mine) if (this.pending.get(key) === write) this.pending.delete(key);
      settle();
      if (this.inFlight === 0) for (const resolve of this.idle.splice(0)) resolve();
    };
    let appended: Promise<void>;
    try {
      appended = this.log.append(record);
    } catch (error) {
      // A log that throws instead of rejecting must not leave the keys pending for ever.
      appended = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return appended.then(
      () => {
        this.applyCommitted(record);
        finish();
        return revision;
      },
      (error: unknown) => {
        finish();
        this.afterFailedAppend(error, revision);
        // A record the log could not settle in time may still commit: memory follows the log then.
        if (error instanceof OutcomeUnknownError) {
          void error.outcome?.then((committed) => (committed ? this.applyCommitted(record) : this.unspend()));
        }
        throw error;
      },
    );
  }

  /**
   * Applies a durable record and tells the commit observer (the watch hub) of its changes,
   * read against the entries just before it. The hub ignores a revision older than one it
   * already has (a late commit after later writes): it cannot be delivered in order.
   */
  private applyCommitted(record: LogRecord): void {
    // A shared log may have handed the record over already (TransactionLog.follow).
    if (this.following && record.revision <= this.current) return;
    const events: ChangeEvent[] | undefined = this.onCommit && [];
    this.apply(record, events);
    // A lease grant changes no key: watchers have nothing to see.
    if (events !== undefined && events.length > 0) this.onCommit?.({ revision: record.revision, events });
  }

  /**
   * A refused record never reached the log, so once nothing is in flight its revision goes to
   * the next write. A record whose outcome is unknown (or an error no adapter should throw)
   * may still appear in the log: no revision up to its own is used again. Only its own: the
   * writes queued behind it are refused unsent, and spending theirs too would number the next
   * write past a shared log's head, where it could commit over another writer's record that
   * this replica has not been handed yet.
   */
  private afterFailedAppend(error: unknown, revision: number): void {
    const refused = error instanceof KvsError && !(error instanceof OutcomeUnknownError);
    if (!refused) this.spent = Math.max(this.spent, revision);
    if (this.inFlight === 0) this.issued = Math.max(this.current, this.spent);
  }

  /**
   * A write of unknown outcome turned out not committed. On a shared log, where the log's
   * head check gives each revision once, its revisions are free again: held back, every later
   * write of this replica would be decided past the head and refused as moved, until other
   * replicas happened to write that many revisions (never, when they are stuck alike). A log
   * with one writer keeps them spent (its rule: never reuse a revision that may have reached it).
   */
  private unspend(): void {
    if (!this.following) return;
    this.spent = this.current;
    if (this.inFlight === 0) this.issued = this.current;
  }

  /** Bytes the writes add to the live data, counted against what their keys will be just before them. */
  private growthOf(writes: readonly KeyWrite[], entries: readonly (KeyEntry | undefined)[]): number {
    // Most records write one key: no map of the keys seen.
    if (writes.length === 1) return entryBytes(entries[0]) - entryBytes(this.projected(writes[0].key));
    let growth = 0;
    const seen = new Map<string, KeyEntry | undefined>();
    writes.forEach((write, i) => {
      const before = seen.has(write.key) ? seen.get(write.key) : this.projected(write.key);
      growth += entryBytes(entries[i]) - entryBytes(before);
      seen.set(write.key, entries[i]);
    });
    return growth;
  }

  /**
   * Applies a replayed record and tells `replay` its changes, read against the replayed state
   * before it, when that state is the one the record was made against: a base record restates
   * compacted state, and a record that does not follow from the state before it (a base
   * restates a later state of its keys) has previous entries replay does not know. A record
   * the history would drop again (ReplayedRecord.changeBytesAfter) is told as unknown, unbuilt.
   */
  private replayTelling(record: ReplayedRecord, replay: ReplayObserver): void {
    const { revision, writes, changeBytesAfter } = record;
    if (changeBytesAfter !== undefined && replay.keepsBytes !== undefined && changeBytesAfter > replay.keepsBytes) {
      // The records after it alone overflow the history, which would drop this one's changes at once.
      this.apply(record);
      return replay.unknownThrough(revision);
    }
    const before = writes.map((write) => this.index.get(write.key));
    const known = record.base !== true && writes.every((write, i) => followsFrom(write, before[i], revision));
    const events: ChangeEvent[] | undefined = known && writes.length > 0 ? [] : undefined;
    this.apply(record, events, before);
    if (!known) return replay.unknownThrough(revision);
    if (events !== undefined) replay.replayed({ revision, events });
  }

  /**
   * Applies a durable record to the index; replay fills in revisions an old log did not record.
   * With `events`, each write's change is added to it, read against the key's entry just before
   * (a record writes each key at most once): the committed batch the watchers are told.
   * `before` (the record's keys' entries just before it, read by the caller) spares a one-write
   * record a second index search.
   */
  private apply(record: ReplayedRecord, events?: ChangeEvent[], before?: readonly (KeyEntry | undefined)[]): void {
    const revision = record.revision;
    const read = before !== undefined && record.writes.length === 1;
    for (const write of record.writes) {
      const previous = read ? before[0] : this.index.get(write.key);
      this.liveBytes -= entryBytes(previous);
      if (previous?.expiresAt !== undefined) this.withDeadline--;
      if (write.type === 'delete') {
        this.index.delete(write.key);
        this.leases.attach(write.key, previous?.lease, undefined);
        events?.push(changeEventOf(revision, write.key, undefined, previous));
        continue;
      }
      const entry = entryOf(
        write.key,
        write.value,
        write.createRevision ?? previous?.createRevision ?? revision,
        revision,
        write.version ?? (previous?.version ?? 0) + 1,
        write.expiresAt,
        write.lease,
      );
      this.index.set(entry);
      events?.push(changeEventOf(revision, write.key, entry, previous));
      this.leases.attach(write.key, previous?.lease, write.lease);
      this.liveBytes += entryBytes(entry);
      if (write.expiresAt !== undefined) {
        this.withDeadline++;
        if (this.logsExpiries)
          this.deadlines.push({ expiresAt: write.expiresAt, key: write.key, modRevision: revision });
      }
    }
    const now = this.clock.now();
    for (const lease of record.leases ?? []) this.leases.apply(lease, revision, now);
    if (revision > this.current) {
      this.current = revision;
      this.revisionWaiters.advanced(revision);
    }
  }
}

/** A generation's deadline or lease (at most one of them). */
interface Extras {
  readonly expiresAt?: number;
  readonly lease?: number;
}

/** The extras of a generation with neither, shared: putOf then builds its write without a spread. */
const NO_EXTRAS: Extras = Object.freeze({});

/** The put record of `value` at `revision` (with its deadline or lease) on a key that is `previous` just before it. */
function putOf(
  key: string,
  value: string,
  previous: KeyEntry | undefined,
  revision: number,
  extras: Extras,
): { write: PutWrite; entry: KeyEntry } {
  const createRevision = previous?.createRevision ?? revision;
  const version = (previous?.version ?? 0) + 1;
  const { expiresAt, lease } = extras;
  return {
    write:
      extras === NO_EXTRAS
        ? { type: 'put', key, value, createRevision, version }
        : { type: 'put', key, value, createRevision, version, ...extras },
    entry: entryOf(key, value, createRevision, revision, version, expiresAt, lease),
  };
}

/**
 * Whether a replayed write follows from `before`, the key's replayed state just before it, as
 * the store makes writes: `before` changed at an earlier revision; a delete removes a key in
 * the index; a put creates a generation (create revision its own, version 1) or raises the
 * version of the one before by one. (A log from before revisions records neither: they are
 * derived from `before`.)
 */
function followsFrom(write: ReplayedPut | DeleteWrite, before: KeyEntry | undefined, revision: number): boolean {
  if (before !== undefined && before.modRevision >= revision) return false;
  if (write.type === 'delete') return before !== undefined;
  const { createRevision, version } = write;
  if (createRevision === undefined || version === undefined) return true;
  if (createRevision === revision && version === 1) return true;
  return before !== undefined && createRevision === before.createRevision && version === before.version + 1;
}

function checkCondition(key: string, current: KeyEntry | undefined, condition: WriteCondition): void {
  const modRevision = current?.modRevision ?? 0;
  const held =
    (condition.modRevision === undefined || condition.modRevision === modRevision) &&
    (condition.exists === undefined || condition.exists === (current !== undefined));
  if (!held) throw new PreconditionFailedError(key, modRevision);
}

function entryBytes(entry: KeyEntry | undefined): number {
  return entry === undefined ? 0 : utf8ByteLength(entry.key) + utf8ByteLength(entry.value);
}
