import { crc32 } from 'node:zlib';
import { encodeSnapshot } from '../../../src/api/snapshot/snapshot-encoder';
import type { SnapshotEntry } from '../../../src/api/snapshot/snapshot-format';
import { SnapshotDamagedError, SnapshotParser } from '../../../src/api/snapshot/snapshot-parser';
import { HOSTILE_STRINGS } from '../../support/hostile-strings';
import { SeededRandom } from '../../support/seeded-random';

/** Entries in UTF-8 byte order, as the store's index yields them. */
function entriesOf(keys: readonly string[], revision: number): SnapshotEntry[] {
  return [...new Set(keys)]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((key, i) => ({
      key,
      value: `value of ${key} ${'x'.repeat(i % 7)}`,
      createRevision: 1 + (i % revision),
      modRevision: Math.min(revision, 1 + (i % revision) + (i % 3)),
      version: 1 + (i % 5),
      deadlineMs: i % 4 === 0 ? 1_800_000_000_000 + i : 0,
    }));
}

function encode(entries: readonly SnapshotEntry[], revision: number): Buffer {
  return Buffer.concat([...encodeSnapshot({ revision, entries }, 1_796_000_000_000)]);
}

/** Parses `bytes` pushed in the given piece sizes; returns the entries and summary, or the error. */
function parse(bytes: Buffer, pieces: (remaining: number) => number = (n) => n) {
  const parser = new SnapshotParser();
  const entries: SnapshotEntry[] = [];
  try {
    for (let at = 0; at < bytes.length;) {
      const size = Math.max(1, Math.min(bytes.length - at, pieces(bytes.length - at)));
      entries.push(...parser.push(bytes.subarray(at, at + size)));
      at += size;
    }
    return { entries, summary: parser.end() };
  } catch (error) {
    if (!(error instanceof SnapshotDamagedError)) throw error;
    return { entries, error };
  }
}

const REVISION = 40;
const KEYS = [...HOSTILE_STRINGS.filter((key) => key !== ''), ...Array.from({ length: 300 }, (_, i) => `key/${i}`)];

describe('the snapshot format', () => {
  it('gives back every entry, field for field, whatever pieces the bytes arrive in', () => {
    const entries = entriesOf(KEYS, REVISION);
    const bytes = encode(entries, REVISION);
    const random = new SeededRandom(19);
    for (const pieces of [(n: number) => n, () => 1, () => random.int(1, 5000)]) {
      const parsed = parse(bytes, pieces);
      expect(parsed.error).toBeUndefined();
      expect(parsed.entries).toEqual(entries);
      expect(parsed.summary).toMatchObject({ revision: REVISION, keys: entries.length, bytes: bytes.length });
    }
  });

  it('splits a large store into sections of bounded size, and holds an empty store too', () => {
    const many = entriesOf(
      Array.from({ length: 20_000 }, (_, i) => `k${String(i).padStart(6, '0')}`),
      REVISION,
    );
    const pieces = [...encodeSnapshot({ revision: REVISION, entries: many }, 0)];
    expect(pieces.length).toBeGreaterThan(3);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThan(600 * 1024);
    expect(parse(Buffer.concat(pieces)).entries).toHaveLength(20_000);
    expect(parse(encode([], 7)).summary).toMatchObject({ revision: 7, keys: 0, sections: 0 });
  });

  it('refuses a snapshot with any one byte flipped, naming where', () => {
    const bytes = encode(entriesOf(KEYS.slice(0, 40), REVISION), REVISION);
    for (let at = 0; at < bytes.length; at++) {
      const damaged = Buffer.from(bytes);
      damaged[at] ^= 0x20;
      const { error } = parse(damaged);
      expect(error).toBeInstanceOf(SnapshotDamagedError);
      expect(error!.offset).toBeLessThanOrEqual(at);
      expect(error!.message).toMatch(/^snapshot damaged at byte \d+: /);
    }
  });

  it('refuses a snapshot cut at any length, and bytes after its end', () => {
    const bytes = encode(entriesOf(KEYS.slice(0, 40), REVISION), REVISION);
    for (let length = 0; length < bytes.length; length++) {
      const { error } = parse(bytes.subarray(0, length));
      expect(error?.message).toMatch(/truncated|bad magic/);
    }
    expect(parse(Buffer.concat([bytes, Buffer.from([0])])).error?.message).toMatch(/bytes after the end section/);
  });

  it('refuses another format version with a message saying so', () => {
    const bytes = encode(entriesOf(['a', 'b'], REVISION), REVISION);
    bytes.writeUInt32LE(2, 8);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, 28)), 28);
    expect(parse(bytes).error?.message).toBe(
      'snapshot damaged at byte 8: unsupported snapshot format version 2; this build reads version 1',
    );
  });

  it('refuses well-checksummed sections whose content is impossible', () => {
    const unordered = [...entriesOf(['a', 'b'], REVISION)].reverse();
    expect(parse(encode(unordered, REVISION)).error?.message).toMatch(/keys out of order/);
    const future = entriesOf(['a'], REVISION).map((entry) => ({ ...entry, modRevision: REVISION + 1 }));
    expect(parse(encode(future, REVISION)).error?.message).toMatch(/revisions out of range/);
  });
});
