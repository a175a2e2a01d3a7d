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
  it('carries each key’s deadline, and gives a leased key its lease’s full TTL as its own', async () => {
    const store = new KeyValueStore(new MemoryTransactionLog());
    await store.restore();
    await store.put('plain', 'p');
    await store.put('timed', 't', undefined, { ttlMs: 3_600_000 });
    const lease = await store.grantLease(60_000);
    await store.put('leased', 'l', undefined, { lease: lease.id });

    const sink = collectingSink();
    const before = Date.now();
    await streamSnapshot(store.view(), sink, recordingLogger().logger);
    const after = Date.now();
    const parser = new SnapshotParser();
    const entries = sink.bytes.flatMap((chunk) => parser.push(chunk));
    expect(parser.end().keys).toBe(3);
    const deadline = (key: string) => entries.find((entry) => entry.key === key)?.deadlineMs;

    expect(deadline('plain')).toBe(0);
    expect(deadline('timed')).toBe(store.getEntry('timed').expiresAt);
    expect(deadline('leased')).toBeGreaterThanOrEqual(before + 60_000);
    expect(deadline('leased')).toBeLessThanOrEqual(after + 60_000);
  });
});
