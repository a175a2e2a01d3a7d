import { appendFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyValueStore, type ReplayedRecord } from '../../../src/core';
import { encodeRecord } from '../../../src/driven/file-log/record-format';
import { changeBytesOf } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** For each record, changeBytes of every record after it: the tightest true hint. */
function tightHints(records: readonly ReplayedRecord[]): number[] {
  const hints: number[] = [];
  let after = 0;
  for (let i = records.length - 1; i >= 0; i--) {
    hints[i] = after;
    after += changeBytesOf(records[i]);
  }
  return hints;
}

/** The records replay gives for a watch history of `historyBytes` (the file log's hints only above it). */
async function replayed(historyBytes?: number): Promise<ReplayedRecord[]> {
  const log = dir.open();
  const records: ReplayedRecord[] = [];
  for await (const batch of log.readEvents(historyBytes)) records.push(...batch);
  await log.close();
  return records;
}

/** A compacted log: a base, then puts (with a TTL, with a lease, multi-byte), deletes, a transaction, lease grants and revokes. */
async function writeLog(): Promise<void> {
  const log = dir.open();
  const store = new KeyValueStore(log);
  await store.restore();
  for (let i = 0; i < 30; i++) await store.put(`before/${i % 7}`, `value ${i}`);
  await store.compact();
  const lease = await store.grantLease(60_000);
  await store.put('leased', 'with a lease', undefined, { lease: lease.id });
  await store.put('timed', 'with a TTL', undefined, { ttlMs: 60_000 });
  await store.put('ключ', 'значение ✓');
  await store.delete('before/3');
  await store.txn({
    compare: [],
    success: [
      { type: 'put', key: 'txn/a', value: 'a' },
      { type: 'delete', key: 'before/4' },
    ],
    failure: [],
  });
  await store.grantLease(60_000);
  await store.revokeLease(lease.id);
  await store.put('last', 'the final record');
  await log.close();
}

async function incrementalFile(): Promise<string> {
  const names = (await readdir(dir.path)).filter((name) => name.includes('.incr.'));
  expect(names).toHaveLength(1);
  return join(dir.path, names[0]);
}

describe('the file log’s hint of the changes after each replayed record', () => {
  it('is what the history counts for the key writes after it, but the last record’s; base records have none', async () => {
    await writeLog();
    const records = await replayed(-1);
    const incremental = records.filter((record) => record.base !== true);
    expect(
      records.filter((record) => record.base === true).every((record) => record.changeBytesAfter === undefined),
    ).toBe(true);
    expect(incremental.length).toBe(9);
    const last = changeBytesOf(incremental[incremental.length - 1]);
    expect(last).toBeGreaterThan(0);
    expect(incremental.map((record) => record.changeBytesAfter)).toEqual(
      tightHints(incremental).map((hint) => Math.max(0, hint - last)),
    );
  });

  it('is given only while the changes after the record exceed the history’s budget, and not without one', async () => {
    await writeLog();
    const all = (await replayed(-1)).filter((record) => record.base !== true);
    const budget = all[4].changeBytesAfter!;
    const hints = (await replayed(budget)).filter((record) => record.base !== true).map((r) => r.changeBytesAfter);
    // Records 0 to 4 are followed by more than record 4's hint; record 5, after it, by no more.
    expect(hints).toEqual([
      ...all.slice(0, 5).map((record) => record.changeBytesAfter),
      ...all.slice(5).map(() => undefined),
    ]);
    expect((await replayed()).every((record) => record.changeBytesAfter === undefined)).toBe(true);
  });

  it('never counts a torn final record, which replay drops', async () => {
    await writeLog();
    const file = await incrementalFile();
    const whole = await replayed(-1);
    const torn = encodeRecord({
      revision: whole[whole.length - 1].revision + 1,
      writes: [{ type: 'put', key: 'torn', value: 'x'.repeat(5000), createRevision: 1, version: 1 }],
    });
    // Cut short, then whole but with a payload that fails its checksum.
    await appendFile(file, torn.subarray(0, torn.length - 10));
    const cut = await replayed(-1);
    expect(cut).toEqual(whole);
    torn[torn.length - 1] ^= 0xff;
    await appendFile(file, torn);
    const damaged = (await replayed(-1)).filter((record) => record.base !== true);
    expect(damaged.map((record) => record.revision)).toEqual(
      whole.filter((record) => record.base !== true).map((record) => record.revision),
    );
    expect(damaged.map((record) => record.changeBytesAfter)).toEqual(tightHints(damaged));
  });
});
