import { readdir, readFile, truncate, unlink, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { LogCorruptError, type FileTransactionLog } from '../../../src/driven/file-log';
import type { CompactionStep } from '../../../src/driven/file-log/compactor';
import { FILE_HEADER_BYTES, RECORD_HEADER_BYTES } from '../../../src/driven/file-log/record-format';
import { eventually } from '../../support/eventually';
import { stateOf } from '../../contracts/transaction-log.contract';
import { appendMutation, collectEvents, liveStateOf, type Event } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

// Files of a compacted log damaged after the fact (deleted, emptied, cut to their header): start-up
// refuses, naming the file and the byte offset, and changes nothing, instead of replaying less.

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** A logger on the directory's log, replayed, with the state lent as the store would. */
async function openReplayed(live: Map<string, string>, failAfter?: CompactionStep): Promise<FileTransactionLog> {
  const log = dir.open({}, undefined, undefined, (step) => {
    if (step === failAfter) throw new Error(`injected fault after ${step}`);
  });
  for (const event of await collectEvents(log)) apply(live, event);
  log.attachLiveState(liveStateOf(live));
  return log;
}

function apply(live: Map<string, string>, event: Event): void {
  if (event.type === 'put') live.set(event.key, event.value);
  else live.delete(event.key);
}

async function write(log: FileTransactionLog, live: Map<string, string>, count: number, tag: string): Promise<void> {
  for (let i = 0; i < count; i++)
    apply(live, await appendMutation(log, { type: 'put', key: `k${i % 7}`, value: `${tag}${i}` }));
}

/** A compacted log: base.2 + incr.1 (which holds records), closed. */
async function compactedLog(): Promise<Map<string, string>> {
  const live = new Map<string, string>();
  const log = await openReplayed(live);
  await write(log, live, 50, 'a');
  await log.compact();
  await write(log, live, 20, 'b');
  await log.close();
  return live;
}

async function startFails(): Promise<LogCorruptError> {
  const error: unknown = await collectEvents(dir.open()).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LogCorruptError);
  return error as LogCorruptError;
}

async function snapshot(): Promise<Record<string, string>> {
  const names = await readdir(dir.path);
  return Object.fromEntries(
    await Promise.all(names.map(async (name) => [name, (await readFile(dir.file(name))).toString('hex')])),
  );
}

describe('a compacted log whose manifest is missing', () => {
  it('refuses to start, naming the files only a manifest names, and deletes nothing', async () => {
    await compactedLog();
    await unlink(dir.file('transactions.log.manifest'));
    const before = await snapshot();
    const error = await startFails();
    expect(error.message).toBe(
      `file log: ${dir.file('transactions.log.manifest')}: manifest missing (yet transactions.log.base.2, ` +
        'transactions.log.incr.1 exist, which only a manifest names; restore the manifest, or move those files ' +
        'out of the directory to start from the original log alone); refusing to start',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('still starts after a crash in the first compaction left an incremental holding only its header', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live, 'incremental-created');
    await write(log, live, 30, 'a');
    await expect(log.compact()).rejects.toThrow();
    await log.close();
    // A release before durable floors wrote no manifest until the first compaction's step 3.
    await unlink(dir.file('transactions.log.manifest'));
    expect(await dir.files()).toEqual(['transactions.log', 'transactions.log.incr.1']);
    const events = await collectEvents(dir.open());
    expect(stateOf(events)).toEqual(live);
    expect(await dir.quarantined()).toEqual(['transactions.log.incr.1']);
  });
});

describe('an incremental emptied after the manifest named it', () => {
  it.each([
    ['emptied', 0],
    ['cut inside its header', 10],
  ])('refuses to start when the last incremental is %s', async (_what, length) => {
    await compactedLog();
    const file = dir.file('transactions.log.incr.1');
    await truncate(file, length);
    const before = await snapshot();
    const error = await startFails();
    expect(error.message).toMatch(
      `file log: ${file}: file cut short at byte ${length} (${length} bytes, yet the manifest names it`,
    );
    expect(await snapshot()).toEqual(before);
  });

  /** A log whose manifest names incr.1 (sealed) and incr.3 (taking appends): a compaction failed after the switch. */
  async function logWithSealedIncremental(): Promise<{ live: Map<string, string>; sealedBytes: number }> {
    const live = await compactedLog();
    const failing = await openReplayed(new Map(live), 'base-written');
    await expect(failing.compact()).rejects.toThrow();
    await write(failing, live, 10, 'c');
    await failing.close();
    const manifest = await readFile(dir.file('transactions.log.manifest'), 'utf8');
    const sealed = /^incr transactions\.log\.incr\.1 (\d+)$/m.exec(manifest);
    expect(manifest).toMatch(/\nincr transactions\.log\.incr\.3 floor \d+\n/);
    expect(sealed).not.toBeNull();
    return { live, sealedBytes: Number(sealed![1]) };
  }

  it('replays a sealed incremental of the recorded length', async () => {
    const { live, sealedBytes } = await logWithSealedIncremental();
    expect(sealedBytes).toBeGreaterThan(FILE_HEADER_BYTES);
    expect(stateOf(await collectEvents(dir.open()))).toEqual(live);
  });

  it.each([
    ['cut to its header', () => FILE_HEADER_BYTES],
    ['cut by one byte', (sealed: number) => sealed - 1],
  ])('refuses to start when a sealed incremental is %s', async (_what, length) => {
    const { sealedBytes } = await logWithSealedIncremental();
    const file = dir.file('transactions.log.incr.1');
    await truncate(file, length(sealedBytes));
    const error = await startFails();
    expect(error.message).toBe(
      `file log: ${file}: file cut short at byte ${length(sealedBytes)} (${length(sealedBytes)} bytes where the ` +
        `manifest recorded ${sealedBytes} when the next file took over); refusing to start`,
    );
  });

  it('still loads a version 1 manifest, which records no lengths', async () => {
    const live = await compactedLog();
    const body = 'kvs-manifest 1\nbase transactions.log.base.2\nincr transactions.log.incr.1\n';
    await writeFile(
      dir.file('transactions.log.manifest'),
      `${body}crc32 ${crc32(body).toString(16).padStart(8, '0')}\n`,
    );
    expect(stateOf(await collectEvents(dir.open()))).toEqual(live);
  });
});

/** The offsets where the records of a log file end (each a record boundary), in order. */
async function recordEnds(file: string): Promise<number[]> {
  const bytes = await readFile(file);
  const ends: number[] = [];
  for (let at = FILE_HEADER_BYTES; at + RECORD_HEADER_BYTES <= bytes.length;) {
    at += RECORD_HEADER_BYTES + bytes.readUInt32LE(at);
    ends.push(at);
  }
  return ends;
}

/** The durable floor the manifest records for a file. */
async function floorOf(name: string): Promise<number | undefined> {
  const manifest = await readFile(dir.file('transactions.log.manifest'), 'utf8');
  const floor = new RegExp(`^incr ${name.replace(/\./g, '\\.')} floor (\\d+)$`, 'm').exec(manifest);
  return floor ? Number(floor[1]) : undefined;
}

describe('the file taking appends cut below its durable floor', () => {
  /** The start-up refusal of a file cut to `length` bytes, below its floor, with nothing changed. */
  async function refusedWhenCut(name: string, length: (ends: number[]) => number): Promise<LogCorruptError> {
    const file = dir.file(name);
    const written = (await readFile(file)).length;
    await truncate(file, length(await recordEnds(file)));
    const before = await snapshot();
    const error = await startFails();
    expect(await snapshot()).toEqual(before);
    // The clean close recorded all it had written as the floor.
    expect(await floorOf(name)).toBe(written);
    expect(error.message).toContain(`${written} bytes the manifest recorded as durable`);
    return error;
  }

  it.each([
    ['to its header', () => FILE_HEADER_BYTES],
    ['to a record boundary', (ends: number[]) => ends[9]],
    ['by its last record', (ends: number[]) => ends.at(-2)!],
  ])('refuses to start when the last incremental of a compacted log is cut %s', async (_what, length) => {
    await compactedLog();
    const file = dir.file('transactions.log.incr.1');
    const cut = length(await recordEnds(file));
    const error = await refusedWhenCut('transactions.log.incr.1', () => cut);
    expect(error.message).toMatch(`file log: ${file}: file cut short at byte ${cut} (${cut} bytes, below the `);
  });

  it('refuses a cut inside a record below the floor, which a crash could only make past it', async () => {
    await compactedLog();
    const file = dir.file('transactions.log.incr.1');
    const ends = await recordEnds(file);
    // Zeros from the middle of record 6's payload on, the length kept: a torn tail, were it past the floor.
    const bytes = await readFile(file);
    bytes.fill(0, ends[4] + RECORD_HEADER_BYTES + 2);
    await writeFile(file, bytes);
    const before = await snapshot();
    const error = await startFails();
    expect(error.message).toMatch(
      `file log: ${file}: corrupt record at byte ${ends[4]} (checksum mismatch in the final record, below the ${bytes.length} bytes`,
    );
    expect(await snapshot()).toEqual(before);
  });

  it('protects a log that was never compacted: its first start writes a manifest naming it', async () => {
    const live = new Map<string, string>();
    const log = await openReplayed(live);
    await write(log, live, 30, 'a');
    await log.close();
    expect(await dir.files()).toEqual(['transactions.log', 'transactions.log.manifest']);
    await refusedWhenCut('transactions.log', () => FILE_HEADER_BYTES);
    await truncate(dir.file('transactions.log'), 0);
    expect((await startFails()).message).toContain('file cut short at byte 0 (0 bytes, yet the manifest names it');
    await unlink(dir.file('transactions.log'));
    expect((await startFails()).message).toContain('missing log file');
  });

  it('records a floor while running too, so a crash leaves at most the last step of the file unprotected', async () => {
    const live = new Map<string, string>();
    const log = dir.open({ floorEveryBytes: 1024 });
    await collectEvents(log);
    await write(log, live, 200, 'a'.repeat(40));
    let floor = 0;
    await eventually(async () => (floor = (await floorOf('transactions.log')) ?? 0) > 8 * 1024, {
      describe: () => `a floor past 8 KiB (the manifest's is ${floor})`,
    });
    // A crash now: a copy of the files as the process leaves them, without the clean close's floor.
    const crashed = await TempLogDir.create();
    try {
      for (const name of await dir.files()) await writeFile(crashed.file(name), await readFile(dir.file(name)));
      await truncate(crashed.file('transactions.log'), FILE_HEADER_BYTES);
      await expect(collectEvents(crashed.open())).rejects.toThrow('file cut short at byte 16 (16 bytes, below the ');
    } finally {
      await crashed.dispose();
    }
  });
});
