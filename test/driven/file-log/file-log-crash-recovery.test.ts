import { readFile, stat, writeFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { LogCorruptError } from '../../../src/driven/file-log';
import { encodeFileHeader, encodeRecord } from '../../../src/driven/file-log/record-format';
import { collectEvents, appendMutation, type Event, type Mutation } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

const MUTATIONS: Mutation[] = [
  { type: 'put', key: 'alpha', value: 'one' },
  { type: 'delete', key: 'alpha' },
  { type: 'put', key: 'beta', value: 'two\nlines' },
  { type: 'put', key: 'last', value: 'the final record, long enough to cut in many places' },
];

interface SampleLog {
  readonly bytes: Buffer;
  readonly events: Event[];
  /** Byte offset where each record starts; the last entry is the file size. */
  readonly boundaries: number[];
}

let dir: TempLogDir;
let sample: SampleLog;
let caseNumber = 0;

beforeAll(async () => {
  dir = await TempLogDir.create();
  const log = dir.open({ filename: dir.file('sample.log') });
  await collectEvents(log);
  const events: Event[] = [];
  const boundaries = [(await stat(log.filename)).size];
  for (const mutation of MUTATIONS) {
    events.push(await appendMutation(log, mutation));
    boundaries.push((await stat(log.filename)).size);
  }
  await log.close();
  sample = { bytes: await readFile(log.filename), events, boundaries };
});

afterAll(() => dir.dispose());

/** Writes `bytes` to a new log file and returns its path. */
async function logFileWith(bytes: Buffer): Promise<string> {
  const filename = dir.file(`case-${++caseNumber}.log`);
  await writeFile(filename, bytes);
  return filename;
}

async function replay(filename: string): Promise<Event[]> {
  const log = dir.open({ filename });
  try {
    return await collectEvents(log);
  } finally {
    await log.close();
  }
}

describe('a torn final record', () => {
  const lastStart = () => sample.boundaries[MUTATIONS.length - 1];
  const cuts = () => Array.from({ length: sample.bytes.length - lastStart() - 1 }, (_, i) => lastStart() + 1 + i);

  async function expectRepaired(damaged: Buffer): Promise<void> {
    const filename = await logFileWith(damaged);
    const warningsBefore = dir.warnings.length;
    const log = dir.open({ filename });
    expect(await collectEvents(log)).toEqual(sample.events.slice(0, -1));
    const warnings = dir.warnings.slice(warningsBefore);
    expect(warnings).toEqual([
      expect.stringContaining(`${filename}: dropping torn final record at byte ${lastStart()}`),
    ]);
    expect((await stat(filename)).size).toBe(lastStart());

    const appended = await appendMutation(log, { type: 'put', key: 'after', value: 'repair' });
    await log.close();
    expect(await replay(filename)).toEqual([...sample.events.slice(0, -1), appended]);
    expect(dir.warnings.length).toBe(warningsBefore + 1);
  }

  it('is dropped and truncated away wherever the file ends inside it', async () => {
    for (const cut of cuts()) await expectRepaired(sample.bytes.subarray(0, cut));
  });

  it('is dropped when zero bytes follow the cut, even past its original end', async () => {
    for (const cut of cuts()) {
      await expectRepaired(
        Buffer.concat([sample.bytes.subarray(0, cut), Buffer.alloc(sample.bytes.length - cut + 64)]),
      );
    }
  });

  it('is dropped when garbage replaced the rest of its payload', async () => {
    const payloadStart = lastStart() + 12;
    for (const cut of cuts().filter((offset) => offset >= payloadStart)) {
      const garbage = Buffer.alloc(sample.bytes.length - cut, 0xa5);
      await expectRepaired(Buffer.concat([sample.bytes.subarray(0, cut), garbage]));
    }
  });

  it('is not reported when the file ends exactly at a record boundary', async () => {
    const filename = await logFileWith(sample.bytes.subarray(0, lastStart()));
    const warningsBefore = dir.warnings.length;
    expect(await replay(filename)).toEqual(sample.events.slice(0, -1));
    expect(dir.warnings.length).toBe(warningsBefore);
  });

  it('in the file header of a new log is rewritten; an empty file is a fresh log', async () => {
    const torn = await logFileWith(encodeFileHeader().subarray(0, 7));
    expect(await replay(torn)).toEqual([]);
    expect(dir.warnings.at(-1)).toContain(`${torn}: dropping torn file header at byte 0`);
    expect(await readFile(torn)).toEqual(encodeFileHeader());

    const empty = await logFileWith(Buffer.alloc(0));
    const log = dir.open({ filename: empty });
    expect(await collectEvents(log)).toEqual([]);
    const event = await appendMutation(log, { type: 'put', key: 'k', value: 'v' });
    await log.close();
    expect(await replay(empty)).toEqual([event]);
  });
});

describe('damage before the end of the log', () => {
  async function expectRefused(damaged: Buffer, offset: number, detail: string): Promise<void> {
    const filename = await logFileWith(damaged);
    const log = dir.open({ filename });
    const failure = collectEvents(log);
    await expect(failure).rejects.toBeInstanceOf(LogCorruptError);
    await expect(failure).rejects.toMatchObject({
      code: 'LOG_CORRUPT',
      message: `file log: ${filename}: corrupt record at byte ${offset} (${detail}); refusing to start`,
    });
    expect(await readFile(filename)).toEqual(damaged);
    // The refused logger released its lock, so a retry gets the same answer rather than "locked".
    await expect(replay(filename)).rejects.toBeInstanceOf(LogCorruptError);
  }

  function flipped(offset: number): Buffer {
    const copy = Buffer.from(sample.bytes);
    copy[offset] ^= 0x01;
    return copy;
  }

  it('refuses a flipped byte in the first record payload', async () => {
    await expectRefused(flipped(sample.boundaries[0] + 12 + 14), sample.boundaries[0], 'checksum mismatch');
  });

  it('refuses a corrupt record header in the middle', async () => {
    await expectRefused(flipped(sample.boundaries[2] + 1), sample.boundaries[2], 'record header checksum mismatch');
  });

  it('refuses a bad final header followed by non-zero bytes', async () => {
    const damaged = Buffer.concat([sample.bytes, Buffer.alloc(40, 0x5a)]);
    await expectRefused(damaged, sample.bytes.length, 'record header checksum mismatch');
  });

  it('refuses a corrupt final record followed by more bytes', async () => {
    const damaged = Buffer.concat([flipped(sample.bytes.length - 3), Buffer.from('trailing')]);
    await expectRefused(damaged, sample.boundaries[MUTATIONS.length - 1], 'checksum mismatch');
  });

  it('refuses revisions that do not increase', async () => {
    const records = [1, 3, 3].map((revision) =>
      encodeRecord({ revision, writes: [{ type: 'put', key: 'k', value: 'v', createRevision: 1, version: 1 }] }),
    );
    const bytes = Buffer.concat([encodeFileHeader(), ...records]);
    const thirdRecord = bytes.length - records[2].length;
    await expectRefused(bytes, thirdRecord, 'revision 3 does not follow 3');
  });
});

describe('a file that is not a kvs log', () => {
  async function expectForeign(content: Buffer, message: string): Promise<void> {
    const filename = await logFileWith(content);
    const failure = replay(filename);
    await expect(failure).rejects.toBeInstanceOf(LogCorruptError);
    await expect(failure).rejects.toThrow(`file log: ${filename}: ${message}`);
    expect(await readFile(filename)).toEqual(content);
  }

  it('is refused untouched, long or short', async () => {
    await expectForeign(Buffer.from('key\tvalue\nother\tvalue\n'), 'not a kvs transaction log at byte 0 (bad magic)');
    await expectForeign(
      Buffer.from('PUT'),
      'not a kvs transaction log at byte 0 (3 bytes that do not start with the magic)',
    );
  });

  it('is refused when the header names another format version', async () => {
    const header = encodeFileHeader();
    header.writeUInt32LE(3, 8);
    header.writeUInt32LE(crc32(header.subarray(0, 12)), 12);
    await expectForeign(header, 'unsupported log format at byte 0 (version 3; this build reads versions 1 to 2)');
  });
});
