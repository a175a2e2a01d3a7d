import type { WatchFilter } from './watcher';

/** A filter that follows exactly one key. */
export function keyFilter(key: string): WatchFilter {
  return { key, includes: (candidate) => candidate === key };
}

/** A filter that follows every key starting with `prefix` (every key for the empty prefix). */
export function prefixFilter(prefix: string): WatchFilter {
  // A UTF-16 prefix of a well-formed string is a prefix of its UTF-8 bytes too, and keys are well-formed.
  return { includes: (candidate) => candidate.startsWith(prefix) };
}
