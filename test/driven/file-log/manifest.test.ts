import { crc32 } from 'node:zlib';
import { encodeManifest, LogFileNames, parseManifest } from '../../../src/driven/file-log/manifest';

const names = new LogFileNames('tx.log');

describe('the manifest', () => {
  it('round-trips the files in charge, base first, with the sealed length of a non-last incremental', () => {
    const manifest = {
      base: 'tx.log.base.7',
      incrementals: ['tx.log.incr.6', 'tx.log.incr.8'],
      sealed: { 'tx.log.incr.6': 1234 },
    };
    const text = encodeManifest(manifest);
    expect(text).toMatch(
      /^kvs-manifest 2\nbase tx\.log\.base\.7\nincr tx\.log\.incr\.6 1234\nincr tx\.log\.incr\.8\ncrc32 [0-9a-f]{8}\n$/,
    );
    expect(parseManifest(text, names)).toEqual(manifest);
    expect(parseManifest(encodeManifest({ base: undefined, incrementals: ['tx.log'] }), names)).toEqual({
      base: undefined,
      incrementals: ['tx.log'],
    });
  });

  it('still reads a version 1 manifest (no sealed lengths), and refuses a length in one', () => {
    const v1 = withCrc('kvs-manifest 1\nbase tx.log.base.7\nincr tx.log.incr.6\nincr tx.log.incr.8\n');
    expect(parseManifest(v1, names)).toEqual({
      base: 'tx.log.base.7',
      incrementals: ['tx.log.incr.6', 'tx.log.incr.8'],
    });
    expect(parseManifest(withCrc('kvs-manifest 1\nincr tx.log 99\nincr tx.log.incr.2\n'), names)).toBe(
      'bad line "incr tx.log 99"',
    );
    expect(parseManifest(withCrc('kvs-manifest 4\nincr tx.log\n'), names)).toMatch(/^first line is not/);
  });

  it('writes a durable floor in version 3 only, on an unsealed incremental, and reads versions 1 and 2 without one', () => {
    const manifest = {
      base: 'tx.log.base.7',
      incrementals: ['tx.log.incr.5', 'tx.log.incr.6', 'tx.log.incr.8'],
      sealed: { 'tx.log.incr.5': 900 },
      floors: { 'tx.log.incr.6': 4096, 'tx.log.incr.8': 73512 },
    };
    const text = encodeManifest(manifest);
    expect(text).toMatch(
      /^kvs-manifest 3\nbase tx\.log\.base\.7\nincr tx\.log\.incr\.5 900\nincr tx\.log\.incr\.6 floor 4096\nincr tx\.log\.incr\.8 floor 73512\ncrc32 [0-9a-f]{8}\n$/,
    );
    expect(parseManifest(text, names)).toEqual(manifest);
    // Without a floor the version stays 2, which the release before floors reads.
    expect(encodeManifest({ base: undefined, incrementals: ['tx.log'] })).toMatch(/^kvs-manifest 2\n/);
    for (const [version, line] of [
      ['2', 'incr tx.log floor 99'],
      ['3', 'incr tx.log floor'],
      ['3', 'incr tx.log floor -1'],
      ['3', 'incr tx.log roof 99'],
      ['3', 'incr tx.log 12 floor 99'],
      ['3', 'base tx.log.base.2 floor 99'],
    ]) {
      const body = `kvs-manifest ${version}\n${line}\nincr tx.log.incr.3\n`;
      expect(parseManifest(withCrc(body), names)).toBe(`bad line "${line}"`);
    }
  });

  it('refuses a sealed last incremental, a length that is not a number, and a file named twice', () => {
    const sealedLast = { base: undefined, incrementals: ['tx.log', 'tx.log.incr.2'], sealed: { 'tx.log.incr.2': 16 } };
    expect(parseManifest(encodeManifest(sealedLast), names)).toMatch(/last incremental.*is sealed/);
    expect(parseManifest(withCrc('kvs-manifest 2\nincr tx.log -5\nincr tx.log.incr.2\n'), names)).toMatch(/^bad line/);
    expect(parseManifest(withCrc('kvs-manifest 2\nincr tx.log.incr.2\nincr tx.log.incr.2\n'), names)).toMatch(
      /^bad line/,
    );
  });

  it.each([
    ['a flipped byte', (text: string) => text.replace('incr.8', 'incr.9'), 'checksum mismatch'],
    ['no checksum', (text: string) => text.slice(0, text.indexOf('crc32')), 'no checksum line'],
  ])('refuses %s', (_what, damage, problem) => {
    const text = encodeManifest({ base: 'tx.log.base.7', incrementals: ['tx.log.incr.8'] });
    expect(parseManifest(damage(text), names)).toBe(problem);
  });

  it.each([
    ['a path outside the directory', { base: undefined, incrementals: ['../etc/passwd'] }],
    ['another log', { base: undefined, incrementals: ['other.log.incr.1'] }],
    ['a temp file', { base: 'tx.log.base.2.tmp', incrementals: ['tx.log.incr.1'] }],
    ['a base as an incremental', { base: undefined, incrementals: ['tx.log.base.2'] }],
    ['no incremental', { base: 'tx.log.base.2', incrementals: [] }],
  ])('refuses a manifest naming %s, even with a valid checksum', (_what, manifest) => {
    expect(typeof parseManifest(encodeManifest(manifest), names)).toBe('string');
  });

  it('tells the names a compaction owns from every other file', () => {
    for (const owned of ['tx.log', 'tx.log.base.3', 'tx.log.incr.12.tmp', 'tx.log.manifest.tmp']) {
      expect([owned, names.isOwned(owned)]).toEqual([owned, true]);
    }
    for (const other of ['tx.log.lock', 'tx.log.manifest', 'tx.log.bak', 'tx.log.base.x', 'other.log.incr.1']) {
      expect([other, names.isOwned(other)]).toEqual([other, false]);
    }
  });
});

/** A manifest body with its checksum line, as a writer of that version would write it. */
function withCrc(body: string): string {
  return `${body}crc32 ${crc32(body).toString(16).padStart(8, '0')}\n`;
}
