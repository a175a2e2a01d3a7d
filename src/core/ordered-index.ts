import { compareKeys, orderedNatively } from './key-order';

/** A live key with its value and the revisions that describe its history (etcd's KeyValue). */
export interface KeyEntry {
  readonly key: string;
  readonly value: string;
  /** Revision of the write that created the key's current generation. */
  readonly createRevision: number;
  /** Revision of the key's last write. */
  readonly modRevision: number;
  /** Writes since the key was created: 1 after its first put. */
  readonly version: number;
  /**
   * The generation's deadline (Unix ms) when it was written with a TTL: from then on the key
   * is never returned, and the store logs its delete. Absent when the key does not expire.
   */
  readonly expiresAt?: number;
  /** The lease the generation is attached to: it is deleted when the lease ends. Absent when none. */
  readonly lease?: number;
}

/** Where a range starts: at `key` itself, or just after it. */
export interface LowerBound {
  readonly key: string;
  readonly inclusive: boolean;
}

/*
 * Why a copy-on-write B+tree. The store needs keys in UTF-8 byte order with O(log n + page)
 * range reads, memory per key close to a Map's, and (for watch history and snapshots at one
 * revision) consistent views taken while writes go on. A persistent tree gives a view in O(1):
 * keep the root. Among persistent trees a B+tree keeps a leaf's keys, values and revisions in
 * parallel arrays of exact length, a few pointers per key, where a treap or red-black tree
 * pays a node object (header plus links) per key: about twice the memory of a Map entry.
 * Copying is paid only after a view was taken: every node carries the epoch it was made in,
 * `snapshot()` starts a new epoch, and a write copies just the nodes of an older epoch on its
 * path (then owns them), so without views writes change nodes in place.
 */

/** Keys per leaf at most; a leaf is also the unit a write copies after a snapshot. */
const LEAF_MAX = 64;
/** Children per branch at most. */
const BRANCH_MAX = 64;
/** A node below this many entries is merged with a neighbour when the two fit in one. */
const MERGE_BELOW = 16;
/** Numbers per key in a leaf's `meta`: createRevision, modRevision, version, expiresAt, lease (0: none). */
const META = 5;

interface Leaf {
  readonly leaf: true;
  epoch: number;
  keys: string[];
  values: string[];
  /** META numbers per key, in key order. */
  meta: number[];
}

interface Branch {
  readonly leaf: false;
  epoch: number;
  /** keys[i] is a lower bound of every key in children[i + 1] and above every key of children[i]. */
  keys: string[];
  children: IndexNode[];
}

type IndexNode = Leaf | Branch;

interface Split {
  readonly separator: string;
  readonly right: IndexNode;
}

/** A read-only, consistent view of the index as it was when taken; writes after it do not show. */
export class IndexSnapshot {
  constructor(
    private readonly root: IndexNode,
    /** Live keys in the view. */
    readonly size: number,
  ) {}

  /** The key's entry in this view, if it is live there. */
  get(key: string): KeyEntry | undefined {
    return lookup(this.root, key);
  }

  /** The view's entries in key order from `lower` (the first key when undefined) up to, not including, `upper`. */
  entries(lower?: LowerBound, upper?: string): Generator<KeyEntry> {
    return walk(this.root, lower, upper);
  }
}

/**
 * The store's ordered key index: a B+tree of KeyEntry in UTF-8 byte order (see the comment
 * above for why), with point reads in O(log n) and range reads in O(log n + page).
 */
export class OrderedIndex {
  private root: IndexNode = { leaf: true, epoch: 0, keys: [], values: [], meta: [] };
  private epoch = 0;
  private count = 0;

  /** Live keys. */
  get size(): number {
    return this.count;
  }

  /** The key's entry, if it is live. */
  get(key: string): KeyEntry | undefined {
    return lookup(this.root, key);
  }

  /** Entries in key order from `lower` (the first key when undefined) up to, not including, `upper`. */
  entries(lower?: LowerBound, upper?: string): Generator<KeyEntry> {
    return walk(this.root, lower, upper);
  }

  /** A consistent view of the index now, in O(1); later writes copy the nodes they change. */
  snapshot(): IndexSnapshot {
    const view = new IndexSnapshot(this.root, this.count);
    this.epoch++;
    return view;
  }

  /** Inserts the entry, or replaces the key's entry. */
  set(entry: KeyEntry): void {
    const root = this.own(this.root);
    this.root = root;
    const split = this.insertInto(root, entry, orderedNatively(entry.key));
    if (split) this.root = { leaf: false, epoch: this.epoch, keys: [split.separator], children: [root, split.right] };
  }

  /** Removes the key; false when it was not live. */
  delete(key: string): boolean {
    // Checked first so that a miss copies nothing.
    if (lookup(this.root, key) === undefined) return false;
    let root = this.own(this.root);
    this.removeFrom(root, key, orderedNatively(key));
    while (!root.leaf && root.children.length === 1) root = root.children[0];
    this.root = root;
    this.count--;
    return true;
  }

  /** The node itself when this epoch made it, else a copy this epoch owns. */
  private own(node: IndexNode): IndexNode {
    if (node.epoch === this.epoch) return node;
    if (node.leaf) {
      const { keys, values, meta } = node;
      return { leaf: true, epoch: this.epoch, keys: keys.slice(), values: values.slice(), meta: meta.slice() };
    }
    return { leaf: false, epoch: this.epoch, keys: node.keys.slice(), children: node.children.slice() };
  }

  private insertInto(node: IndexNode, entry: KeyEntry, native: boolean): Split | undefined {
    if (node.leaf) return this.insertIntoLeaf(node, entry, native);
    const i = upperBound(node.keys, entry.key, native);
    const child = this.own(node.children[i]);
    node.children[i] = child;
    const split = this.insertInto(child, entry, native);
    if (!split) return undefined;
    node.keys.splice(i, 0, split.separator);
    node.children.splice(i + 1, 0, split.right);
    if (node.children.length <= BRANCH_MAX) return undefined;
    // A split at the right edge (keys arriving in order) leaves the left node full.
    const cut = i + 1 === node.children.length - 1 ? node.children.length - 1 : node.children.length >> 1;
    const right: Branch = {
      leaf: false,
      epoch: this.epoch,
      keys: node.keys.slice(cut),
      children: node.children.slice(cut),
    };
    const separator = node.keys[cut - 1];
    node.keys = node.keys.slice(0, cut - 1);
    node.children = node.children.slice(0, cut);
    return { separator, right };
  }

  private insertIntoLeaf(leaf: Leaf, entry: KeyEntry, native: boolean): Split | undefined {
    const i = lowerBound(leaf.keys, entry.key, native);
    if (i < leaf.keys.length && leaf.keys[i] === entry.key) {
      leaf.values[i] = entry.value;
      leaf.meta[i * META] = entry.createRevision;
      leaf.meta[i * META + 1] = entry.modRevision;
      leaf.meta[i * META + 2] = entry.version;
      leaf.meta[i * META + 3] = entry.expiresAt ?? 0;
      leaf.meta[i * META + 4] = entry.lease ?? 0;
      return undefined;
    }
    this.count++;
    // In place: the leaf is this epoch's. A copy per insert would make each write leave a
    // leaf's worth of garbage in the old generation, and random inserts then spend most of
    // their time in major collections.
    leaf.keys.splice(i, 0, entry.key);
    leaf.values.splice(i, 0, entry.value);
    const { createRevision, modRevision, version, expiresAt, lease } = entry;
    leaf.meta.splice(i * META, 0, createRevision, modRevision, version, expiresAt ?? 0, lease ?? 0);
    const length = leaf.keys.length;
    if (length <= LEAF_MAX) return undefined;
    const cut = i === length - 1 ? length - 1 : length >> 1;
    const right: Leaf = {
      leaf: true,
      epoch: this.epoch,
      keys: leaf.keys.slice(cut),
      values: leaf.values.slice(cut),
      meta: leaf.meta.slice(cut * META),
    };
    leaf.keys = leaf.keys.slice(0, cut);
    leaf.values = leaf.values.slice(0, cut);
    leaf.meta = leaf.meta.slice(0, cut * META);
    return { separator: right.keys[0], right };
  }

  private removeFrom(node: IndexNode, key: string, native: boolean): void {
    if (node.leaf) {
      const i = lowerBound(node.keys, key, native);
      node.keys.splice(i, 1);
      node.values.splice(i, 1);
      node.meta.splice(i * META, META);
      return;
    }
    const i = upperBound(node.keys, key, native);
    const child = this.own(node.children[i]);
    node.children[i] = child;
    this.removeFrom(child, key, native);
    if (entriesOf(child) < MERGE_BELOW) this.mergeWithNeighbour(node, i);
  }

  /** Merges children[i] with a neighbour when both fit in one node (an empty child always does). */
  private mergeWithNeighbour(parent: Branch, i: number): void {
    if (parent.children.length < 2) return;
    const left = i > 0 ? i - 1 : i;
    const a = parent.children[left];
    const b = parent.children[left + 1];
    const max = a.leaf ? LEAF_MAX : BRANCH_MAX;
    if (entriesOf(a) + entriesOf(b) > max) return;
    const merged: IndexNode =
      a.leaf && b.leaf
        ? {
            leaf: true,
            epoch: this.epoch,
            keys: a.keys.concat(b.keys),
            values: a.values.concat(b.values),
            meta: a.meta.concat(b.meta),
          }
        : {
            leaf: false,
            epoch: this.epoch,
            keys: [...a.keys, parent.keys[left], ...b.keys],
            children: (a as Branch).children.concat((b as Branch).children),
          };
    parent.keys.splice(left, 1);
    parent.children.splice(left, 2, merged);
  }
}

function entriesOf(node: IndexNode): number {
  return node.leaf ? node.keys.length : node.children.length;
}

function entryAt(leaf: Leaf, i: number): KeyEntry {
  const m = i * META;
  const expiresAt = leaf.meta[m + 3];
  const lease = leaf.meta[m + 4];
  const entry = {
    key: leaf.keys[i],
    value: leaf.values[i],
    createRevision: leaf.meta[m],
    modRevision: leaf.meta[m + 1],
    version: leaf.meta[m + 2],
  };
  // Only keys with a deadline or lease carry the fields, so an entry without is what it always was.
  if (expiresAt === 0 && lease === 0) return entry;
  return { ...entry, ...(expiresAt === 0 ? {} : { expiresAt }), ...(lease === 0 ? {} : { lease }) };
}

function lookup(root: IndexNode, key: string): KeyEntry | undefined {
  const native = orderedNatively(key);
  let node = root;
  while (!node.leaf) node = node.children[upperBound(node.keys, key, native)];
  const i = lowerBound(node.keys, key, native);
  return i < node.keys.length && node.keys[i] === key ? entryAt(node, i) : undefined;
}

function* walk(root: IndexNode, lower: LowerBound | undefined, upper: string | undefined): Generator<KeyEntry> {
  const path: { branch: Branch; index: number }[] = [];
  const native = lower !== undefined && orderedNatively(lower.key);
  let node = root;
  while (!node.leaf) {
    const index = lower === undefined ? 0 : upperBound(node.keys, lower.key, native);
    path.push({ branch: node, index });
    node = node.children[index];
  }
  let leaf: Leaf = node;
  let i =
    lower === undefined
      ? 0
      : lower.inclusive
        ? lowerBound(leaf.keys, lower.key, native)
        : upperBound(leaf.keys, lower.key, native);
  for (;;) {
    for (; i < leaf.keys.length; i++) {
      if (upper !== undefined && compareKeys(leaf.keys[i], upper) >= 0) return;
      yield entryAt(leaf, i);
    }
    // The next leaf: up to the first branch with a child to the right, then down its left edge.
    let step = path.pop();
    while (step && step.index + 1 >= step.branch.children.length) step = path.pop();
    if (!step) return;
    step.index++;
    path.push(step);
    let next = step.branch.children[step.index];
    while (!next.leaf) {
      path.push({ branch: next, index: 0 });
      next = next.children[0];
    }
    leaf = next;
    i = 0;
  }
}

/** First index whose key is at or above `key` (`native`: orderedNatively(key)). */
function lowerBound(keys: readonly string[], key: string, native: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (native ? keys[mid] < key : compareKeys(keys[mid], key) < 0) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** First index whose key is above `key` (`native`: orderedNatively(key)). */
function upperBound(keys: readonly string[], key: string, native: boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (native ? !(key < keys[mid]) : compareKeys(keys[mid], key) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
