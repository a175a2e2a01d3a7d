import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  END_PAYLOAD_BYTES,
  keyRecordFixedBytes,
  LEASE_RECORD_BYTES,
  MAX_SECTION_PAYLOAD_BYTES,
  READABLE_SNAPSHOT_VERSIONS,
  readU64,
  SECTION_HEADER_BYTES,
  SECTION_KIND,
  SNAPSHOT_HEADER_BYTES,
  SNAPSHOT_MAGIC,
  type SnapshotEntry,
  type SnapshotLease,
} from './snapshot-format';

/** What a complete, verified snapshot holds. */
export interface SnapshotSummary {
  readonly version: number;
  /** The store revision the snapshot stands at. */
  readonly revision: number;
  /** When it was taken, Unix ms. */
  readonly createdAtMs: number;
  readonly keys: number;
  /** Leases (format 2; 0 in a format 1 snapshot, which holds none). */
  readonly leases: number;
  readonly sections: number;
  /** Bytes of the whole snapshot. */
  readonly bytes: number;
  /** SHA-256 of every byte before the end section, hex. */
  readonly sha256: string;
}

/** A snapshot that is not what a kvs wrote: the byte offset where the damage was found and what it is. */
export class SnapshotDamagedError extends Error {
  readonly code = 'SNAPSHOT_DAMAGED';

  constructor(
    /** Offset of the structure (header, section, record) found damaged. */
    readonly offset: number,
    readonly problem: string,
  ) {
    super(`snapshot damaged at byte ${offset}: ${problem}`);
  }
}

/**
 * Verifies a snapshot as its bytes arrive, in any pieces: every checksum, every length, the
 * order and sanity of every record, and at the end the counts and the SHA-256 of the whole.
 * `push` returns the entries of the sections completed by the bytes given (a section's entries
 * are returned only once its checksum holds); `end` returns the summary. Anything wrong throws
 * SnapshotDamagedError naming the offset. Memory: one section at most, whatever the snapshot's size.
 */
export class SnapshotParser {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** File offset of the first pending byte. */
  private offset = 0;
  private readonly hash: Hash = createHash('sha256');
  private header: { version: number; revision: number; createdAtMs: number } | undefined;
  private summary: SnapshotSummary | undefined;
  private keys = 0;
  private sections = 0;
  private previousKey: Buffer | undefined;
  private readonly leaseIds = new Set<number>();
  private readonly leaseList: SnapshotLease[] = [];

  /** The leases read so far (they all come before the first key), in id order. */
  get leases(): readonly SnapshotLease[] {
    return this.leaseList;
  }

  /** Takes the next bytes; returns the entries of every section they complete, verified. */
  push(bytes: Buffer): SnapshotEntry[] {
    if (bytes.length === 0) return [];
    if (this.summary) throw new SnapshotDamagedError(this.offset, 'bytes after the end section');
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const entries: SnapshotEntry[] = [];
    for (;;) {
      if (this.header === undefined) {
        if (!this.readHeader()) return entries;
        continue;
      }
      if (this.summary !== undefined) {
        if (this.pendingBytes > 0) throw new SnapshotDamagedError(this.offset, 'bytes after the end section');
        return entries;
      }
      if (!this.readSection(entries)) return entries;
    }
  }

  /** Says the snapshot is complete; returns what it holds, or throws if it was cut short. */
  end(): SnapshotSummary {
    if (this.summary) return this.summary;
    const at = this.offset + this.pendingBytes;
    const what = this.header === undefined ? 'in the header' : 'before the end section';
    throw new SnapshotDamagedError(at, `truncated: the snapshot ends ${what}`);
  }

  /** Takes `length` pending bytes as one buffer (the caller checked they are there). */
  private take(length: number): Buffer {
    const joined = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const taken = joined.subarray(0, length);
    const rest = joined.subarray(length);
    this.pending = rest.length > 0 ? [rest] : [];
    this.pendingBytes = rest.length;
    this.offset += length;
    return taken;
  }

  private peek(length: number): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0].subarray(0, length);
  }

  private readHeader(): boolean {
    const magicSeen = Math.min(this.pendingBytes, SNAPSHOT_MAGIC.length);
    if (!this.peek(magicSeen).equals(SNAPSHOT_MAGIC.subarray(0, magicSeen))) {
      throw new SnapshotDamagedError(0, 'not a kvs snapshot (bad magic)');
    }
    if (this.pendingBytes < SNAPSHOT_HEADER_BYTES) return false;
    const header = this.take(SNAPSHOT_HEADER_BYTES);
    if (header.readUInt32LE(28) !== crc32(header.subarray(0, 28))) {
      throw new SnapshotDamagedError(0, 'header checksum mismatch');
    }
    const version = header.readUInt32LE(8);
    if (!READABLE_SNAPSHOT_VERSIONS.includes(version)) {
      throw new SnapshotDamagedError(
        8,
        `unsupported snapshot format version ${version}; this build reads versions ${READABLE_SNAPSHOT_VERSIONS.join(' and ')}`,
      );
    }
    const revision = readU64(header, 12);
    const createdAtMs = readU64(header, 20);
    if (!Number.isSafeInteger(revision) || !Number.isSafeInteger(createdAtMs)) {
      throw new SnapshotDamagedError(12, 'revision or time beyond 2^53');
    }
    this.hash.update(header);
    this.header = { version, revision, createdAtMs };
    return true;
  }

  private readSection(entries: SnapshotEntry[]): boolean {
    if (this.pendingBytes < SECTION_HEADER_BYTES) return false;
    const at = this.offset;
    const head = this.peek(SECTION_HEADER_BYTES);
    if (head.readUInt32LE(16) !== crc32(head.subarray(0, 16))) {
      throw new SnapshotDamagedError(at, `section ${this.sections + 1}: header checksum mismatch`);
    }
    const kind = head.readUInt32LE(0);
    const length = head.readUInt32LE(4);
    const records = head.readUInt32LE(8);
    const payloadCrc = head.readUInt32LE(12);
    if (length > MAX_SECTION_PAYLOAD_BYTES) {
      throw new SnapshotDamagedError(at, `section ${this.sections + 1}: payload length ${length} is too large`);
    }
    if (this.pendingBytes < SECTION_HEADER_BYTES + length) return false;
    const section = this.take(SECTION_HEADER_BYTES + length);
    const payload = section.subarray(SECTION_HEADER_BYTES);
    if (crc32(payload) !== payloadCrc) {
      throw new SnapshotDamagedError(at, `section ${this.sections + 1}: payload checksum mismatch`);
    }
    if (kind === SECTION_KIND.end) {
      this.readEnd(at, payload);
      return true;
    }
    this.hash.update(section);
    this.sections++;
    if (kind === SECTION_KIND.leases && this.header?.version !== 1) {
      if (this.keys > 0) throw new SnapshotDamagedError(at, `section ${this.sections}: leases after keys`);
      this.readLeases(at + SECTION_HEADER_BYTES, payload, records);
      return true;
    }
    if (kind !== SECTION_KIND.keys) {
      throw new SnapshotDamagedError(at, `unknown section kind ${kind} (written by a newer kvs?)`);
    }
    this.readKeys(at + SECTION_HEADER_BYTES, payload, records, entries);
    return true;
  }

  private readLeases(at: number, payload: Buffer, records: number): void {
    const revision = this.header?.revision ?? 0;
    if (payload.length !== records * LEASE_RECORD_BYTES) {
      throw new SnapshotDamagedError(at, `section ${this.sections}: ${payload.length} bytes for ${records} leases`);
    }
    for (let i = 0; i < records; i++) {
      const p = i * LEASE_RECORD_BYTES;
      const id = readU64(payload, p);
      const ttlMs = readU64(payload, p + 8);
      const grantedAt = readU64(payload, p + 16);
      const fail = (problem: string): never => {
        throw new SnapshotDamagedError(at + p, `lease ${this.leaseList.length + 1}: ${problem}`);
      };
      const previous = this.leaseList.at(-1)?.id ?? 0;
      if (!(Number.isSafeInteger(id) && id > previous)) fail('ids out of order (each must exceed the one before)');
      if (!(Number.isSafeInteger(ttlMs) && ttlMs >= 1)) fail('TTL out of range');
      if (!(grantedAt >= 1 && grantedAt <= revision)) fail(`grant revision ${grantedAt} out of range`);
      this.leaseIds.add(id);
      this.leaseList.push({ id, ttlMs, revision: grantedAt });
    }
  }

  private readKeys(at: number, payload: Buffer, records: number, entries: SnapshotEntry[]): void {
    const revision = this.header?.revision ?? 0;
    const fixedBytes = keyRecordFixedBytes(this.header?.version ?? 0);
    let p = 0;
    for (let i = 0; i < records; i++) {
      const where = at + p;
      const fail = (problem: string): never => {
        throw new SnapshotDamagedError(where, `record ${this.keys + 1}: ${problem}`);
      };
      if (p + fixedBytes > payload.length) fail('starts past its section');
      const keyBytes = payload.readUInt32LE(p);
      const valueBytes = payload.readUInt32LE(p + 4);
      const createRevision = readU64(payload, p + 8);
      const modRevision = readU64(payload, p + 16);
      const version = readU64(payload, p + 24);
      const deadlineMs = readU64(payload, p + 32);
      const lease = fixedBytes > 40 ? readU64(payload, p + 40) : 0;
      p += fixedBytes;
      if (keyBytes + valueBytes > payload.length - p) fail('key and value run past their section');
      const key = payload.subarray(p, p + keyBytes);
      const value = payload.subarray(p + keyBytes, p + keyBytes + valueBytes);
      p += keyBytes + valueBytes;
      if (keyBytes === 0) fail('empty key');
      if (!isUtf8(key) || !isUtf8(value)) fail('key or value is not UTF-8');
      if (this.previousKey !== undefined && Buffer.compare(this.previousKey, key) >= 0) {
        fail('keys out of order (each must follow the one before in UTF-8 byte order)');
      }
      if (!(createRevision >= 1 && createRevision <= modRevision && modRevision <= revision)) {
        fail(`revisions out of range (create ${createRevision}, mod ${modRevision}, snapshot ${revision})`);
      }
      if (!(version >= 1 && Number.isSafeInteger(version) && Number.isSafeInteger(deadlineMs))) {
        fail('version or deadline out of range');
      }
      if (lease !== 0 && !this.leaseIds.has(lease)) fail('attached to a lease the snapshot does not hold');
      if (lease !== 0 && deadlineMs !== 0) fail('both a deadline and a lease');
      this.previousKey = key;
      this.keys++;
      entries.push({
        key: key.toString('utf8'),
        value: value.toString('utf8'),
        createRevision,
        modRevision,
        version,
        deadlineMs,
        lease,
      });
    }
    if (p !== payload.length) {
      throw new SnapshotDamagedError(at + p, `section ${this.sections}: ${payload.length - p} bytes after its records`);
    }
  }

  private readEnd(at: number, payload: Buffer): void {
    const fail = (problem: string): never => {
      throw new SnapshotDamagedError(at, `end section: ${problem}`);
    };
    if (payload.length !== END_PAYLOAD_BYTES) fail(`payload of ${payload.length} bytes, not ${END_PAYLOAD_BYTES}`);
    const keys = readU64(payload, 0);
    const sections = readU64(payload, 8);
    const bytesBefore = readU64(payload, 16);
    const sha256 = this.hash.digest();
    if (keys !== this.keys) fail(`says ${keys} keys, the sections hold ${this.keys}`);
    if (sections !== this.sections) fail(`says ${sections} sections, found ${this.sections}`);
    if (bytesBefore !== at) fail(`says it starts at byte ${bytesBefore}`);
    if (!sha256.equals(payload.subarray(24))) fail('SHA-256 of the snapshot does not match');
    const header = this.header ?? fail('no header');
    this.summary = {
      version: header.version,
      revision: header.revision,
      createdAtMs: header.createdAtMs,
      keys,
      leases: this.leaseList.length,
      sections,
      bytes: at + SECTION_HEADER_BYTES + END_PAYLOAD_BYTES,
      sha256: sha256.toString('hex'),
    };
  }
}
