import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { FileTransactionLog, type SyncPolicy } from '../../../src/driven/file-log';
import { FLOOR_STEPS, type FloorStep } from '../../../src/driven/file-log/durable-floor';
import type { LogStepHook } from '../../../src/driven/file-log/file-transaction-log';
import { openLogFile, type OpenLogFile } from '../../../src/driven/file-log/log-file-handle';
import { stateOf } from '../../contracts/transaction-log.contract';
import { appendMutation, collectEvents } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

// A crash at every step of writing a durable floor (FORMAT.md, "The durable floor"), simulated
// by copying the directory at that step: once as a kill -9 leaves it (the page cache survives),
// once as a power loss does (each log file back to its last fdatasynced length, a rename the
// directory fsync had not yet made durable undone). Start-up must accept every copy, holding
// every acknowledged write a crash of that kind keeps.

const MANIFEST = 'transactions.log.manifest';

/** Opens log files with the real opener, noting each file's length at its last fdatasync: what a power loss keeps. */
class SyncedLengths {
  readonly byName = new Map<string, number>();

  readonly open: OpenLogFile = async (filename) => {
    const real = await openLogFile(filename);
    return {
      read: (...args) => real.read(...args),
      writev: (buffers) => real.writev(buffers),
      datasync: async () => {
        const { size } = await real.stat();
        await real.datasync();
        this.byName.set(basename(filename), size);
      },
      truncate: (length) => real.truncate(length),
      stat: () => real.stat(),
      close: () => real.close(),
    };
  };
}

/** The two copies of the directory taken at one step, and the writes acknowledged by then. */
interface Images {
  readonly killed: string;
  readonly powerLost: string;
  readonly acked: ReadonlyMap<string, string>;
}

/** Takes the images at every floor step from the moment it is armed. */
interface Camera {
  readonly hook: LogStepHook;
  arm(): void;
}

let dir: TempLogDir;
let synced: SyncedLengths;
const copies: string[] = [];

beforeEach(async () => {
  dir = await TempLogDir.create();
  synced = new SyncedLengths();
});

afterEach(async () => {
  await dir.dispose();
  for (const copy of copies.splice(0)) rmSync(copy, { recursive: true, force: true });
});

/** Copies the log's files (not its lock, not the quarantine) into a new directory; synchronous, so no write lands meanwhile. */
function copyOf(from: string): string {
  const to = mkdtempSync(join(tmpdir(), 'kvs-floor-image-'));
  copies.push(to);
  for (const name of readdirSync(from)) {
    if (name.startsWith('transactions.log') && !name.endsWith('.lock') && !name.endsWith('.quarantine')) {
      copyFileSync(join(from, name), join(to, name));
    }
  }
  return to;
}

/**
 * A hook taking both images at each floor step (the first time each is reached once armed). The power-loss
 * image cuts each file back to its last fdatasynced length; before the directory fsync that
 * follows the rename, it holds the manifest as it was before the write (and the new one still
 * as the temp file).
 */
function imagesAtEveryStep(images: Map<FloorStep, Images>, acked: ReadonlyMap<string, string>): Camera {
  let previousManifest: string | undefined;
  let armed = false;
  const hook: LogStepHook = (step) => {
    if (!armed || !(FLOOR_STEPS as readonly string[]).includes(step) || images.has(step as FloorStep)) return;
    if (step === 'floor-written') {
      previousManifest = existsSync(dir.file(MANIFEST)) ? readFileSync(dir.file(MANIFEST), 'utf8') : undefined;
    }
    const killed = copyOf(dir.path);
    const powerLost = copyOf(dir.path);
    for (const [name, length] of synced.byName) {
      const file = join(powerLost, name);
      if (existsSync(file) && readFileSync(file).length > length) truncateSync(file, length);
    }
    if (step === 'floor-renamed') {
      writeFileSync(join(powerLost, `${MANIFEST}.tmp`), readFileSync(join(powerLost, MANIFEST)));
      if (previousManifest === undefined) rmSync(join(powerLost, MANIFEST));
      else writeFileSync(join(powerLost, MANIFEST), previousManifest);
    }
    images.set(step as FloorStep, { killed, powerLost, acked: new Map(acked) });
  };
  return { hook, arm: () => (armed = true) };
}

/** Puts `count` new keys k<from>..., one at a time; returns the values acknowledged, by key. */
async function putKeys(
  log: FileTransactionLog,
  from: number,
  count: number,
  acked: Map<string, string>,
): Promise<void> {
  for (let i = from; i < from + count; i++) {
    await appendMutation(log, { type: 'put', key: `k${i}`, value: `v${i}`.repeat(5) });
    acked.set(`k${i}`, `v${i}`.repeat(5));
  }
}

/** What a start on a copy replays (it must start), then a second start on it, which must agree. */
async function replayed(path: string): Promise<Map<string, string>> {
  const starts: Map<string, string>[] = [];
  for (let start = 0; start < 2; start++) {
    const log = new FileTransactionLog({ filename: join(path, 'transactions.log') });
    try {
      starts.push(stateOf(await collectEvents(log)));
    } finally {
      await log.close();
    }
  }
  expect(starts[1]).toEqual(starts[0]);
  return starts[0];
}

/** The keys put are k0, k1, ... in order: a crash may lose a suffix of them, never a gap. */
function expectPrefix(state: Map<string, string>): void {
  expect([...state.keys()].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(
    Array.from({ length: state.size }, (_, i) => `k${i}`),
  );
}

/** Drives a log of the directory to the floor write it is about, arming the camera just before. */
type Trigger = (sync: SyncPolicy, camera: Camera, acked: Map<string, string>) => Promise<void>;

/** A start (and a clean close) of the directory's log with the camera armed. */
async function armedStart(sync: SyncPolicy, camera: Camera): Promise<void> {
  camera.arm();
  const log = dir.open({ sync }, synced.open, undefined, camera.hook);
  await collectEvents(log);
  await log.close();
}

const triggers: [string, Trigger][] = [
  ['the first start (a manifest is created)', (sync, camera) => armedStart(sync, camera)],
  [
    'a start after a kill -9',
    async (sync, camera, acked) => {
      const first = dir.open({ sync }, synced.open);
      await collectEvents(first);
      await putKeys(first, 0, 40, acked);
      // The process dies here: its files as it leaves them, without the clean close's floor.
      const crashed = copyOf(dir.path);
      const syncedAtCrash = new Map(synced.byName);
      await first.close();
      for (const name of readdirSync(dir.path)) rmSync(dir.file(name), { recursive: true });
      for (const name of readdirSync(crashed)) copyFileSync(join(crashed, name), dir.file(name));
      synced.byName.clear();
      for (const [name, length] of syncedAtCrash) synced.byName.set(name, length);
      await armedStart(sync, camera);
    },
  ],
  [
    'a clean close',
    async (sync, camera, acked) => {
      const log = dir.open({ sync }, synced.open, undefined, camera.hook);
      await collectEvents(log);
      await putKeys(log, 0, 40, acked);
      camera.arm();
      await log.close();
    },
  ],
  [
    'the file growing while writes go on',
    async (sync, camera, acked) => {
      const log = dir.open({ sync, floorEveryBytes: 512 }, synced.open, undefined, camera.hook);
      await collectEvents(log);
      camera.arm();
      await putKeys(log, 0, 60, acked);
      await log.close();
    },
  ],
];

describe.each(['always', 'never'] as const)('a crash while a durable floor is written (sync=%s)', (sync) => {
  it.each(triggers)('at %s: start-up accepts the files at every step and keeps what it must', async (_what, run) => {
    const images = new Map<FloorStep, Images>();
    const acked = new Map<string, string>();
    await run(sync, imagesAtEveryStep(images, acked), acked);
    expect([...images.keys()]).toEqual(FLOOR_STEPS);
    for (const [step, { killed, powerLost, acked: before }] of images) {
      // A kill -9 keeps every acknowledged write whatever the sync policy.
      const afterKill = await replayed(killed);
      expect([step, new Map([...afterKill].filter(([key]) => before.has(key)))]).toEqual([step, before]);
      // A power loss keeps them with sync=always; with sync=never it may lose the last ones, in order.
      const afterPowerLoss = await replayed(powerLost);
      expectPrefix(afterPowerLoss);
      if (sync === 'always') {
        expect([step, new Map([...afterPowerLoss].filter(([key]) => before.has(key)))]).toEqual([step, before]);
      }
    }
  });
});

describe('a floor write that fails', () => {
  it('warns and changes nothing else: the floor on disk stays lower, which is still true', async () => {
    const acked = new Map<string, string>();
    const log = dir.open({}, undefined, undefined, (step) => {
      if (step === 'floor-written') throw new Error('injected fault after floor-written');
    });
    await collectEvents(log);
    await putKeys(log, 0, 20, acked);
    await log.close();
    expect(dir.log.records).toContainEqual(
      expect.objectContaining({
        event: 'file_log_floor_not_recorded',
        level: 40,
        msg: expect.stringContaining('cannot record the durable floor (injected fault after floor-written)'),
      }),
    );
    const again = dir.open();
    expect(stateOf(await collectEvents(again))).toEqual(acked);
    await again.close();
    // The next start recorded the floor the failed close could not.
    expect(readFileSync(dir.file(MANIFEST), 'utf8')).toMatch(/^incr transactions\.log floor \d+$/m);
  });
});
