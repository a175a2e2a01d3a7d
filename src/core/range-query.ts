import { InvalidRequestError } from './errors';
import { compareKeys, prefixEnd } from './key-order';
import { checkKey, type Limits } from './limits';
import type { KeyEntry, LowerBound } from './ordered-index';

/** Which keys a range or delete-range names: a prefix, or a half-open range [start, end). */
export interface KeySelector {
  /** Every key that starts with this; the empty prefix is every key. */
  readonly prefix?: string;
  /** First key of a half-open range (inclusive); the first key when missing. */
  readonly start?: string;
  /** End of a half-open range (exclusive); no end when missing. */
  readonly end?: string;
}

/** A page of a range read. */
export interface RangeQuery extends KeySelector {
  /** Resume after this key (the previous page's nextStartAfter). */
  readonly startAfter?: string;
  /** Entries per page: DEFAULT_RANGE_LIMIT when missing, at most MAX_RANGE_LIMIT. */
  readonly limit?: number;
  /** Leave values out (empty strings). */
  readonly keysOnly?: boolean;
  /**
   * Only keys starting with one of these (a token's `kvs_prefixes`): the range is clipped to
   * them, so a page never holds a key outside them. Undefined: no restriction.
   */
  readonly within?: readonly string[];
}

/** What a range read answers. */
export interface RangePage {
  /** The store revision the page was read at. */
  readonly revision: number;
  readonly entries: readonly KeyEntry[];
  /** True when keys in the range follow this page. */
  readonly more: boolean;
  /** The last key of the page when more follow: pass it as startAfter for the next page. */
  readonly nextStartAfter: string | undefined;
}

/** Entries per page when a range read names no limit. */
export const DEFAULT_RANGE_LIMIT = 100;
/** Entries per page at most. */
export const MAX_RANGE_LIMIT = 1000;

/** A selector as bounds on the ordered index: from `lower` up to, not including, `upper`. */
export interface KeyBounds {
  readonly lower: LowerBound | undefined;
  readonly upper: string | undefined;
}

/** Checks a selector and turns it into bounds; throws InvalidRequestError when it names both a prefix and a range. */
export function boundsOf(selector: KeySelector, limits: Limits): KeyBounds {
  const { prefix, start, end } = selector;
  if (prefix !== undefined && (start !== undefined || end !== undefined)) {
    throw new InvalidRequestError('name either a prefix or a start/end range, not both');
  }
  if (prefix !== undefined) {
    if (prefix === '') return { lower: undefined, upper: undefined };
    checkKey(prefix, limits);
    return { lower: { key: prefix, inclusive: true }, upper: prefixEnd(prefix) };
  }
  if (start !== undefined && start !== '') checkKey(start, limits);
  if (end !== undefined) checkKey(end, limits);
  return { lower: start ? { key: start, inclusive: true } : undefined, upper: end };
}

/** The bounds of a page: the selector's, moved past `startAfter` when that lies beyond their start. */
export function pageBounds(query: RangeQuery, limits: Limits): KeyBounds {
  const bounds = boundsOf(query, limits);
  const after = query.startAfter;
  if (after === undefined || after === '') return bounds;
  checkKey(after, limits);
  if (bounds.lower !== undefined && compareKeys(after, bounds.lower.key) < 0) return bounds;
  return { lower: { key: after, inclusive: false }, upper: bounds.upper };
}

/** The page size a query asks for; throws InvalidRequestError outside 1..MAX_RANGE_LIMIT. */
export function pageLimit(query: RangeQuery): number {
  const limit = query.limit ?? DEFAULT_RANGE_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RANGE_LIMIT) {
    throw new InvalidRequestError(`limit must be an integer from 1 to ${MAX_RANGE_LIMIT}`);
  }
  return limit;
}

/** True when `key` lies within the bounds. */
export function withinBounds(key: string, { lower, upper }: KeyBounds): boolean {
  if (lower !== undefined) {
    const order = compareKeys(key, lower.key);
    if (order < 0 || (order === 0 && !lower.inclusive)) return false;
  }
  return upper === undefined || compareKeys(key, upper) < 0;
}

/**
 * The parts of `bounds` inside the prefixes' ranges, in key order and disjoint: reading them one
 * after the other reads exactly the permitted keys of the bounds, in O(log n) per part, however
 * many keys outside the prefixes lie between them.
 */
export function clipBounds(bounds: KeyBounds, prefixes: readonly string[]): KeyBounds[] {
  const parts: KeyBounds[] = [];
  for (const permitted of prefixRanges(prefixes)) {
    const lower = laterLower(bounds.lower, permitted.lower);
    const upper = earlierUpper(bounds.upper, permitted.upper);
    if (lower !== undefined && upper !== undefined && compareKeys(lower.key, upper) >= 0) continue;
    parts.push({ lower, upper });
  }
  return parts;
}

/** Whether every key the bounds admit starts with one of the prefixes. */
export function boundsWithin(bounds: KeyBounds, prefixes: readonly string[]): boolean {
  return prefixRanges(prefixes).some(
    (permitted) =>
      (permitted.lower === undefined ||
        (bounds.lower !== undefined && compareKeys(bounds.lower.key, permitted.lower.key) >= 0)) &&
      (permitted.upper === undefined ||
        (bounds.upper !== undefined && compareKeys(bounds.upper, permitted.upper) <= 0)),
  );
}

/**
 * The prefixes as bounds in key order, disjoint, touching ones merged: a prefix inside another
 * is dropped, and a prefix sorting after another without starting with it lies above its whole
 * range, so the rest are already disjoint.
 */
function prefixRanges(prefixes: readonly string[]): KeyBounds[] {
  const sorted = [...prefixes].sort(compareKeys);
  const ranges: { lower: LowerBound | undefined; upper: string | undefined }[] = [];
  let kept: string | undefined;
  for (const prefix of sorted) {
    if (kept !== undefined && prefix.startsWith(kept)) continue;
    kept = prefix;
    const lower = prefix === '' ? undefined : { key: prefix, inclusive: true };
    const upper = prefix === '' ? undefined : prefixEnd(prefix);
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.upper === prefix) last.upper = upper;
    else ranges.push({ lower, upper });
  }
  return ranges;
}

function laterLower(a: LowerBound | undefined, b: LowerBound | undefined): LowerBound | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const order = compareKeys(a.key, b.key);
  if (order !== 0) return order > 0 ? a : b;
  return a.inclusive ? b : a;
}

function earlierUpper(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(a, b) <= 0 ? a : b;
}
