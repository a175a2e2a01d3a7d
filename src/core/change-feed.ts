import type { EventType } from './events';

/** A key's state as a change shows it: etcd's KeyValue (the store's KeyEntry has this shape). */
export interface ChangedEntry {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

/** One key's change within a committed revision. */
export interface ChangeEvent {
  readonly type: EventType;
  /**
   * The key after the change. After a delete, as in etcd: the key with the delete's revision as
   * modRevision, an empty value, createRevision and version 0.
   */
  readonly entry: ChangedEntry;
  /** The key just before the change; undefined when it was absent. */
  readonly previous: ChangedEntry | undefined;
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
