import type { LogFileHandle } from './log-file-handle';

/** Bytes read per call during replay: large reads keep start-up fast on big logs. */
export const REPLAY_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * A sliding window over a file of known size for a forward scan. Records are parsed straight
 * out of `buffer`; only the unparsed remainder of a chunk is moved when the next one is read,
 * so a record split across two reads is joined without copying the whole file.
 */
export class ChunkWindow {
  /** Holds the bytes from file offset `start` (at index 0) up to `end`. */
  buffer = Buffer.allocUnsafe(REPLAY_CHUNK_BYTES);
  /** File offset of buffer[0]. */
  start = 0;
  /** File offset just past the last byte held. */
  end = 0;

  constructor(
    private readonly handle: LogFileHandle,
    private readonly size: number,
  ) {}

  /** Ensures the window holds [position, position + length); the range must lie within the file. */
  async load(position: number, length: number): Promise<void> {
    const kept = position >= this.start && position < this.end ? this.end - position : 0;
    if (length > this.buffer.length) {
      const larger = Buffer.allocUnsafe(Math.max(length, REPLAY_CHUNK_BYTES));
      this.buffer.copy(larger, 0, position - this.start, position - this.start + kept);
      this.buffer = larger;
    } else if (kept > 0) {
      this.buffer.copyWithin(0, position - this.start, this.end - this.start);
    }
    this.start = position;
    this.end = position + kept;
    while (this.end < position + length) {
      const room = Math.min(this.buffer.length - (this.end - this.start), this.size - this.end);
      const { bytesRead } = await this.handle.read(this.buffer, this.end - this.start, room, this.end);
      if (bytesRead === 0) throw new Error(`file shrank while being read (expected ${this.size} bytes)`);
      this.end += bytesRead;
    }
  }
}

/** True when every byte from `position` to `size` is zero (the shape a crash leaves when a file grew before its data landed). */
export async function onlyZerosFrom(handle: LogFileHandle, position: number, size: number): Promise<boolean> {
  const buffer = Buffer.allocUnsafe(Math.min(REPLAY_CHUNK_BYTES, Math.max(size - position, 1)));
  for (let at = position; at < size;) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - at), at);
    if (bytesRead === 0) return true;
    for (let i = 0; i < bytesRead; i++) if (buffer[i] !== 0) return false;
    at += bytesRead;
  }
  return true;
}
