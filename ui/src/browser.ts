// The key list: one folder of the `/`-separated key space at a time, a page at a time (Range,
// keys only), narrowed by a prefix search; kept current by the live feed. It never loads a whole
// store: each page skips the rest of any folder it reaches.
import { anyKeyUnder, listKeys, type Entry } from './api';
import { button, byId, el, keyText } from './dom';
import { childOf, compareKeys, crumbsOf, cursorAfter, prefixEnd, rowKey, type Child, type Cursor } from './keys';
import type { Change } from './live';

/** Keys asked for per page. */
export const PAGE_SIZE = 100;
/** Pages one "load more" may ask for when folders swallow them. */
const MAX_REQUESTS_PER_LOAD = 10;

interface Row {
  readonly child: Child;
  readonly item: HTMLLIElement;
}

/** What the list tells the page. */
export interface BrowserListener {
  /** The user opened a key. */
  open(key: string): void;
  /** A new listing began at `revision`: follow its scope from the next one. */
  listed(scope: string, revision: number): void;
  failed(error: unknown): void;
}

/** The key list panel. */
export class KeyBrowser {
  private folder = '';
  private search = '';
  private rows: Row[] = [];
  /** Where the next page starts; undefined once the scope is listed to its end. */
  private cursor: Cursor | undefined;
  private generation = 0;
  private readonly list = byId<HTMLUListElement>('keys');
  private readonly count = byId<HTMLElement>('count');
  private readonly more = byId<HTMLButtonElement>('more');
  private readonly crumbs = byId<HTMLOListElement>('breadcrumb');
  private readonly searchBox = byId<HTMLInputElement>('search');

  constructor(private readonly listener: BrowserListener) {
    this.more.addEventListener('click', () => void this.loadPage());
    byId<HTMLFormElement>('search-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.searchFor(this.searchBox.value);
    });
    // Typing narrows the list after a short pause; Enter does it at once.
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.searchBox.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.searchFor(this.searchBox.value), 300);
    });
  }

  /** The folder shown ('' or ending in `/`). */
  get currentFolder(): string {
    return this.folder;
  }

  /** Every key the list covers starts with this. */
  get scope(): string {
    return this.folder + this.search;
  }

  /** Shows `folder`, from its first page. */
  openFolder(folder: string): void {
    this.folder = folder;
    this.search = '';
    this.searchBox.value = '';
    this.reload();
  }

  /** Lists the scope again from its first page. */
  reload(): void {
    this.generation++;
    this.rows = [];
    this.list.replaceChildren();
    this.cursor = { start: this.scope };
    this.renderCrumbs();
    void this.loadPage(true);
  }

  /** Applies a revision's changes to the rows loaded so far. */
  apply(changes: readonly Change[]): void {
    for (const { type, entry } of changes) {
      if (!entry.key.startsWith(this.scope)) continue;
      const child = childOf(this.folder, entry.key)!;
      if (type === 'put') this.insert(child, entry);
      else if (child.kind === 'key') this.remove(rowKey(child));
      else void this.dropIfEmpty(child.prefix);
    }
    this.renderCount();
  }

  private searchFor(text: string): void {
    if (text === this.search) return;
    this.search = text;
    this.reload();
  }

  /**
   * Loads a page's worth of rows. A page that reached into folders adds only their rows, so more
   * pages follow (each one starts past a folder) until PAGE_SIZE rows are added, the scope ends,
   * or MAX_REQUESTS_PER_LOAD pages were asked for.
   */
  private async loadPage(first = false): Promise<void> {
    if (this.cursor === undefined) return;
    const generation = this.generation;
    const before = this.rows.length;
    const end = prefixEnd(this.scope);
    this.more.disabled = true;
    try {
      for (let request = 0; request < MAX_REQUESTS_PER_LOAD; request++) {
        const cursor: Cursor | undefined = this.cursor;
        if (cursor === undefined || this.rows.length - before >= PAGE_SIZE) break;
        const page = await listKeys(cursor.start, end, cursor.startAfter, PAGE_SIZE);
        if (generation !== this.generation) return;
        for (const item of page.items) this.insert(childOf(this.folder, item.key)!, item, true);
        const last = page.items.at(-1);
        this.cursor =
          page.next_start_after === null || last === undefined
            ? undefined
            : cursorAfter(this.folder, cursor.start, last.key, end);
        if (first && request === 0) this.listener.listed(this.scope, page.revision);
      }
      this.renderCount();
    } catch (error) {
      if (generation === this.generation) this.listener.failed(error);
    } finally {
      if (generation === this.generation) this.more.disabled = this.cursor === undefined;
    }
  }

  /** Whether `key` lies in what is loaded (a key past the last page waits for its page). */
  private loaded(key: string): boolean {
    const cursor = this.cursor;
    if (cursor === undefined) return true;
    if (cursor.startAfter !== undefined) return compareKeys(key, cursor.startAfter) <= 0;
    return compareKeys(key, cursor.start) < 0;
  }

  /** Adds the row of `child` unless it is there; a change past the loaded pages waits for its page. */
  private insert(child: Child, entry: Entry, listing = false): void {
    const sortKey = rowKey(child);
    const at = this.indexOf(sortKey);
    const existing = this.rows[at];
    if (existing !== undefined && rowKey(existing.child) === sortKey) {
      if (child.kind === 'key') existing.item.dataset.revision = String(entry.mod_revision);
      return;
    }
    if (!listing && !this.loaded(sortKey)) return;
    const row = { child, item: this.itemOf(child, entry) };
    this.list.insertBefore(row.item, existing?.item ?? null);
    this.rows.splice(at, 0, row);
  }

  private remove(sortKey: string): void {
    const at = this.indexOf(sortKey);
    const row = this.rows[at];
    if (row === undefined || rowKey(row.child) !== sortKey) return;
    row.item.remove();
    this.rows.splice(at, 1);
  }

  private async dropIfEmpty(prefix: string): Promise<void> {
    const generation = this.generation;
    try {
      if (!(await anyKeyUnder(prefix)) && generation === this.generation) {
        this.remove(prefix);
        this.renderCount();
      }
    } catch (error) {
      this.listener.failed(error);
    }
  }

  /** The first row not before `sortKey` (binary search: the rows are in key order). */
  private indexOf(sortKey: string): number {
    let low = 0;
    let high = this.rows.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(rowKey(this.rows[middle].child), sortKey) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private itemOf(child: Child, entry: Entry): HTMLLIElement {
    if (child.kind === 'folder') {
      const open = button('', () => this.openFolder(child.prefix), {
        className: 'folder',
        attrs: { 'aria-label': `Folder ${child.name}` },
      });
      open.append(el('span', { className: 'icon', text: '📁', attrs: { 'aria-hidden': 'true' } }), keyText(child.name));
      return el('li', {}, open);
    }
    const open = button('', () => this.listener.open(child.key), { className: 'key' });
    open.setAttribute('aria-label', `Key ${child.key}`);
    open.append(keyText(child.name === '' ? '(empty name)' : child.name));
    return el('li', { attrs: { 'data-revision': String(entry.mod_revision) } }, open);
  }

  private renderCount(): void {
    const folders = this.rows.filter((row) => row.child.kind === 'folder').length;
    const keys = this.rows.length - folders;
    const more = this.cursor === undefined ? 'all loaded' : 'more to load';
    this.count.textContent = `${keys} ${keys === 1 ? 'key' : 'keys'} and ${folders} ${folders === 1 ? 'folder' : 'folders'} loaded (${more})`;
  }

  private renderCrumbs(): void {
    const crumbs = crumbsOf(this.folder);
    this.crumbs.replaceChildren(
      ...crumbs.map(({ name, prefix }, i) => {
        if (i === crumbs.length - 1) {
          return el('li', {}, el('span', { attrs: { 'aria-current': 'page' } }, keyText(name)));
        }
        const link = button('', () => this.openFolder(prefix), { className: 'crumb' });
        link.append(keyText(name));
        return el('li', {}, link);
      }),
    );
  }
}
