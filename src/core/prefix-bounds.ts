import { compareKeys, prefixEnd } from './key-order';
import type { LowerBound } from './ordered-index';
import type { KeyBounds } from './range-query';

/**
 * The key space a set of prefixes (a token's `kvs_prefixes`) covers, as sorted, disjoint
 * half-open ranges: nested prefixes are dropped ('a/' covers 'a/b/'), and ranges that touch are
 * joined ('a' and 'b' cover [a, c)), so a range lying inside the prefixes lies inside one of them.
 * A prefix p covers [p, prefixEnd(p)): every key in that range starts with p, and no other key.
 */
export function prefixRanges(prefixes: readonly string[]): KeyBounds[] {
  const sorted = [...prefixes].sort(compareKeys);
  const ranges: { lower: string; upper: string | undefined }[] = [];
  let kept: string | undefined;
  for (const prefix of sorted) {
    if (kept !== undefined && prefix.startsWith(kept)) continue;
    kept = prefix;
    const upper = prefixEnd(prefix);
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.upper === prefix) last.upper = upper;
    else ranges.push({ lower: prefix, upper });
  }
  return ranges.map(({ lower, upper }) => ({
    lower: lower === '' ? undefined : { key: lower, inclusive: true },
    upper,
  }));
}

/**
 * `bounds` cut down to the keys under one of `prefixes`: the non-empty pieces, in key order.
 * A range read or watch of a prefix-restricted token reads these pieces, so a range reaching
 * outside the prefixes is clipped to them, never refused, and never leaks a key.
 */
export function clipToPrefixes(bounds: KeyBounds, prefixes: readonly string[]): KeyBounds[] {
  return prefixRanges(prefixes).flatMap((range) => {
    const piece = { lower: higherLower(bounds.lower, range.lower), upper: lowerUpper(bounds.upper, range.upper) };
    return isEmpty(piece) ? [] : [piece];
  });
}

/** Whether every key `bounds` can name starts with one of `prefixes` (a delete of a range may only touch permitted keys). */
export function withinPrefixes(bounds: KeyBounds, prefixes: readonly string[]): boolean {
  return prefixRanges(prefixes).some(
    (range) =>
      higherLower(bounds.lower, range.lower) === bounds.lower && lowerUpper(bounds.upper, range.upper) === bounds.upper,
  );
}

/** The stricter of two lower bounds (undefined: no bound); `a` when they are as strict. */
function higherLower(a: LowerBound | undefined, b: LowerBound | undefined): LowerBound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const order = compareKeys(a.key, b.key);
  if (order !== 0) return order > 0 ? a : b;
  return !a.inclusive || b.inclusive ? a : b;
}

/** The stricter of two exclusive upper bounds (undefined: no bound); `a` when they are equal. */
function lowerUpper(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(b, a) < 0 ? b : a;
}

function isEmpty({ lower, upper }: KeyBounds): boolean {
  return lower !== undefined && upper !== undefined && compareKeys(lower.key, upper) >= 0;
}
