import { join } from 'node:path';
import { KeyValueStore } from '../../../src/core';
import { runUntilKilled } from './killed-child';
import { TempLogDir } from './temp-log-dir';

const CHILD = join(__dirname, 'txn-until-killed.child.js');
const ACKS_BEFORE_KILL = 200;
const WORKERS = 8;

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

interface Acks {
  /** Per worker, the last transaction (its n) acknowledged. */
  readonly last: Map<number, number>;
  readonly highestRevision: number;
}

/** Runs the child until it has acknowledged enough transactions, SIGKILLs it mid-stream, and returns what it acknowledged. */
async function transactUntilKilled(filename: string): Promise<Acks> {
  const last = new Map<number, number>();
  let highestRevision = 0;
  let acks = 0;
  await runUntilKilled(CHILD, [filename], (line, child) => {
    const [w, n, revision] = line.split(' ').map(Number);
    last.set(w, Math.max(last.get(w) ?? 0, n));
    highestRevision = Math.max(highestRevision, revision);
    if (++acks >= ACKS_BEFORE_KILL) child.kill('SIGKILL');
  });
  return { last, highestRevision };
}

/** Each worker's four keys after a restart must be one transaction's: all present with one value and one mod_revision. */
function checkWhole(store: KeyValueStore, acks: Acks): void {
  for (let w = 0; w < WORKERS; w++) {
    const count = store.read(`w${w}/count`).entry;
    const acked = acks.last.get(w) ?? 0;
    if (count === undefined) {
      expect(acked).toBe(0);
      for (const k of ['a', 'b', 'c']) expect(store.read(`w${w}/${k}`).entry).toBeUndefined();
      continue;
    }
    const n = Number(count.value);
    // Never less than acknowledged; at most the one transaction in flight when the kill came.
    expect(n).toBeGreaterThanOrEqual(acked);
    expect(n).toBeLessThanOrEqual(acked + 1);
    expect(count.version).toBe(n);
    for (const k of ['a', 'b', 'c']) {
      const entry = store.read(`w${w}/${k}`).entry;
      expect(entry?.value.split(':')[0]).toBe(String(n));
      expect(entry?.modRevision).toBe(count.modRevision);
      expect(entry?.version).toBe(n);
    }
  }
}

describe('a process SIGKILLed under concurrent transactions', () => {
  it('restarts with every transaction entirely present or entirely absent, twice over, and revisions continue', async () => {
    const filename = dir.file();
    const acked = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      const killed = await transactUntilKilled(filename);
      // A worker that got nothing acknowledged in this round still had its earlier transactions.
      for (const [w, n] of killed.last) acked.set(w, Math.max(acked.get(w) ?? 0, n));
      const acks = { last: acked, highestRevision: killed.highestRevision };
      expect(acks.highestRevision).toBeGreaterThan(0);
      const log = dir.open({ filename });
      const store = new KeyValueStore(log);
      await store.restore();
      checkWhole(store, acks);
      expect(store.revision).toBeGreaterThanOrEqual(acks.highestRevision);
      expect((await store.put('after', `${round}`)).revision).toBe(store.revision);
      await log.close();
    }
  });
});
