import {
  KvsError,
  OutcomeUnknownError,
  type KeyEntry,
  type LiveState,
  type LogRecord,
  type ReplayedRecord,
  type TransactionLog,
  utf8ByteLength,
  writeEventBytes,
} from '../../src/core';

/**
 * Adapter tests drive a logger one key write at a time, as the book's store did: these
 * helpers give each mutation its own record and revision, the way KeyValueStore does, and
 * flatten replayed records back into one event per key write.
 */

/** One key write, as an adapter test makes it. */
export type Mutation =
  | { readonly type: 'put'; readonly key: string; readonly value: string }
  | { readonly type: 'delete'; readonly key: string };

/** A mutation as a log holds it: with the revision of its record. */
export type Event = Mutation & { readonly sequence: number };

interface Revisions {
  issued: number;
  applied: number;
  /** Revisions up to this one may have reached the log (an outcome it could not tell): never given again. */
  spent: number;
  inFlight: number;
}

const revisionsByLog = new WeakMap<TransactionLog, Revisions>();

function revisionsOf(log: TransactionLog): Revisions {
  let revisions = revisionsByLog.get(log);
  if (!revisions) {
    revisions = { issued: 0, applied: 0, spent: 0, inFlight: 0 };
    revisionsByLog.set(log, revisions);
  }
  return revisions;
}

/**
 * Every record the logger's readEvents yields, its batches flattened in order, as appended:
 * without the hint ReplayedRecord.changeBytesAfter, checked here to be at most what the watch
 * history counts for the key writes after the record (overstated, it would lose revisions).
 */
export async function collectRecords(log: TransactionLog): Promise<ReplayedRecord[]> {
  const all: ReplayedRecord[] = [];
  const hints: (number | undefined)[] = [];
  const revisions = revisionsOf(log);
  // A budget of 0: a log that gives hints gives them wherever the changes after are any.
  for await (const batch of log.readEvents(0)) {
    for (const { changeBytesAfter, ...record } of batch) {
      all.push(record);
      hints.push(changeBytesAfter);
      revisions.applied = Math.max(revisions.applied, record.revision);
    }
  }
  revisions.issued = revisions.applied;
  let after = 0;
  for (let i = all.length - 1; i >= 0; i--) {
    expect(hints[i] ?? 0).toBeLessThanOrEqual(after);
    after += changeBytesOf(all[i]);
  }
  return all;
}

/** What the watch history counts at least for a record's key writes (writeEventBytes of each). */
export function changeBytesOf(record: ReplayedRecord): number {
  let bytes = 0;
  for (const write of record.writes)
    bytes += writeEventBytes(utf8ByteLength(write.key), write.type === 'put' ? utf8ByteLength(write.value) : 0);
  return bytes;
}

/** Every key write the logger replays, in order, each with its record's revision as `sequence`. */
export async function collectEvents(log: TransactionLog): Promise<Event[]> {
  return eventsOf(await collectRecords(log));
}

/** The key writes of records, each with its record's revision as `sequence`. */
export function eventsOf(records: readonly ReplayedRecord[]): Event[] {
  return records.flatMap((record) =>
    record.writes.map((write): Event =>
      write.type === 'put'
        ? { type: 'put', key: write.key, value: write.value, sequence: record.revision }
        : { type: 'delete', key: write.key, sequence: record.revision },
    ),
  );
}

/**
 * Appends the mutation as a record of its own at the next revision (after collectRecords or
 * collectEvents has replayed the log), and resolves with it as an event. A refused append's
 * revision is given again once nothing is in flight, as the store does; one whose outcome is
 * unknown never is (it may still commit, as the store's own accounting knows).
 */
export function appendMutation(log: TransactionLog, mutation: Mutation): Promise<Event> {
  const revisions = revisionsOf(log);
  const revision = ++revisions.issued;
  const record: LogRecord = {
    revision,
    writes: [mutation.type === 'put' ? { ...mutation, createRevision: revision, version: 1 } : mutation],
  };
  revisions.inFlight++;
  return log.append(record).then(
    () => {
      revisions.inFlight--;
      revisions.applied = Math.max(revisions.applied, revision);
      return { ...mutation, sequence: revision };
    },
    (error: unknown) => {
      revisions.inFlight--;
      const refused = error instanceof KvsError && !(error instanceof OutcomeUnknownError);
      if (!refused) revisions.spent = revisions.issued;
      if (revisions.inFlight === 0) revisions.issued = Math.max(revisions.applied, revisions.spent);
      throw error;
    },
  );
}

/**
 * A map of key to value lent as a store's live state, for adapter tests that keep their own
 * state: each entry at revision 1, version 1, read as it is when the view is taken.
 */
export function liveStateOf(map: ReadonlyMap<string, string>): LiveState {
  return {
    get size() {
      return map.size;
    },
    entries: () =>
      [...map].map(([key, value]): KeyEntry => ({ key, value, createRevision: 1, modRevision: 1, version: 1 })),
    leases: () => [],
  };
}
