import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {LogUnavailableError, type LogHealth} from '../../../src/core';
import { encodeRecord } from '../../../src/driven/file-log/record-format';
import type { FileTransactionLogger } from '../../../src/driven/file-log';
import { FaultyDisk } from '../../support/faulty-disk';
import { collectEvents, appendMutation, type Event } from '../../support/collect-events';
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
    await expect(appendMutation(log, { type: 'delete', key: 'refused-at-once' })).rejects.toMatchObject({ retryable: true });
    expect(dir.log.records.filter((line) => line.event === 'file_log_unavailable')).toEqual([
      expect.objectContaining({ level: 50, cause: expect.stringContaining('ENOSPC') }),
    ]);

    disk.capacity = Infinity;
    await waitUntil(() => log.health() === 'ok');
    const later = await appendMutation(log, { type: 'put', key: 'later', value: 'x' });
    expect(healthChanges).toEqual(['unavailable', 'ok']);
    expect(dir.log.records.filter((line) => line.event === 'file_log_recovered')).toHaveLength(1);
    await log.close();

    expect(await collectEvents(dir.open())).toEqual([
      kept,
      (a as PromiseFulfilledResult<Event>).value,
      later,
    ]);
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
      await expect(appendMutation(log, { type: 'put', key: 'later', value: 'x' })).rejects.toMatchObject({ retryable: false });
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
});

function recordBytes(key: string, value: string): number {
  return encodeRecord({ type: 'put', key, value, sequence: 1 }).length;
}

function refusal(result: PromiseSettledResult<unknown>): unknown {
  return result.status === 'rejected' ? result.reason : undefined;
}

async function fileSize(log: FileTransactionLogger): Promise<number> {
  return (await stat(log.filename)).size;
}

function recordHealth(log: FileTransactionLogger): LogHealth[] {
  const changes: LogHealth[] = [];
  log.onHealthChange((health) => changes.push(health));
  return changes;
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}
