import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { LogCorruptError, type FileTransactionLog } from '../../../src/driven/file-log';
import { COMPACTION_STEPS, type CompactionStep } from '../../../src/driven/file-log/compactor';
import { LogUnavailableError } from '../../../src/core';
import { stateOf } from '../../contracts/transaction-log.contract';
import { collectEvents, appendMutation, type Event, type Mutation, liveStateOf } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** A logger on the directory's log, replayed, with `live` lent as the store would. */
async function openReplayed(
  live: Map<string, string>,
  ...rest: Parameters<TempLogDir['open']>
): Promise<FileTransactionLog> {
  const log = dir.open(...rest);
  for (const event of await collectEvents(log)) apply(live, event);
  log.attachLiveState(liveStateOf(live));
  return log;
}

function apply(live: Map<string, string>, event: Event): Event {
  if (event.type === 'put') live.set(event.key, event.value);
  else live.delete(event.key);
  return event;
}

/** `count` overwrites and deletes of 17 keys, each applied to `live` once acknowledged, as the store does. */
async function writeHistory(
  log: FileTransactionLog,
  live: Map<string, string>,
  count: number,
  tag: string,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const key = `key-${i % 17}`;
    const mutation: Mutation =
      i % 11 === 10 ? { type: 'delete', key } : { type: 'put', key, value: `${tag}-${i}`.repeat(3) };
    apply(live, await appendMutation(log, mutation));
  }
}

/**
 * Appends made while a compaction runs: started together, applied as each is acknowledged,
 * which must happen in call order (so in sequence order) even across the switch of files.
 */
async function concurrentWrites(log: FileTransactionLog, live: Map<string, string>, count: number): Promise<Event[]> {
  const acknowledged: number[] = [];
  const pending: Promise<Event>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(
      appendMutation(log, { type: 'put', key: `during-${i % 9}`, value: `d${i}` }).then((event) => {
        acknowledged.push(i);
        return apply(live, event);
      }),
    );
    // Spread over many event-loop turns, so that some arrive while the files are switched.
    if (i % 3 === 2) await new Promise((resolve) => setImmediate(resolve));
  }
  const events = await Promise.all(pending);
  expect(acknowledged).toEqual(events.map((_, i) => i));
  return events;
}

/** Bytes of every file the manifest names. */
async function listedBytes(): Promise<number> {
  const sizes = await Promise.all((await dir.listed()).map(async (name) => (await stat(dir.file(name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** What a fresh start replays, and the files it leaves in the directory. */
async function restart(): Promise<{ state: Map<string, string>; files: string[]; events: Event[] }> {
  const log = dir.open();
  const events = await collectEvents(log);
  await log.close();
  return { state: stateOf(events), files: await dir.files(), events };
}

describe('file log compaction', () => {
  it('replaces the history by a base and one incremental; replay gives the same state from far fewer records', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live);
    await writeHistory(log, live, 2000, 'a');
    const [report] = await Promise.all([log.compact(), concurrentWrites(log, live, 100)]);
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore / 10);
    expect(report.liveBytes).toBeGreaterThan(0);
    await writeHistory(log, live, 30, 'b');
    await log.close();

    const { state, files, events } = await restart();
    expect(state).toEqual(live);
    expect(files).toEqual(['transactions.log.base.2', 'transactions.log.incr.1', 'transactions.log.manifest']);
    // At most the live keys in the base (17 + 9) plus every write that may have landed after the
    // snapshot point (100 concurrent + 30): how many of the concurrent ones did depends on timing.
    // Far fewer, in any case, than the 2,130 records of the history.
    expect(events.length).toBeLessThanOrEqual(17 + 9 + 100 + 30);
  });

  it('reports the log size right after it, and skips a compaction that would drop no record', async () => {
    const live = new Map<string, string>();
    const sizes: number[] = [];
    const outcomes: string[] = [];
    const observer = {
      sizeBytes: (bytes: number) => sizes.push(bytes),
      compactionFinished: ({ outcome }: { outcome: string }) => outcomes.push(outcome),
    };
    const log = await openReplayed(live, { observer });
    await writeHistory(log, live, 500, 'a');
    const first = await log.compact();
    expect(sizes.at(-1)).toBe(first.bytesAfter);
    expect(sizes.at(-1)).toBe(await listedBytes());
    const filesAfterFirst = await dir.files();

    // Nothing since but new keys: each record is a live key's only one, so a rewrite drops nothing.
    for (let i = 0; i < 5; i++) apply(live, await appendMutation(log, { type: 'put', key: `new-${i}`, value: 'n' }));
    const second = await log.compact();
    expect(second.bytesAfter).toBe(second.bytesBefore);
    expect(await dir.files()).toEqual(filesAfterFirst);
    expect(outcomes).toEqual(['succeeded', 'skipped']);
    expect(dir.log.records.filter((record) => String(record.event).startsWith('compaction_'))).toEqual([
      expect.objectContaining({ event: 'compaction_done', level: 30 }),
      expect.objectContaining({ event: 'compaction_skipped', level: 30, reason: 'no record to drop' }),
    ]);

    // One overwrite is something to drop again.
    apply(live, await appendMutation(log, { type: 'put', key: 'new-0', value: 'again' }));
    await log.compact();
    expect(outcomes.at(-1)).toBe('succeeded');
    expect(sizes.at(-1)).toBe(await listedBytes());
    await log.close();
    expect((await restart()).state).toEqual(live);
  });

  it('keeps the event loop turning while it writes a large base, so reads and writes are served meanwhile', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live, { sync: 'never' });
    for (let chunk = 0; chunk < 100; chunk++) {
      const puts = Array.from({ length: 1000 }, (_, i) =>
        appendMutation(log, { type: 'put', key: `key-${chunk * 1000 + i}`, value: 'v'.repeat(100) }),
      );
      for (const event of await Promise.all(puts)) apply(live, event);
    }
    // One overwritten record, so that the compaction has something to drop.
    apply(live, await appendMutation(log, { type: 'put', key: 'key-0', value: 'w'.repeat(100) }));
    let turns = 0;
    let compacting = true;
    const ticker = (async () => {
      while (compacting) {
        await new Promise((resolve) => setImmediate(resolve));
        turns++;
      }
    })();
    const write = appendMutation(log, { type: 'put', key: 'during', value: 'x' }).then((event) => apply(live, event));
    const report = await log.compact();
    compacting = false;
    await ticker;
    await write;
    // 100,000 records of ~130 bytes make 13 chunks of 1 MiB, each written with an event-loop turn.
    expect(turns).toBeGreaterThanOrEqual(13);
    expect(report.liveBytes).toBeGreaterThan(100_000 * 100);
    await log.close();
    expect((await restart()).state).toEqual(live);
  });

  it('compacts a compacted log again, the sequence increasing across both', async () => {
    const live = new Map<string, string>();
    let log = await openReplayed(live);
    await writeHistory(log, live, 500, 'a');
    await log.compact();
    await writeHistory(log, live, 500, 'b');
    const before = await appendMutation(log, { type: 'put', key: 'marker', value: 'm' });
    await log.close();
    log = await openReplayed(new Map());
    await log.compact();
    const after = await appendMutation(log, { type: 'put', key: 'marker2', value: 'm' });
    expect(after.sequence).toBe(before.sequence + 1);
    apply(live, before);
    apply(live, after);
    await log.close();
    const { state, files } = await restart();
    expect(state).toEqual(live);
    expect(files.filter((name) => name.includes('.base.') || name.includes('.incr.'))).toHaveLength(2);
  });

  it('compacts by itself past the thresholds, keeping the files within them', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live, { compaction: { minBytes: 20_000, ratio: 2 } });
    await writeHistory(log, live, 3000, 'auto');
    // The last automatic compaction may still be running: close waits for it.
    await log.close();
    const done = dir.log.records.filter((record) => record.event === 'compaction_done');
    expect(done.length).toBeGreaterThan(3);
    expect(done.every((record) => record.trigger === 'automatic')).toBe(true);
    const { state, files } = await restart();
    expect(state).toEqual(live);
    expect(files).toContain('transactions.log.manifest');
  });

  it('moves into quarantine at start what an interrupted compaction left, and nothing else', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live);
    await writeHistory(log, live, 100, 'a');
    await log.compact();
    await log.close();
    const leftovers = [
      'transactions.log',
      'transactions.log.base.9.tmp',
      'transactions.log.incr.5',
      'transactions.log.manifest.tmp',
    ];
    const others = ['transactions.log.bak', 'notes.txt'];
    for (const name of [...leftovers, ...others]) await writeFile(dir.file(name), `content of ${name}`);
    const { state, files } = await restart();
    expect(state).toEqual(live);
    expect(files).toEqual([
      'notes.txt',
      'transactions.log.bak',
      'transactions.log.base.2',
      'transactions.log.incr.1',
      'transactions.log.manifest',
    ]);
    expect(await dir.quarantined()).toEqual(leftovers);
    const [start] = await readdir(dir.file('transactions.log.quarantine'));
    const folder = dir.file(`transactions.log.quarantine/${start}`);
    for (const name of leftovers) {
      expect(await readFile(`${folder}/${name}`, 'utf8')).toBe(`content of ${name}`);
      expect(dir.log.records).toContainEqual(
        expect.objectContaining({
          level: 40,
          event: 'file_log_leftover_quarantined',
          msg: `file log: moving ${dir.file(name)}, left over by an unfinished compaction, to ${folder}`,
        }),
      );
    }

    // A later successful compaction removes the quarantine.
    const again = await openReplayed(new Map());
    await writeHistory(again, new Map(), 40, 'b');
    await again.compact();
    await again.close();
    expect(await dir.quarantined()).toEqual([]);
    expect(await dir.files()).toEqual([
      'notes.txt',
      'transactions.log.bak',
      'transactions.log.base.4',
      'transactions.log.incr.3',
      'transactions.log.manifest',
    ]);
  });

  it('refuses to start on a damaged manifest or base, naming the file', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live);
    await writeHistory(log, live, 100, 'a');
    await log.compact();
    await log.close();
    const base = dir.file('transactions.log.base.2');
    const bytes = await readFile(base);
    bytes[bytes.length - 3] ^= 0xff;
    await writeFile(base, bytes);
    await expect(collectEvents(dir.open())).rejects.toThrow(LogCorruptError);
    await expect(collectEvents(dir.open())).rejects.toThrow(`${base}: corrupt base file`);

    await writeFile(base, bytes.subarray(0, bytes.length - 40));
    await expect(collectEvents(dir.open())).rejects.toThrow(`${base}: corrupt base file`);

    const manifest = dir.file('transactions.log.manifest');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('incr.1', 'incr.7'));
    await expect(collectEvents(dir.open())).rejects.toThrow(`${manifest}: corrupt manifest`);
  });
});

describe('a compaction that fails', () => {
  it.each(COMPACTION_STEPS)(
    'after step "%s" leaves exactly the acknowledged state; writes go on; the next start quarantines leftovers',
    async (failAfter: CompactionStep) => {
      const live = new Map<string, string>();
      const log = await openReplayed(live, {}, undefined, undefined, (step) => {
        if (step === failAfter) throw new Error(`injected fault after ${step}`);
      });
      await writeHistory(log, live, 400, 'before');
      const [outcome] = await Promise.allSettled([log.compact(), concurrentWrites(log, live, 60)]);
      expect(outcome.status).toBe('rejected');
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(LogUnavailableError);
      expect(dir.log.records.find((record) => record.event === 'compaction_failed')?.msg).toContain(
        `injected fault after ${failAfter}`,
      );
      await writeHistory(log, live, 50, 'after');
      await log.close();

      const { state, files } = await restart();
      expect(state).toEqual(live);
      expect(files.filter((name) => name !== 'transactions.log.manifest')).toEqual((await dir.listed()).sort());

      // The log compacts fine afterwards.
      const again = await openReplayed(new Map());
      await again.compact();
      await again.close();
      expect((await restart()).state).toEqual(live);
      // ...and its success clears the quarantine.
      expect(await dir.quarantined()).toEqual([]);
    },
  );
});
