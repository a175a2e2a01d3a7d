import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { extrasOf, type LiveState } from '../../core';
import { BASE_HEADER_BYTES, encodeBaseHeader, encodeRecord } from './record-format';

/**
 * A chunk of the base is encoded synchronously, then written: about 1 MiB or 1,024 records
 * (Linux's IOV_MAX) at a time keeps each stretch without an event-loop turn to about a
 * millisecond, so reads and writes are served throughout, while big writes keep it fast.
 */
const CHUNK_BYTES = 1024 * 1024;
const CHUNK_RECORDS = 1024;

/** What a written base holds. */
export interface WrittenBase {
  /** Bytes of the file, header included: the compaction's measure of the live data. */
  readonly bytes: number;
  readonly records: number;
}

/**
 * Writes `live` as a base file at `path` (a temp name; created or truncated): one record per
 * entry, at the entry's mod_revision with its create_revision and version, then the header
 * with the revision the snapshot stands at (`sequence`) and the record count, then fdatasync.
 * The entries come from a view of the store taken after every write up to `sequence` was
 * applied; writes after it go on meanwhile (FORMAT.md explains why that is safe).
 * `abandon` is asked between chunks; when it returns a reason the write stops with an error.
 */
export async function writeBaseFile(
  path: string,
  live: LiveState,
  sequence: number,
  abandon: () => string | undefined,
): Promise<WrittenBase> {
  const handle = await open(path, 'w', 0o644);
  try {
    let position = BASE_HEADER_BYTES;
    let records = 0;
    let chunk: Buffer[] = [];
    let chunkBytes = 0;
    let chunkStarted = performance.now();
    for (const record of snapshotRecords(live)) {
      chunk.push(record);
      chunkBytes += record.length;
      records++;
      if (chunk.length < CHUNK_RECORDS && chunkBytes < CHUNK_BYTES) continue;
      const encodingMs = performance.now() - chunkStarted;
      await writeFully(handle, chunk, position);
      position += chunkBytes;
      chunk = [];
      chunkBytes = 0;
      const reason = abandon();
      if (reason !== undefined) throw new Error(`base file abandoned: ${reason}`);
      // Pacing: rest as long as the chunk took to encode, so a compaction takes at most about
      // half of the event loop and requests keep the rest (it runs longer, writes slow less).
      await sleep(encodingMs);
      chunkStarted = performance.now();
    }
    await writeFully(handle, chunk, position);
    position += chunkBytes;
    await writeFully(handle, [encodeBaseHeader({ sequence, records })], 0);
    await handle.datasync();
    return { bytes: position, records };
  } finally {
    await handle.close();
  }
}

/** A regular file may take fewer bytes than offered (a full disk, a signal): write the rest. */
async function writeFully(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let remaining = buffers.reduce((sum, buffer) => sum + buffer.length, 0);
  while (remaining > 0) {
    const { bytesWritten } = await handle.writev(buffers, position);
    if (bytesWritten === 0) throw Object.assign(new Error('write made no progress'), { code: 'EIO' });
    remaining -= bytesWritten;
    position += bytesWritten;
    buffers = skipBytes(buffers, bytesWritten);
  }
}

function skipBytes(buffers: Buffer[], bytes: number): Buffer[] {
  let index = 0;
  while (index < buffers.length && bytes >= buffers[index].length) bytes -= buffers[index++].length;
  if (index === buffers.length) return [];
  return [buffers[index].subarray(bytes), ...buffers.slice(index + 1)];
}

/**
 * The records of a snapshot: one grant per lease (at its grant's revision), then one put per
 * live entry at its mod_revision, with its deadline and lease. The leases are read at the same
 * moment as the entries (both views are taken before the first record is encoded).
 */
function* snapshotRecords(live: LiveState): Generator<Buffer> {
  const leases = [...live.leases()];
  const entries = live.entries();
  for (const { id, ttlMs, revision } of leases) {
    yield encodeRecord({ revision, writes: [], leases: [{ type: 'grant', id, ttlMs }] });
  }
  for (const { key, value, createRevision, modRevision, version, expiresAt, lease } of entries) {
    yield encodeRecord({
      revision: modRevision,
      writes: [{ type: 'put', key, value, createRevision, version, ...extrasOf(expiresAt, lease) }],
    });
  }
}
