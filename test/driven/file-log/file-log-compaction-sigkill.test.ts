import { join } from 'node:path';
import { COMPACTION_STEPS } from '../../../src/driven/file-log/compactor';
import { FLOOR_STEPS } from '../../../src/driven/file-log/durable-floor';
import { stateOf } from '../../contracts/transaction-log.contract';
import { collectEvents } from '../../support/collect-events';
import { runUntilKilled } from './killed-child';
import { TempLogDir } from './temp-log-dir';

const CHILD = join(__dirname, 'compact-until-killed.child.js');
const WORKERS = 8;

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/**
 * Runs the child until it kills itself during a compaction (or, with `floorEveryBytes`, a
 * durable floor write); returns each worker's highest acknowledged n.
 */
async function compactUntilKilled(filename: string, step: string, floorEveryBytes?: number): Promise<number[]> {
  const highest = Array.from({ length: WORKERS }, () => -1);
  const args = floorEveryBytes === undefined ? [filename, step] : [filename, step, String(floorEveryBytes)];
  await runUntilKilled(CHILD, args, (line) => {
    const [w, n] = line.split(' ').map(Number);
    highest[w] = Math.max(highest[w], n);
  });
  return highest;
}

/** Every step a kill lands after, with the floor step (bytes) that makes the child record floors instead of compacting. */
const STEPS: [string, number | undefined][] = [
  ...COMPACTION_STEPS.map((step): [string, undefined] => [step, undefined]),
  ...FLOOR_STEPS.map((step): [string, number] => [step, 4096]),
];

describe('a process killed during a compaction, or while it records a durable floor', () => {
  it.each(STEPS)(
    'after step "%s" loses no acknowledged write; the next start quarantines the leftovers',
    async (step, floorEveryBytes) => {
      const filename = dir.file();
      const highest = await compactUntilKilled(filename, step, floorEveryBytes);

      const log = dir.open({ filename });
      const state = stateOf(await collectEvents(log));
      await log.close();
      for (let w = 0; w < WORKERS; w++) {
        // Worker w acknowledged every n up to highest[w] in order; n + 1 may have landed unacknowledged.
        expect(highest[w]).toBeGreaterThan(0);
        for (let n = Math.max(0, highest[w] - 4); n <= highest[w]; n++) {
          const value = state.get(`w${w}-${n % 5}`);
          const inFlight = n + 5 === highest[w] + 1 ? [String(n + 5)] : [];
          expect([String(n), ...inFlight]).toContain(value);
        }
      }
      const files = await dir.files();
      expect(files.filter((name) => name !== 'transactions.log.manifest')).toEqual((await dir.listed()).sort());
      // What the manifest does not name was moved aside, never deleted.
      for (const name of await dir.quarantined()) expect(files).not.toContain(name);
    },
  );
});
