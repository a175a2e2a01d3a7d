import { InvalidRequestError } from './errors';
import { checkKey, type Limits } from './limits';
import { boundsOf, withinBounds, type KeySelector } from './range-query';
import type { WatchFilter } from './watcher';

/** What a watch names: exactly one of a key, a prefix (the empty prefix: every key) or a start/end range. */
export interface WatchSelector extends KeySelector {
  readonly key?: string;
}

/** A filter that follows exactly one key. */
export function keyFilter(key: string): WatchFilter {
  return { key, includes: (candidate) => candidate === key };
}

/** A filter that follows every key starting with `prefix` (every key for the empty prefix). */
export function prefixFilter(prefix: string): WatchFilter {
  // A UTF-16 prefix of a well-formed string is a prefix of its UTF-8 bytes too, and keys are well-formed.
  return { includes: (candidate) => candidate.startsWith(prefix), group: JSON.stringify(['prefix', prefix]) };
}

/**
 * The filter of a selector; throws InvalidKeyError (and its kin) for a bad key and
 * InvalidRequestError unless it names exactly one of a key, a prefix or a range.
 */
export function watchFilterOf(selector: WatchSelector, limits: Limits): WatchFilter {
  const { key, prefix, start, end } = selector;
  const named = [key !== undefined, prefix !== undefined, start !== undefined || end !== undefined];
  if (named.filter(Boolean).length !== 1) {
    throw new InvalidRequestError('name exactly one of a key, a prefix, or a start/end range');
  }
  if (key !== undefined) {
    checkKey(key, limits);
    return keyFilter(key);
  }
  const bounds = boundsOf({ prefix, start, end }, limits);
  if (prefix !== undefined) return prefixFilter(prefix);
  return { includes: (candidate) => withinBounds(candidate, bounds), group: JSON.stringify(['range', start, end]) };
}

/**
 * `filter` narrowed to the keys under one of `prefixes` (a token's `kvs_prefixes`), so a
 * watch reaching outside them delivers only the permitted keys, as Range does.
 */
export function clippedFilter(filter: WatchFilter, prefixes: readonly string[]): WatchFilter {
  return {
    key: filter.key,
    includes: (candidate) => filter.includes(candidate) && prefixes.some((prefix) => candidate.startsWith(prefix)),
    group: filter.group === undefined ? undefined : JSON.stringify(['clipped', filter.group, prefixes]),
  };
}
