import { crc32 } from 'node:zlib';

/** Below this many bytes a table lookup in JS beats making a subarray and calling into zlib. */
const NATIVE_FROM_BYTES = 96;

const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC-32 (IEEE, the one zlib.crc32 computes) of buffer[start, end), unsigned. Replay checks two
 * checksums per record, mostly over a few dozen bytes, so short ranges skip the native call.
 */
export function crc32Range(buffer: Buffer, start: number, end: number): number {
  if (end - start >= NATIVE_FROM_BYTES) return crc32(buffer.subarray(start, end));
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buffer[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
