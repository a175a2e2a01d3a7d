import type { EventType } from './events';
import type { KeyEntry } from './ordered-index';

/** One key's change within a committed revision. */
export interface ChangeEvent {
  readonly type: EventType;
  /**
   * The key after the change. After a delete, as in etcd: the key with the delete's revision as
   * modRevision, an empty value, createRevision and version 0.
   */
  readonly entry: KeyEntry;
  /** The key just before the change; undefined when it was absent. */
  readonly previous: KeyEntry | undefined;
}

/** Every change of one committed store revision, in the order the write made them. */
export interface ChangeBatch {
  readonly revision: number;
  readonly events: readonly ChangeEvent[];
}

/**
 * Where committed changes come from: the store calls it once per revision that changed
 * something, in revision order, synchronously right after the revision is applied (so a
 * reader of the store never sees a revision a watcher has not been offered). It must not
 * throw and must not block: it only records and hands on.
 */
export type CommitObserver = (batch: ChangeBatch) => void;

/**
 * Told that the store took a shared log's compacted state through `revision` in one step (a
 * rebase, TransactionLog.follow) instead of the revisions up to it, whose changes are not
 * known: no watch can be served across them. Synchronously, before any later revision is applied.
 */
export type RebaseObserver = (revision: number) => void;

/**
 * What the store tells of the log's replay at start-up (the watch history is seeded from it),
 * in revision order, before any commit: the revisions whose changes replay establishes
 * exactly, and those it cannot (compacted away, or read against a state replay does not
 * know), before which no watch can start.
 */
export interface ReplayObserver {
  /** A replayed revision's changes, read against the replayed state just before it. */
  replayed(batch: ChangeBatch): void;
  /** No change up to `revision` can be told from the log. */
  unknownThrough(revision: number): void;
  /**
   * The most bytes of changes it keeps (as eventBytes counts them): a replayed record whose
   * later records alone count more (ReplayedRecord.changeBytesAfter) would be dropped again,
   * so the store tells `unknownThrough` instead of building its changes. Absent: keeps all.
   */
  readonly keepsBytes?: number;
}

/** The event of a change at `revision` that leaves `key` as `after` (undefined: deleted) and was `previous` before. */
export function changeEventOf(
  revision: number,
  key: string,
  after: KeyEntry | undefined,
  previous: KeyEntry | undefined,
): ChangeEvent {
  if (after !== undefined) return { type: 'put', entry: after, previous };
  return { type: 'delete', entry: { key, value: '', createRevision: 0, modRevision: revision, version: 0 }, previous };
}

/** The optional fields of an entry: its deadline and its lease, each only when set. */
export function extrasOf(
  expiresAt: number | undefined,
  lease: number | undefined,
): { expiresAt?: number; lease?: number } {
  if (expiresAt === undefined && lease === undefined) return NO_EXTRAS;
  return { ...(expiresAt === undefined ? {} : { expiresAt }), ...(lease === undefined ? {} : { lease }) };
}

/** What extrasOf gives a generation with neither: one shared object, as most writes have neither. */
const NO_EXTRAS: { readonly expiresAt?: number; readonly lease?: number } = Object.freeze({});

/**
 * The entry a put leaves its key as. Most entries have neither a deadline nor a lease, and
 * those are built without a spread (a spread in a literal costs a runtime copy each write).
 */
export function entryOf(
  key: string,
  value: string,
  createRevision: number,
  modRevision: number,
  version: number,
  expiresAt: number | undefined,
  lease: number | undefined,
): KeyEntry {
  if (expiresAt === undefined && lease === undefined) return { key, value, createRevision, modRevision, version };
  return { key, value, createRevision, modRevision, version, ...extrasOf(expiresAt, lease) };
}
