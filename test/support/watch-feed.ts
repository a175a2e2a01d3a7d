import type { ChangeBatch, KeyEntry, ChangeEvent, Watcher, WatchHub, WatchMessage } from '../../src/core';

/** A store stand-in that turns writes into the batches the real store commits. */
export class Feed {
  readonly entries = new Map<string, KeyEntry>();
  revision: number;

  constructor(
    readonly hub: WatchHub,
    revision = 0,
  ) {
    this.revision = revision;
  }

  put(key: string, value: string): ChangeBatch {
    return this.commit([{ key, value }]);
  }

  delete(key: string): ChangeBatch {
    return this.commit([{ key }]);
  }

  /** One revision holding every write: a value puts, none deletes. */
  commit(writes: { key: string; value?: string }[]): ChangeBatch {
    const revision = ++this.revision;
    const events: ChangeEvent[] = writes.map(({ key, value }) => {
      const previous = this.entries.get(key);
      if (value === undefined) {
        this.entries.delete(key);
        return {
          type: 'delete',
          entry: { key, value: '', createRevision: 0, modRevision: revision, version: 0 },
          previous,
        };
      }
      const entry = {
        key,
        value,
        createRevision: previous?.createRevision ?? revision,
        modRevision: revision,
        version: (previous?.version ?? 0) + 1,
      };
      this.entries.set(key, entry);
      return { type: 'put', entry, previous };
    });
    const batch = { revision, events };
    this.hub.observe(batch);
    return batch;
  }
}

/** Reads a watcher without waiting: `drain` takes every message ready now, keeping a receive that found none for later. */
export class Reader {
  private pending: Promise<WatchMessage | undefined> | undefined;

  constructor(readonly watcher: Watcher) {}

  async drain(): Promise<WatchMessage[]> {
    const taken: WatchMessage[] = [];
    for (;;) {
      const pending = (this.pending ??= this.watcher.receive());
      const next = await Promise.race([pending, new Promise<'none'>((resolve) => setImmediate(() => resolve('none')))]);
      if (next === 'none') return taken;
      this.pending = undefined;
      if (next === undefined) return taken;
      taken.push(next);
    }
  }
}

/** Every message ready now on a fresh reader. */
export function drain(watcher: Watcher): Promise<WatchMessage[]> {
  return new Reader(watcher).drain();
}
