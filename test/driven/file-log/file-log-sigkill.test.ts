import { join } from 'node:path';
import type { SyncPolicy } from '../../../src/driven/file-log';
import { collectEvents, appendMutation } from '../../support/collect-events';
import { runUntilKilled } from './killed-child';
import { TempLogDir } from './temp-log-dir';

const CHILD = join(__dirname, 'append-until-killed.child.js');
const ACKS_BEFORE_KILL = 300;

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** Runs a child that appends until it has acknowledged enough writes, SIGKILLs it, and returns the highest revision it acknowledged. */
async function appendUntilKilled(filename: string, sync: SyncPolicy): Promise<number> {
  let highestAck = 0;
  await runUntilKilled(CHILD, [filename, sync], (line, child) => {
    highestAck = Math.max(highestAck, Number(line));
    if (highestAck >= ACKS_BEFORE_KILL) child.kill('SIGKILL');
  });
  return highestAck;
}

describe('a SIGKILLed process', () => {
  it.each(['always', 'never'] as const)(
    'loses no acknowledged write (sync=%s) and does not block restart',
    async (sync) => {
      const filename = dir.file();
      const highestAck = await appendUntilKilled(filename, sync);
      expect(highestAck).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

      const log = dir.open({ filename });
      const sequences = (await collectEvents(log)).map((event) => event.sequence);
      expect(sequences.slice(0, highestAck)).toEqual(Array.from({ length: highestAck }, (_, i) => i + 1));
      expect(dir.warnings).toContainEqual(expect.stringContaining(`taking over stale lock file ${filename}.lock`));
      await appendMutation(log, { type: 'delete', key: 'r0-0' });
    },
  );
});
