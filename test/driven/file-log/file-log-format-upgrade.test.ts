import { readFile, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { KeyValueStore, type KeyEntry } from '../../../src/core';
import { FILE_MAGIC } from '../../../src/driven/file-log/record-format';
import { collectRecords } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** A format 1 file header and records, encoded here as the first kvs release wrote them (FORMAT.md history). */
function formatOneLog(
  events: readonly { type: 'put' | 'delete'; key: string; value?: string; sequence: number }[],
): Buffer {
  const header = Buffer.alloc(16);
  FILE_MAGIC.copy(header, 0);
  header.writeUInt32LE(1, 8);
  header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
  const records = events.map(({ type, key, value = '', sequence }) => {
    const keyBytes = Buffer.from(key, 'utf8');
    const valueBytes = Buffer.from(type === 'put' ? value : '', 'utf8');
    const payload = Buffer.alloc(13 + keyBytes.length + valueBytes.length);
    payload[0] = type === 'put' ? 1 : 2;
    payload.writeUInt32LE(sequence, 1);
    payload.writeUInt32LE(keyBytes.length, 9);
    keyBytes.copy(payload, 13);
    valueBytes.copy(payload, 13 + keyBytes.length);
    const recordHeader = Buffer.alloc(12);
    recordHeader.writeUInt32LE(payload.length, 0);
    recordHeader.writeUInt32LE(crc32(payload), 4);
    recordHeader.writeUInt32LE(crc32(recordHeader.subarray(0, 8)), 8);
    return Buffer.concat([recordHeader, payload]);
  });
  return Buffer.concat([header, ...records]);
}

const OLD_HISTORY = [
  { type: 'put' as const, key: 'a', value: '1', sequence: 3 },
  { type: 'put' as const, key: 'a', value: '2', sequence: 4 },
  { type: 'put' as const, key: 'b', value: 'x', sequence: 9 },
  { type: 'delete' as const, key: 'b', sequence: 10 },
  { type: 'put' as const, key: 'b', value: 'y', sequence: 12 },
];

/** A store restored from the directory's log, and a way to close that log. */
async function restoredStore(): Promise<KeyValueStore & { close(): Promise<void> }> {
  const log = dir.open();
  const store = new KeyValueStore(log);
  await store.restore();
  return Object.assign(store, { close: () => log.close() });
}

function everything(store: KeyValueStore): readonly KeyEntry[] {
  return store.range({}).entries;
}

describe('a format 1 log', () => {
  it('replays with revisions assigned in order and per-key metadata derived from its history', async () => {
    await writeFile(dir.file(), formatOneLog(OLD_HISTORY));
    const store = await restoredStore();
    expect(store.revision).toBe(5);
    expect(everything(store)).toEqual([
      { key: 'a', value: '2', createRevision: 1, modRevision: 2, version: 2 },
      { key: 'b', value: 'y', createRevision: 5, modRevision: 5, version: 1 },
    ]);
  });

  it('is left as it is: appends go to a new format 2 incremental named by a manifest, and revisions continue', async () => {
    const old = formatOneLog(OLD_HISTORY);
    await writeFile(dir.file(), old);
    let store = await restoredStore();
    expect(await dir.files()).toEqual(['transactions.log', 'transactions.log.incr.1', 'transactions.log.manifest']);
    const put = await store.put('a', '3');
    expect(put).toEqual({
      revision: 6,
      entry: { key: 'a', value: '3', createRevision: 1, modRevision: 6, version: 3 },
    });
    await store.close();
    expect(await readFile(dir.file())).toEqual(old);

    store = await restoredStore();
    expect(store.revision).toBe(6);
    expect(store.getEntry('a')).toEqual(put.entry);
    expect(await dir.files()).toEqual(['transactions.log', 'transactions.log.incr.1', 'transactions.log.manifest']);
  });

  it('keeps its revisions and metadata through restarts and compaction', async () => {
    await writeFile(dir.file(), formatOneLog(OLD_HISTORY));
    let store = await restoredStore();
    await store.put('c', 'new');
    await store.delete('a');
    const expected = everything(store);
    const revision = store.revision;
    await store.close();

    store = await restoredStore();
    expect(store.revision).toBe(revision);
    expect(everything(store)).toEqual(expected);
    await store.compact();
    await store.close();
    expect(await dir.files()).not.toContain('transactions.log');

    const log = dir.open();
    const records = await collectRecords(log);
    await log.close();
    // The last write was a delete: the base itself says which revision the history stands at.
    expect(records.at(-1)).toEqual({ revision, writes: [], base: true });
    store = await restoredStore();
    expect(store.revision).toBe(revision);
    expect(everything(store)).toEqual(expected);
  });
});
