import { compareKeys, OrderedIndex, prefixEnd, type KeyEntry } from '../../src/core';
import { HOSTILE_STRINGS } from '../support/hostile-strings';
import { SeededRandom } from '../support/seeded-random';

function entry(key: string, modRevision: number): KeyEntry {
  return { key, value: `v${modRevision}`, createRevision: modRevision, modRevision, version: 1 };
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

describe('compareKeys', () => {
  const samples = [...HOSTILE_STRINGS.filter((s) => s.isWellFormed()), 'a', 'ab', '\uffff', '\ue000', '😀', '𝄞x', 'z'];

  it('orders keys by the bytes of their UTF-8 encoding, not by UTF-16 units', () => {
    for (const a of samples) for (const b of samples) expect(Math.sign(compareKeys(a, b))).toBe(byteOrder(a, b));
    // UTF-16 puts the surrogate pair of U+1F600 before U+FFFF; UTF-8 puts it after.
    expect('😀' < '\uffff').toBe(true);
    expect(compareKeys('😀', '\uffff')).toBeGreaterThan(0);
  });

  it('gives the end of a prefix range: above every key with the prefix, below the next', () => {
    expect(prefixEnd('a/')).toBe('a0');
    expect(prefixEnd('')).toBeUndefined();
    expect(prefixEnd('\u{10ffff}')).toBeUndefined();
    expect(prefixEnd('x\ud7ff')).toBe('x\ue000');
    for (const prefix of ['a', 'é', '😀', 'k\uffff']) {
      const end = prefixEnd(prefix)!;
      expect(compareKeys(prefix + '\u{10ffff}\u{10ffff}', end)).toBeLessThan(0);
      expect(compareKeys(prefix, end)).toBeLessThan(0);
    }
  });
});

describe('OrderedIndex', () => {
  it('searches by UTF-8 order when keys below the surrogates meet keys with surrogates or units above them', () => {
    // A search for a plain key uses the engine's comparison (orderedNatively); one for a key
    // with a surrogate pair or a unit at or above U+E000 uses compareKeys. Both kinds in one tree.
    const seeded = new SeededRandom(29);
    const units = ['a', 'b', '\ud7ff', '\ue000', '\uffff', '😀', '𝄞', 'é'];
    const keyOf = (): string =>
      Array.from(
        { length: 1 + Math.floor(seeded.next() * 4) },
        () => units[Math.floor(seeded.next() * units.length)],
      ).join('');
    const index = new OrderedIndex();
    const model = new Map<string, KeyEntry>();
    for (let i = 1; i <= 5000; i++) {
      const key = keyOf();
      if (seeded.next() < 0.3) expect(index.delete(key)).toBe(model.delete(key));
      else {
        index.set(entry(key, i));
        model.set(key, entry(key, i));
      }
    }
    const sorted = [...model.values()].sort((a, b) => byteOrder(a.key, b.key));
    expect([...index.entries()]).toEqual(sorted);
    for (const e of sorted) expect(index.get(e.key)).toEqual(e);
    for (let probe = 0; probe < 200; probe++) {
      const from = keyOf();
      expect([...index.entries({ key: from, inclusive: true })]).toEqual(
        sorted.filter((e) => byteOrder(e.key, from) >= 0),
      );
    }
  });

  it('agrees with a sorted model over 20,000 seeded random inserts, overwrites and deletes', () => {
    const seeded = new SeededRandom(17);
    const random = (): number => seeded.next();
    const index = new OrderedIndex();
    const model = new Map<string, KeyEntry>();
    for (let i = 1; i <= 20_000; i++) {
      const key = `k${Math.floor(random() * 3000)}`;
      if (random() < 0.35) {
        expect(index.delete(key)).toBe(model.delete(key));
      } else {
        index.set(entry(key, i));
        model.set(key, entry(key, i));
      }
    }
    expect(index.size).toBe(model.size);
    const sorted = [...model.values()].sort((a, b) => byteOrder(a.key, b.key));
    expect([...index.entries()]).toEqual(sorted);
    for (const e of sorted.slice(0, 200)) expect(index.get(e.key)).toEqual(e);
    // A range starting anywhere, inclusive or not, and ending anywhere.
    for (let probe = 0; probe < 50; probe++) {
      const from = `k${Math.floor(random() * 3000)}`;
      const to = `k${Math.floor(random() * 3000)}`;
      const inclusive = random() < 0.5;
      const expected = sorted.filter(
        (e) => (inclusive ? byteOrder(e.key, from) >= 0 : byteOrder(e.key, from) > 0) && byteOrder(e.key, to) < 0,
      );
      expect([...index.entries({ key: from, inclusive }, to)]).toEqual(expected);
    }
  });

  it('empties completely and keeps working', () => {
    const index = new OrderedIndex();
    for (let i = 0; i < 5000; i++) index.set(entry(`k${String(i).padStart(5, '0')}`, i + 1));
    for (let i = 0; i < 5000; i++) expect(index.delete(`k${String(i).padStart(5, '0')}`)).toBe(true);
    expect(index.size).toBe(0);
    expect([...index.entries()]).toEqual([]);
    index.set(entry('again', 1));
    expect([...index.entries()].map((e) => e.key)).toEqual(['again']);
  });

  it('keeps a snapshot unchanged while writes go on, and the live index sees them', () => {
    const index = new OrderedIndex();
    for (let i = 0; i < 3000; i++) index.set(entry(`k${i}`, i + 1));
    const before = [...index.entries()];
    const snapshot = index.snapshot();
    for (let i = 0; i < 3000; i += 2) index.delete(`k${i}`);
    for (let i = 0; i < 1000; i++) index.set(entry(`k${i}`, 10_000 + i));
    index.set(entry('new', 99_999));
    expect(snapshot.size).toBe(3000);
    expect([...snapshot.entries()]).toEqual(before);
    expect(snapshot.get('k0')).toEqual(entry('k0', 1));
    expect(index.get('k0')).toEqual(entry('k0', 10_000));
    expect(index.get('k1002')).toBeUndefined();
    expect(index.size).toBe(3000 - 1500 + 500 + 1);
  });
});
