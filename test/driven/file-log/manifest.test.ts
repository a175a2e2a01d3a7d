import { encodeManifest, LogFileNames, parseManifest } from '../../../src/driven/file-log/manifest';

const names = new LogFileNames('tx.log');

describe('the manifest', () => {
  it('round-trips the files in charge, base first', () => {
    const manifest = { base: 'tx.log.base.7', incrementals: ['tx.log.incr.6', 'tx.log.incr.8'] };
    const text = encodeManifest(manifest);
    expect(text).toMatch(
      /^kvs-manifest 1\nbase tx\.log\.base\.7\nincr tx\.log\.incr\.6\nincr tx\.log\.incr\.8\ncrc32 [0-9a-f]{8}\n$/,
    );
    expect(parseManifest(text, names)).toEqual(manifest);
    expect(parseManifest(encodeManifest({ base: undefined, incrementals: ['tx.log'] }), names)).toEqual({
      base: undefined,
      incrementals: ['tx.log'],
    });
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
