/**
 * Orders keys by the bytes of their UTF-8 encoding (etcd's order), so every client language
 * pages through the key space in the same order. UTF-8 byte order is code point order, which
 * differs from JavaScript's UTF-16 order only where a surrogate (a code point above U+FFFF)
 * meets a unit at or above U+E000: surrogates sort first in UTF-16 and last in UTF-8.
 * Returns a negative number, 0 or a positive number.
 */
export function compareKeys(a: string, b: string): number {
  const length = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x < 0xd800 || y < 0xd800) return x - y;
    return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/**
 * Whether JavaScript's own string comparison orders `key` against any other string exactly as
 * compareKeys does: true when no unit of `key` is a surrogate or above (where the two orders
 * part, the differing unit of `key` is then below U+D800, and both compare the units). Checked
 * once per search, it lets a B+tree descent use the engine's comparison, several times faster
 * than a loop of charCodeAt on keys with long common prefixes.
 */
export function orderedNatively(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) >= 0xd800) return false;
  return true;
}

/** Moves surrogates above U+E000..U+FFFF, keeping the order within each group. */
function codePointRank(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/**
 * The least key above every key that starts with `prefix` (the end of a prefix's half-open
 * range), or undefined when no such key exists (the prefix is empty or all U+10FFFF).
 * Works on code points, so the result is valid Unicode.
 */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = points.pop()!.codePointAt(0)!;
    if (last < 0x10ffff) {
      // Skip the surrogate block: it holds no code points.
      const next = last + 1 === 0xd800 ? 0xe000 : last + 1;
      return points.join('') + String.fromCodePoint(next);
    }
  }
  return undefined;
}
