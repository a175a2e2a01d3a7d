import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogUnavailableError, type LogHealth } from '../../../src/core';
import { encodeRecord } from '../../../src/driven/file-log/record-format';
import type { FileTransactionLog } from '../../../src/driven/file-log';
import { FaultyDisk } from '../../support/faulty-disk';
import { appendMutation, collectEvents, liveStateOf, type Event } from '../../support/collect-events';
import { stateOf } from '../../contracts/transaction-log.contract';
import { TempLogDir } from './temp-log-dir';

jest.setTimeout(30_000);

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

describe('a write that does not fit on the disk', () => {
  it('is cut off the file before it is refused, and writes resume once space is freed', async () => {
    const disk = new FaultyDisk();
    const log = dir.open({ sync: 'always' }, disk.open, disk.freeBytes);
    await collectEvents(log);
    const kept = await appendMutation(log, { type: 'put', key: 'before', value: 'ok' });
    const healthChanges = recordHealth(log);

    // Room for a, and b plus 5 bytes of c: b and c share a batch, whose writev is short, then ENOSPC.
    const sizeBefore = await fileSize(log);
    disk.capacity = sizeBefore + recordBytes('a', 'first') + recordBytes('b', 'second') + 5;
    const [a, b, c] = await Promise.allSettled([
      appendMutation(log, { type: 'put', key: 'a', value: 'first' }),
      appendMutation(log, { type: 'put', key: 'b', value: 'second' }),
      appendMutation(log, { type: 'put', key: 'c', value: 'third' }),
    ]);
    expect([a.status, b.status, c.status]).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const refused of [b, c]) expect(refusal(refused)).toMatchObject({ code: 'LOG_UNAVAILABLE', retryable: true });
    expect(await fileSize(log)).toBe(sizeBefore + recordBytes('a', 'first'));
    expect(log.health()).toBe('unavailable');
    await expect(appendMutation(log, { type: 'delete', key: 'refused-at-once' })).rejects.toMatchObject({
      retryable: true,
    });
    expect(dir.log.records.filter((line) => line.event === 'file_log_unavailable')).toEqual([
      expect.objectContaining({ level: 50, cause: expect.stringContaining('ENOSPC') }),
    ]);

    disk.capacity = Infinity;
    await waitUntil(() => log.health() === 'ok');
    const later = await appendMutation(log, { type: 'put', key: 'later', value: 'x' });
    expect(healthChanges).toEqual(['unavailable', 'ok']);
    expect(dir.log.records.filter((line) => line.event === 'file_log_recovered')).toHaveLength(1);
    await log.close();

    expect(await collectEvents(dir.open())).toEqual([kept, (a as PromiseFulfilledResult<Event>).value, later]);
  });
});

describe('a failed fsync, or a write failing for another reason than space', () => {
  for (const fault of ['datasync', 'writev'] as const) {
    it(`after ${fault} fails with EIO: cuts the batch off, logs one fatal line and refuses everything for good`, async () => {
      const disk = new FaultyDisk();
      const log = dir.open({ sync: 'always' }, disk.open, disk.freeBytes);
      await collectEvents(log);
      const kept = await appendMutation(log, { type: 'put', key: 'before', value: 'ok' });
      const healthChanges = recordHealth(log);
      const sizeBefore = await fileSize(log);

      // A failed fsync is reported once (the kernel then forgets it): the cut's own fdatasync succeeds.
      if (fault === 'datasync') disk.failingSyncs = 1;
      else disk.writeError = 'EIO';
      await expect(appendMutation(log, { type: 'put', key: 'a', value: '1' })).rejects.toMatchObject({
        code: 'LOG_UNAVAILABLE',
        retryable: false,
        message: expect.stringContaining('restart the service'),
      });
      expect(await fileSize(log)).toBe(sizeBefore);
      expect(log.health()).toBe('failed');
      expect(healthChanges).toEqual(['failed']);
      const fatal = dir.log.records.filter((line) => line.level === 60);
      expect(fatal).toEqual([
        expect.objectContaining({
          event: 'file_log_failed',
          cause: expect.stringMatching(`${fault === 'datasync' ? 'fdatasync' : 'write'} failed.*EIO`),
        }),
      ]);

      disk.writeError = undefined;
      await expect(appendMutation(log, { type: 'put', key: 'later', value: 'x' })).rejects.toMatchObject({
        retryable: false,
      });
      await log.close();
      expect(await collectEvents(dir.open())).toEqual([kept]);
    });
  }
});

describe('a real full filesystem', () => {
  // A 2 MiB tmpfs where the tests may mount one (CI runs as root); elsewhere a disk emulated at
  // the file-handle seam with the same capacity, so the scenario runs everywhere.
  let mountPoint: string | undefined;

  beforeAll(async () => {
    const candidate = await mkdtemp(join(tmpdir(), 'kvs-tmpfs-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', candidate], { stdio: 'ignore' });
      mountPoint = candidate;
    } catch {
      await rm(candidate, { recursive: true, force: true });
    }
  });

  afterAll(async () => {
    if (!mountPoint) return;
    execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('never replays a write that was refused, and heals when space is freed', async () => {
    const fullDir = mountPoint ? await TempLogDir.create(mountPoint) : dir;
    const disk = new FaultyDisk();
    const filler = join(fullDir.path, 'filler');
    try {
      // Something else on the disk takes 512 KiB; deleting it later is "the operator freed space".
      await writeFile(filler, Buffer.alloc(512 * 1024, 1));
      if (!mountPoint) disk.capacity = 2 * 1024 * 1024 - 512 * 1024;
      const log = mountPoint
        ? fullDir.open({ sync: 'always' })
        : fullDir.open({ sync: 'always' }, disk.open, disk.freeBytes);
      await collectEvents(log);

      const acknowledged: Event[] = [];
      const refused: string[] = [];
      const value = 'v'.repeat(16 * 1024);
      const writer = async (id: number): Promise<void> => {
        for (let n = 0; ; n++) {
          const key = `w${id}-${n}`;
          try {
            acknowledged.push(await appendMutation(log, { type: 'put', key, value }));
          } catch (error) {
            expect(error).toBeInstanceOf(LogUnavailableError);
            refused.push(key);
            return;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, id) => writer(id)));
      expect(refused).toHaveLength(8);
      expect(acknowledged.length).toBeGreaterThan(10);
      expect(log.health()).toBe('unavailable');

      await rm(filler);
      disk.capacity = Infinity;
      await waitUntil(() => log.health() === 'ok');
      acknowledged.push(await appendMutation(log, { type: 'put', key: 'after', value: 'space is back' }));
      await log.close();

      acknowledged.sort((x, y) => x.sequence - y.sequence);
      expect(await collectEvents(fullDir.open())).toEqual(acknowledged);
    } finally {
      if (fullDir !== dir) await fullDir.dispose();
    }
  });

  it('counts only acknowledged writes, and failed compactions do not grow the manifest', async () => {
    const fullDir = mountPoint ? await TempLogDir.create(mountPoint) : dir;
    const disk = new FaultyDisk();
    const sizes: number[] = [];
    const filler = join(fullDir.path, 'filler');
    try {
      await writeFile(filler, Buffer.alloc(256 * 1024, 1));
      if (!mountPoint) disk.capacity = 2 * 1024 * 1024 - 256 * 1024;
      // A threshold the disk cannot reach: only miscounted bytes could start a compaction.
      const options = {
        sync: 'always' as const,
        compaction: { minBytes: 4 * 1024 * 1024, ratio: 2 },
        observer: { sizeBytes: (bytes: number) => sizes.push(bytes) },
      };
      const log = mountPoint
        ? fullDir.open(options)
        : fullDir.open(options, disk.open, disk.freeBytes, (step) => {
            if (step === 'base-written' && disk.capacity !== Infinity) throw errno('ENOSPC');
          });
      const live = new Map<string, string>();
      await collectEvents(log);
      log.attachLiveState(liveStateOf(live));

      const value = 'v'.repeat(16 * 1024);
      const put = async (key: string): Promise<boolean> => {
        try {
          const event = await appendMutation(log, { type: 'put', key, value });
          live.set(event.key, value);
          return true;
        } catch (error) {
          expect(error).toBeInstanceOf(LogUnavailableError);
          return false;
        }
      };
      // Overwrites of 8 keys until the disk is full, then 400 more refused writes (6 MiB).
      let refused = 0;
      for (let n = 0; refused < 400; n++) if (!(await put(`k${n % 8}`))) refused++;
      expect(log.health()).toBe('unavailable');
      expect(sizes.at(-1)).toBe(await listedBytes(fullDir));

      // Room for a few pages, not for a base of 8 values: each compaction fails, none adds a file.
      await rm(filler);
      await writeFile(filler, Buffer.alloc(256 * 1024 - 64 * 1024, 1));
      if (!mountPoint) disk.capacity = 2 * 1024 * 1024 - 256 * 1024 + 64 * 1024;
      await waitUntil(() => log.health() === 'ok');
      for (let attempt = 0; attempt < 3; attempt++) await expect(log.compact()).rejects.toThrow(LogUnavailableError);
      // Only those three ran: refused bytes never count toward the automatic threshold.
      const compactions = fullDir.log.records.filter((record) => String(record.event).startsWith('compaction_'));
      expect(compactions.map((record) => [record.event, record.trigger])).toEqual(
        Array.from({ length: 3 }, () => ['compaction_failed', 'on-demand']),
      );
      expect(await fullDir.listed()).toHaveLength(2);
      expect(await fullDir.files()).toEqual(
        ['filler', 'transactions.log.manifest', ...(await fullDir.listed())].sort(),
      );
      expect(sizes.at(-1)).toBe(await listedBytes(fullDir));

      await rm(filler);
      disk.capacity = Infinity;
      const report = await log.compact();
      expect(report.bytesAfter).toBe(await listedBytes(fullDir));
      expect(sizes.at(-1)).toBe(report.bytesAfter);
      await log.close();
      expect(stateOf(await collectEvents(fullDir.open()))).toEqual(live);
    } finally {
      if (fullDir !== dir) await fullDir.dispose();
    }
  });
});

/** Bytes of every file the manifest names. */
async function listedBytes(logDir: TempLogDir): Promise<number> {
  const sizes = await Promise.all((await logDir.listed()).map(async (name) => (await stat(logDir.file(name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

function errno(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

function recordBytes(key: string, value: string): number {
  return encodeRecord({ revision: 1, writes: [{ type: 'put', key, value, createRevision: 1, version: 1 }] }).length;
}

function refusal(result: PromiseSettledResult<unknown>): unknown {
  return result.status === 'rejected' ? result.reason : undefined;
}

async function fileSize(log: FileTransactionLog): Promise<number> {
  return (await stat(log.filename)).size;
}

function recordHealth(log: FileTransactionLog): LogHealth[] {
  const changes: LogHealth[] = [];
  log.onHealthChange((health) => changes.push(health));
  return changes;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
