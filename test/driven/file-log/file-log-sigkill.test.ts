import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { SyncPolicy } from '../../../src/driven/file-log';
import { collectEvents, appendMutation } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

const CHILD = join(__dirname, 'append-until-killed.child.js');
const ACKS_BEFORE_KILL = 300;

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

/** Runs a child that appends until it has acknowledged enough writes, SIGKILLs it, and returns the highest sequence it acknowledged. */
async function appendUntilKilled(filename: string, sync: SyncPolicy): Promise<number> {
  const child = spawn(process.execPath, [CHILD, filename, sync], { stdio: ['ignore', 'pipe', 'pipe'] });
  let highestAck = 0;
  let pending = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) highestAck = Math.max(highestAck, Number(line));
    if (highestAck >= ACKS_BEFORE_KILL) child.kill('SIGKILL');
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  if (signal !== 'SIGKILL') throw new Error(`child exited with ${code}: ${errors}`);
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
