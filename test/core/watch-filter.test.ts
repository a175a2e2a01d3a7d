import { clippedFilter, DEFAULT_LIMITS, InvalidKeyError, InvalidRequestError, watchFilterOf } from '../../src/core';

describe('watch selectors', () => {
  it('names exactly one of a key, a prefix or a range', () => {
    for (const selector of [{}, { key: 'a', prefix: 'a' }, { key: 'a', start: 'a' }, { prefix: 'a', end: 'b' }]) {
      expect(() => watchFilterOf(selector, DEFAULT_LIMITS)).toThrow(InvalidRequestError);
    }
    expect(() => watchFilterOf({ key: '' }, DEFAULT_LIMITS)).toThrow(InvalidKeyError);
  });

  it('follows one key, a prefix, every key, or a half-open range in UTF-8 byte order', () => {
    const key = watchFilterOf({ key: 'a/1' }, DEFAULT_LIMITS);
    expect(key.key).toBe('a/1');
    expect(['a/1', 'a/10', 'a'].map(key.includes)).toEqual([true, false, false]);
    const prefix = watchFilterOf({ prefix: 'a/' }, DEFAULT_LIMITS);
    expect(prefix.key).toBeUndefined();
    expect(['a/1', 'a/', 'a', 'b/1'].map(prefix.includes)).toEqual([true, true, false, false]);
    expect(['', 'x', '\u{1f600}'].slice(1).map(watchFilterOf({ prefix: '' }, DEFAULT_LIMITS).includes)).toEqual([
      true,
      true,
    ]);
    // U+FFFD sorts below U+1F600 in UTF-8 (and above its surrogates in UTF-16).
    const range = watchFilterOf({ start: 'b', end: '\u{1f600}' }, DEFAULT_LIMITS);
    expect(['a', 'b', 'bz', '\ufffd', '\u{1f600}', '\u{1f601}'].map(range.includes)).toEqual([
      false,
      true,
      true,
      true,
      false,
      false,
    ]);
    const open = watchFilterOf({ start: 'm' }, DEFAULT_LIMITS);
    expect(['l', 'm', 'zz'].map(open.includes)).toEqual([false, true, true]);
  });

  it('clips to a token’s prefixes, keeping the single-key index', () => {
    const clipped = clippedFilter(watchFilterOf({ prefix: '' }, DEFAULT_LIMITS), ['team/', 'shared/']);
    expect(['team/x', 'shared/y', 'other/z', 'tea'].map(clipped.includes)).toEqual([true, true, false, false]);
    expect(clippedFilter(watchFilterOf({ key: 'k' }, DEFAULT_LIMITS), ['k']).key).toBe('k');
  });

  it('groups equal filters (the hub evaluates one per group); filters of different keys never share a group', () => {
    const group = (selector: Parameters<typeof watchFilterOf>[0], prefixes?: string[]): string | undefined => {
      const filter = watchFilterOf(selector, DEFAULT_LIMITS);
      return (prefixes ? clippedFilter(filter, prefixes) : filter).group;
    };
    expect(group({ prefix: 'a/' })).toBe(group({ prefix: 'a/' }));
    expect(group({ start: 'a', end: 'b' })).toBe(group({ start: 'a', end: 'b' }));
    expect(group({ prefix: 'a/' }, ['a/x', 'a/y'])).toBe(group({ prefix: 'a/' }, ['a/x', 'a/y']));
    const distinct = [
      group({ prefix: 'a/' }),
      group({ prefix: 'a' }),
      group({ prefix: '' }),
      group({ start: 'a', end: 'b\u0000' }),
      group({ start: 'a' }),
      group({ prefix: 'a/' }, ['a/x']),
      group({ prefix: 'a/' }, ['a/x', 'a/y']),
    ];
    expect(new Set(distinct).size).toBe(distinct.length);
    expect(distinct).not.toContain(undefined);
  });
});
