import { SnapshotParser } from '../../../src/api/snapshot/snapshot-parser';
import { streamSnapshot, type SnapshotSink } from '../../../src/application/snapshot/snapshot-stream';
import { KeyValueStore } from '../../../src/core';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';
import { recordingLogger } from '../../support/recording-logger';

/** A sink that keeps every byte and never pushes back. */
function collectingSink(): SnapshotSink & { readonly bytes: Buffer[] } {
  const bytes: Buffer[] = [];
  return { bytes, closed: false, write: (chunk) => bytes.push(chunk) > 0, drained: () => Promise.resolve() };
}

describe('a snapshot of keys with TTLs and leases', () => {
  it('carries each key’s deadline, each lease with its TTL, and each leased key’s lease', async () => {
    const store = new KeyValueStore(new MemoryTransactionLog());
    await store.restore();
    await store.put('plain', 'p');
    await store.put('timed', 't', undefined, { ttlMs: 3_600_000 });
    const lease = await store.grantLease(60_000);
    await store.put('leased', 'l', undefined, { lease: lease.id });

    const sink = collectingSink();
    await streamSnapshot(store.view(), sink, recordingLogger().logger);
    const parser = new SnapshotParser();
    const entries = sink.bytes.flatMap((chunk) => parser.push(chunk));
    expect(parser.end()).toMatchObject({ keys: 3, leases: 1 });
    expect(parser.leases).toEqual([{ id: lease.id, ttlMs: 60_000, revision: lease.revision }]);
    const fields = (key: string) => {
      const entry = entries.find((found) => found.key === key);
      return [entry?.deadlineMs, entry?.lease];
    };
    expect(fields('plain')).toEqual([0, 0]);
    expect(fields('timed')).toEqual([store.getEntry('timed').expiresAt, 0]);
    expect(fields('leased')).toEqual([0, lease.id]);
  });

  it('writes the keys of a lease replay found no grant for as long expired, leaving the lease out', async () => {
    // Keys attached to lease 77, whose grant the log does not hold: replay adopts it, already over.
    const log = new MemoryTransactionLog([
      { revision: 1, writes: [{ type: 'put', key: 'orphan', value: 'o', createRevision: 1, version: 1, lease: 77 }] },
    ]);
    const store = new KeyValueStore(log);
    await store.restore();
    const sink = collectingSink();
    await streamSnapshot(store.view(), sink, recordingLogger().logger);
    const parser = new SnapshotParser();
    const entries = sink.bytes.flatMap((chunk) => parser.push(chunk));
    expect(parser.end()).toMatchObject({ keys: 1, leases: 0 });
    expect(entries).toEqual([expect.objectContaining({ key: 'orphan', deadlineMs: 1, lease: 0 })]);
  });
});
