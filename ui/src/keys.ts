// Key order and the folder view of keys, without the DOM (test/ui/keys.test.ts runs it in node).

/** The folder separator of the browse view: keys are flat, `/` only groups them for display. */
export const SEPARATOR = '/';

/** Compares keys as the store orders them: UTF-8 byte order, which is code point order. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

/** The smallest key above every key starting with `prefix` (a range's exclusive end); undefined for '' (no end). */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (char) => char.codePointAt(0)!);
  while (points.length > 0) {
    const last = points.pop()!;
    if (last < 0x10ffff) {
      // Surrogates are not characters: the next one after U+D7FF is U+E000.
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

/** One row of a folder's listing: a folder (a deeper prefix ending in `/`) or a key. */
export type Child =
  | { readonly kind: 'folder'; readonly name: string; readonly prefix: string }
  | { readonly kind: 'key'; readonly name: string; readonly key: string };

/** What `key` is inside `folder` ('' or ending in `/`): a key of it, a folder holding it, or undefined when outside. */
export function childOf(folder: string, key: string): Child | undefined {
  if (!key.startsWith(folder)) return undefined;
  const rest = key.slice(folder.length);
  const cut = rest.indexOf(SEPARATOR);
  if (cut < 0) return { kind: 'key', name: rest, key };
  const name = rest.slice(0, cut + 1);
  return { kind: 'folder', name, prefix: folder + name };
}

/** The sort key of a row: a folder sorts where its first key would. */
export function rowKey(child: Child): string {
  return child.kind === 'folder' ? child.prefix : child.key;
}

/** The breadcrumb of a folder: the root, then each enclosing folder down to it. */
export function crumbsOf(folder: string): { readonly name: string; readonly prefix: string }[] {
  const crumbs = [{ name: 'all keys', prefix: '' }];
  let at = 0;
  while (at < folder.length) {
    const cut = folder.indexOf(SEPARATOR, at);
    const end = cut < 0 ? folder.length : cut + 1;
    crumbs.push({ name: folder.slice(at, end), prefix: folder.slice(0, end) });
    at = end;
  }
  return crumbs;
}

/** Where the next page of a listing starts: at `start`, after `startAfter` when set. */
export interface Cursor {
  readonly start: string;
  readonly startAfter?: string;
}

/**
 * The cursor after a page whose last key is `last`: right after it, or past the whole folder it
 * lies in (its other keys would only repeat that folder's row); undefined when that passes `end`.
 */
export function cursorAfter(folder: string, start: string, last: string, end: string | undefined): Cursor | undefined {
  const child = childOf(folder, last);
  if (child?.kind !== 'folder') return { start, startAfter: last };
  const past = prefixEnd(child.prefix);
  if (past === undefined || (end !== undefined && compareKeys(past, end) >= 0)) return undefined;
  return { start: past };
}
