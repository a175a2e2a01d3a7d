import {
  LogHealthState,
  type CompactionReport,
  type KeyEntry,
  type LeaseGrant,
  type LogHealth,
  type LogHealthListener,
  type LogFollower,
  type LogRecord,
  type OwnerMessage,
  type ReplayedRecord,
  type TransactionLog,
} from '../../core';
import type { OwnerLink } from './owner-link';

type Snapshot = Extract<OwnerMessage, { kvs: 'snapshot' }>;

/**
 * A worker's transaction log: the owner's history as the replica store follows it. The
 * "replay" is the owner's snapshot (its live entries and leases at one revision, as base
 * records); `follow` then hands over every durable record after it, in revision order. Health
 * is the owner's log's, and `failed` for good once the owner is gone (the worker then drains
 * and exits: only a fresh snapshot could say what the owner's log holds). It never appends:
 * the replica store sends its writes to the owner.
 */
export class ReplicaLog implements TransactionLog {
  private readonly healthState = new LogHealthState();
  private readonly chunks: Snapshot[] = [];
  private wake: (() => void) | undefined;
  /** Records that arrived before `follow` was called: handed over first. */
  private early: LogRecord[] = [];
  private apply: ((records: readonly LogRecord[]) => void) | undefined;

  constructor(link: OwnerLink) {
    link.onMessage((message) => {
      if (message.kvs === 'snapshot') {
        this.chunks.push(message);
        this.wake?.();
      } else if (message.kvs === 'batch') {
        if (message.records.length === 0) return;
        if (this.apply) this.apply(message.records);
        else this.early.push(...message.records);
      } else if (message.kvs === 'health') {
        this.healthState.set(message.health);
      }
    });
    link.onClose(() => {
      this.healthState.set('failed');
      this.wake?.();
    });
    link.hello();
  }

  async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
    for (;;) {
      const chunk = this.chunks.shift();
      if (chunk === undefined) {
        if (this.healthState.get() === 'failed') throw new Error('the owner process ended before its snapshot arrived');
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      yield [...chunk.leases.map(grantRecord), ...chunk.entries.map(entryRecord)];
      if (chunk.done) {
        this.healthState.set(chunk.health);
        // The snapshot's revision, even when its newest record changed no live key.
        yield [{ revision: chunk.revision, writes: [], base: true }];
        return;
      }
    }
  }

  append(): Promise<void> {
    return Promise.reject(new Error('a worker replica never appends: its writes go to the owner process'));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  health(): LogHealth {
    return this.healthState.get();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.healthState.onChange(listener);
  }

  attachLiveState(): void {
    // The owner compacts its own log; a replica has nothing to compact.
  }

  compact(): Promise<CompactionReport> {
    return Promise.reject(new Error('a worker replica never compacts: the owner process does'));
  }

  follow(follower: LogFollower): void {
    // The owner's history is never compacted under a worker (it starts from a snapshot): no rebase.
    const apply = (records: readonly LogRecord[]): void => follower.apply(records);
    this.apply = apply;
    const early = this.early;
    this.early = [];
    apply(early);
  }
}

/** A live entry of the snapshot as a base record at its mod revision. */
function entryRecord(entry: KeyEntry): ReplayedRecord {
  const { key, value, createRevision, version, expiresAt, lease } = entry;
  const write = { type: 'put' as const, key, value, createRevision, version };
  return {
    revision: entry.modRevision,
    writes: [
      { ...write, ...(expiresAt === undefined ? {} : { expiresAt }), ...(lease === undefined ? {} : { lease }) },
    ],
    base: true,
  };
}

/** A lease of the snapshot as the base record of its grant. */
function grantRecord({ id, ttlMs, revision }: LeaseGrant): ReplayedRecord {
  return { revision, writes: [], leases: [{ type: 'grant', id, ttlMs }], base: true };
}
