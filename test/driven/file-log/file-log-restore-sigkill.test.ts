import { join } from 'node:path';
import { KeyValueStore } from '../../../src/core';
import { RESTORE_STEPS } from '../../../src/driven/file-log/file-log-restore';
import { runUntilKilled } from './killed-child';
import { TempLogDir } from './temp-log-dir';

const CHILD = join(__dirname, 'restore-until-killed.child.js');

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** What a store holds: every entry, as [key, value, createRevision, modRevision, version], and the revision. */
function contentOf(store: KeyValueStore): { revision: number; entries: unknown[] } {
  const view = store.view();
  const entries = [...view.entries()].map((e) => [e.key, e.value, e.createRevision, e.modRevision, e.version]);
  return { revision: view.revision, entries };
}

const RESTORED = {
  revision: 1000,
  entries: Array.from({ length: 500 }, (_, i) => [
    `new-${String(i).padStart(3, '0')}`,
    `restored ${i}`,
    1 + i,
    1 + i,
    1,
  ]),
};

describe('a restore into the file log killed at each step', () => {
  it.each(RESTORE_STEPS.flatMap((step) => [[step, 'a plain log'] as const, [step, 'a compacted log'] as const]))(
    'after step "%s" over %s leaves the old log or the restored one, whole, and starts',
    async (step, shape) => {
      const log = dir.open();
      const store = new KeyValueStore(log);
      await store.restore();
      for (let i = 0; i < 30; i++) await store.put(`old-${i % 10}`, `old ${i}`);
      if (shape === 'a compacted log') await store.compact();
      const old = contentOf(store);
      await log.close();

      await runUntilKilled(CHILD, [dir.file(), step], () => undefined);

      const restarted = new KeyValueStore(dir.open());
      await restarted.restore();
      const committed = RESTORE_STEPS.indexOf(step) >= RESTORE_STEPS.indexOf('committed');
      expect(contentOf(restarted)).toEqual(committed ? RESTORED : old);
      // And it takes writes, above the revision it stands at.
      expect((await restarted.put('next', 'write')).revision).toBe((committed ? RESTORED : old).revision + 1);
    },
  );
});
