import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { encodeSnapshot } from '../../../src/api/snapshot/snapshot-encoder';
import type { SnapshotEntry, SnapshotLease } from '../../../src/api/snapshot/snapshot-format';
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
      lease: 0,
    }));
}

function encode(entries: readonly SnapshotEntry[], revision: number, leases: SnapshotLease[] = []): Buffer {
  return Buffer.concat([...encodeSnapshot({ revision, entries, leases }, 1_796_000_000_000)]);
}

/**
 * A snapshot in format version 1 (no leases, 40-byte key records), built here byte by byte as
 * the first release wrote it: this build must go on reading those.
 */
function encodeVersion1(entries: readonly SnapshotEntry[], revision: number): Buffer {
  const u64 = (value: number) => {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(value % 2 ** 32, 0);
    bytes.writeUInt32LE(Math.floor(value / 2 ** 32), 4);
    return bytes;
  };
  const u32 = (value: number) => {
    const bytes = Buffer.alloc(4);
    bytes.writeUInt32LE(value >>> 0);
    return bytes;
  };
  const section = (kind: number, records: number, payload: Buffer) => {
    const head = Buffer.concat([u32(kind), u32(payload.length), u32(records), u32(crc32(payload))]);
    return Buffer.concat([head, u32(crc32(head)), payload]);
  };
  const fields = Buffer.concat([Buffer.from('KVSSNAP\n', 'latin1'), u32(1), u64(revision), u64(1_796_000_000_000)]);
  const header = Buffer.concat([fields, u32(crc32(fields))]);
  const records = entries.map((entry) => {
    const key = Buffer.from(entry.key);
    const value = Buffer.from(entry.value);
    return Buffer.concat([
      u32(key.length),
      u32(value.length),
      u64(entry.createRevision),
      u64(entry.modRevision),
      u64(entry.version),
      u64(entry.deadlineMs),
      key,
      value,
    ]);
  });
  const body = entries.length === 0 ? [] : [section(1, entries.length, Buffer.concat(records))];
  const before = Buffer.concat([header, ...body]);
  const sha = createHash('sha256').update(before).digest();
  const end = section(255, 0, Buffer.concat([u64(entries.length), u64(body.length), u64(before.length), sha]));
  return Buffer.concat([before, end]);
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
    bytes.writeUInt32LE(3, 8);
    bytes.writeUInt32LE(crc32(bytes.subarray(0, 28)), 28);
    expect(parse(bytes).error?.message).toBe(
      'snapshot damaged at byte 8: unsupported snapshot format version 3; this build reads versions 1 and 2',
    );
  });

  it('holds leases (format 2): each with its TTL and grant revision, and the keys attached to them', () => {
    const leases = [
      { id: 9_007_199_254_740_991, ttlMs: 10_000, revision: 3 },
      { id: 42, ttlMs: 1, revision: REVISION },
    ];
    const entries = entriesOf(KEYS.slice(0, 60), REVISION).map((entry, i) =>
      i % 5 === 1 ? { ...entry, deadlineMs: 0, lease: leases[i % 2].id } : entry,
    );
    const bytes = encode(entries, REVISION, leases);
    const parser = new SnapshotParser();
    expect(parser.push(bytes)).toEqual(entries);
    expect(parser.end()).toMatchObject({ version: 2, keys: entries.length, leases: 2 });
    // In id order, whatever order they were given in.
    expect(parser.leases).toEqual([leases[1], leases[0]]);
  });

  it('refuses leases that cannot be: a key naming a lease it does not hold, a key with both, a lease after keys', () => {
    const lease = { id: 7, ttlMs: 1000, revision: 2 };
    const [a, b] = entriesOf(['a', 'b'], REVISION).map((entry) => ({ ...entry, deadlineMs: 0 }));
    expect(parse(encode([a, { ...b, lease: 8 }], REVISION, [lease])).error?.message).toMatch(
      /record 2: attached to a lease the snapshot does not hold/,
    );
    expect(parse(encode([{ ...a, lease: 7, deadlineMs: 5 }], REVISION, [lease])).error?.message).toMatch(
      /both a deadline and a lease/,
    );
    expect(parse(encode([a], REVISION, [{ ...lease, ttlMs: 0 }])).error?.message).toMatch(/lease 1: TTL out of range/);
    expect(parse(encode([a], REVISION, [{ ...lease, revision: REVISION + 1 }])).error?.message).toMatch(
      /grant revision 41 out of range/,
    );
    // Sections swapped: the lease section after the key section.
    const sections = [...encodeSnapshot({ revision: REVISION, entries: [a], leases: [lease] }, 0)];
    const [header, leaseSection, keySection] = sections;
    const swapped = Buffer.concat([header, keySection, leaseSection]);
    expect(parse(swapped).error?.message).toMatch(/leases after keys/);
  });

  it('reads a format 1 snapshot (the first release, no leases) as it was written', () => {
    const entries = entriesOf(KEYS, REVISION);
    const parsed = parse(encodeVersion1(entries, REVISION), () => 777);
    expect(parsed.error).toBeUndefined();
    expect(parsed.entries).toEqual(entries);
    expect(parsed.summary).toMatchObject({ version: 1, revision: REVISION, keys: entries.length, leases: 0 });
    expect(parse(encodeVersion1([], 5)).summary).toMatchObject({ version: 1, keys: 0, sections: 0 });
    // A format 1 file's key record is 40 bytes: read as format 2 it would not fit its section.
    const relabelled = encodeVersion1(entries.slice(0, 3), REVISION);
    relabelled.writeUInt32LE(2, 8);
    relabelled.writeUInt32LE(crc32(relabelled.subarray(0, 28)), 28);
    expect(parse(relabelled).error).toBeInstanceOf(SnapshotDamagedError);
  });

  it('refuses well-checksummed sections whose content is impossible', () => {
    const unordered = [...entriesOf(['a', 'b'], REVISION)].reverse();
    expect(parse(encode(unordered, REVISION)).error?.message).toMatch(/keys out of order/);
    const future = entriesOf(['a'], REVISION).map((entry) => ({ ...entry, modRevision: REVISION + 1 }));
    expect(parse(encode(future, REVISION)).error?.message).toMatch(/revisions out of range/);
  });
});
