import { boundsOf, boundsWithin, compareKeys, DEFAULT_LIMITS, type KeyValueStore } from '../../src/core';
import { MemoryTransactionLog, restoredStore } from '../support/memory-transaction-log';
import { SeededRandom } from '../support/seeded-random';

/** Keys from a tiny alphabet, with astral and high-BMP characters, so prefixes overlap often. */
const ALPHABET = ['a', 'b', '/', 'é', '\uFFFD', '😀'];

function randomKey(random: SeededRandom, most: number): string {
  return Array.from({ length: random.int(1, most) }, () => random.pick(ALPHABET)).join('');
}

describe('a range clipped to prefixes (RangeQuery.within)', () => {
  let store: KeyValueStore;
  let keys: string[];

  beforeAll(async () => {
    const random = new SeededRandom(23);
    store = await restoredStore(new MemoryTransactionLog());
    const unique = new Set(Array.from({ length: 300 }, () => randomKey(random, 4)));
    for (const key of unique) await store.put(key, key);
    keys = [...unique].sort(compareKeys);
  });

  it('pages exactly the permitted keys of the range, each once, in order (seed 29, 300 cases)', () => {
    const random = new SeededRandom(29);
    for (let i = 0; i < 300; i++) {
      const within = Array.from({ length: random.int(0, 3) }, () => randomKey(random, 2));
      const [start, end] = [randomKey(random, 3), randomKey(random, 3)].sort(compareKeys);
      const selector: { prefix?: string; start?: string; end?: string } = random.pick<object>([
        { prefix: '' },
        { prefix: randomKey(random, 1) },
        { start, end },
        { start },
      ]);
      const limit = random.int(1, 7);
      const expected = keys.filter(
        (key) =>
          within.some((prefix) => key.startsWith(prefix)) &&
          (selector.prefix !== undefined
            ? key.startsWith(selector.prefix)
            : compareKeys(key, selector.start ?? '') >= 0 &&
              (selector.end === undefined || compareKeys(key, selector.end) < 0)),
      );
      const seen: string[] = [];
      let startAfter: string | undefined;
      for (let pages = 0; pages < 400; pages++) {
        const page = store.range({ ...selector, within, limit, startAfter });
        seen.push(...page.entries.map((entry) => entry.key));
        if (!page.more) break;
        startAfter = page.nextStartAfter;
      }
      expect([i, within, selector, seen]).toEqual([i, within, selector, expected]);
    }
  });

  it('says whether a range lies inside the prefixes, merging touching ones', () => {
    const inside = (selector: Parameters<typeof boundsOf>[0], prefixes: string[]) =>
      boundsWithin(boundsOf(selector, DEFAULT_LIMITS), prefixes);
    expect(inside({ prefix: 'a/b' }, ['a/'])).toBe(true);
    expect(inside({ prefix: 'a' }, ['a/'])).toBe(false);
    expect(inside({ prefix: '' }, ['a/'])).toBe(false);
    expect(inside({ prefix: '' }, [''])).toBe(true);
    expect(inside({ start: 'a/x', end: 'a0' }, ['a/'])).toBe(true);
    expect(inside({ start: 'a/x', end: 'a1' }, ['a/'])).toBe(false);
    expect(inside({ start: 'a/x' }, ['a/'])).toBe(false);
    expect(inside({ start: 'a', end: 'c' }, ['a', 'b'])).toBe(true);
    expect(inside({ start: 'a', end: 'd' }, ['a', 'c'])).toBe(false);
  });
});
