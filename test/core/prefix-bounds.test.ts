import { KeyValueStore, clipToPrefixes, prefixRanges, withinPrefixes, type KeyBounds } from '../../src/core';
import { MemoryTransactionLog } from '../support/memory-transaction-log';

const range = (lower?: string, upper?: string, inclusive = true): KeyBounds => ({
  lower: lower === undefined ? undefined : { key: lower, inclusive },
  upper,
});

describe('prefix bounds', () => {
  it('turns prefixes into sorted, disjoint ranges: nested ones dropped, touching ones joined', () => {
    expect(prefixRanges(['b/', 'a/', 'a/x/', 'a0'])).toEqual([range('a/', 'a1'), range('b/', 'b0')]);
    expect(prefixRanges(['x', ''])).toEqual([range(undefined, undefined)]);
    expect(prefixRanges([])).toEqual([]);
    // Code points above U+FFFF order after U+FFFF, as UTF-8 bytes do.
    expect(prefixRanges(['\u{1F600}', '\uFFFF'])).toEqual([
      range('\uFFFF', '\u{10000}'),
      range('\u{1F600}', '\u{1F601}'),
    ]);
  });

  it('clips a range to the prefixes, keeping the stricter bound on each side', () => {
    expect(clipToPrefixes(range('a/m', undefined), ['a/', 'c/'])).toEqual([range('a/m', 'a0'), range('c/', 'c0')]);
    expect(clipToPrefixes(range('a/', undefined, false), ['a/'])).toEqual([range('a/', 'a0', false)]);
    expect(clipToPrefixes(range('a/', 'a/'), ['a/'])).toEqual([]);
    expect(clipToPrefixes(range('b', 'c'), ['a/', 'c/'])).toEqual([]);
    expect(clipToPrefixes(range(undefined, undefined), [''])).toEqual([range(undefined, undefined)]);
  });

  it('says whether a range lies wholly inside the prefixes', () => {
    expect(withinPrefixes(range('a/1', 'a/9'), ['a/'])).toBe(true);
    expect(withinPrefixes(range('a/', 'a0'), ['a/'])).toBe(true);
    expect(withinPrefixes(range('a/', 'a1'), ['a/'])).toBe(false);
    expect(withinPrefixes(range('a/', 'a1'), ['a/', 'a0'])).toBe(true);
    expect(withinPrefixes(range('a/', undefined), ['a/'])).toBe(false);
    expect(withinPrefixes(range(undefined, undefined), ['a/'])).toBe(false);
    expect(withinPrefixes(range(undefined, undefined), [''])).toBe(true);
    expect(withinPrefixes(range('a', 'b'), [])).toBe(false);
  });

  it('lets the store page through only the permitted keys of a range', async () => {
    const store = new KeyValueStore(new MemoryTransactionLog());
    await store.restore();
    for (const key of ['a/1', 'a/2', 'a0', 'b/1', 'c/1', 'c/2']) await store.put(key, key);
    const keys = (startAfter?: string) => store.range({ prefix: '', limit: 2, startAfter }, ['c/', 'a/']);
    expect(keys().entries.map((e) => e.key)).toEqual(['a/1', 'a/2']);
    expect(keys('a/2')).toMatchObject({ more: false, nextStartAfter: undefined });
    expect(keys('a/2').entries.map((e) => e.key)).toEqual(['c/1', 'c/2']);
    expect(keys().nextStartAfter).toBe('a/2');
  });
});
