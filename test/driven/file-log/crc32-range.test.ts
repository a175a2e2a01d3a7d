import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { crc32Range } from '../../../src/driven/file-log/crc32-range';

describe('crc32Range', () => {
  it('matches zlib.crc32 for every range length on both sides of the native cut-over', () => {
    const bytes = randomBytes(700);
    for (let length = 0; length <= 300; length++) {
      for (const start of [0, 1, 7, 150]) {
        expect(crc32Range(bytes, start, start + length)).toBe(crc32(bytes.subarray(start, start + length)));
      }
    }
  });

  it('gives the published check value of "123456789"', () => {
    expect(crc32Range(Buffer.from('123456789'), 0, 9)).toBe(0xcbf43926);
  });
});
