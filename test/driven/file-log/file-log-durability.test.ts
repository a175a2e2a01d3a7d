import { spawn } from 'node:child_process';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { collectEvents, appendMutation } from '../../support/collect-events';
import { TempLogDir } from './temp-log-dir';

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

describe('group commit', () => {
  it('makes 1,000 concurrent appends durable with a handful of fdatasyncs', async () => {
    const log = dir.open({ sync: 'always' });
    await collectEvents(log);
    const events = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => appendMutation(log, { type: 'put', key: `k${i}`, value: `v${i}` })),
    );
    expect(log.syncCount).toBeGreaterThan(0);
    expect(log.syncCount).toBeLessThan(20);
    await log.close();
    expect(await collectEvents(dir.open())).toEqual(events);
  });

  it('with sync=never leaves fdatasync to close', async () => {
    const log = dir.open({ sync: 'never' });
    await collectEvents(log);
    await Promise.all(Array.from({ length: 100 }, (_, i) => appendMutation(log, { type: 'delete', key: `k${i}` })));
    expect(log.syncCount).toBe(0);
    await log.close();
    expect(log.syncCount).toBe(1);
  });

  it('with sync=interval fdatasyncs a dirty log on its own, once for many appends', async () => {
    const log = dir.open({ sync: 'interval' });
    await collectEvents(log);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => appendMutation(log, { type: 'put', key: `k${i}`, value: '' })),
    );
    expect(log.syncCount).toBe(0);
    for (let waited = 0; log.syncCount === 0 && waited < 5000; waited += 50) await sleep(50);
    expect(log.syncCount).toBe(1);
  });
});

describe('the lock file', () => {
  it('keeps a second logger off a log that is open', async () => {
    const first = dir.open();
    await collectEvents(first);
    await expect(collectEvents(dir.open())).rejects.toMatchObject({
      code: 'LOG_LOCKED',
      message: `file log: ${first.filename} is already open in this process (lock file ${first.filename}.lock)`,
    });
    expect(await readFile(`${first.filename}.lock`, 'utf8')).toBe(`${process.pid}\n`);
    await appendMutation(first, { type: 'put', key: 'still', value: 'works' });
    await first.close();
    await expect(access(`${first.filename}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await collectEvents(dir.open())).toHaveLength(1);
  });

  it('names a live process that holds the lock', async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await writeLock(`${holder.pid}\n`);
      await expect(collectEvents(dir.open())).rejects.toThrow(
        `file log: ${dir.file()} is in use by process ${holder.pid} (lock file ${dir.file()}.lock)`,
      );
      expect(await readFile(`${dir.file()}.lock`, 'utf8')).toBe(`${holder.pid}\n`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that died without releasing it', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(dead, 'exit');
    for (const stale of [`${dead.pid}\n`, `${process.pid}\n`, '']) {
      await writeLock(stale);
      const log = dir.open();
      expect(await collectEvents(log)).toEqual([]);
      expect(await readFile(`${dir.file()}.lock`, 'utf8')).toBe(`${process.pid}\n`);
      expect(dir.warnings.at(-1)).toContain(`taking over stale lock file ${dir.file()}.lock`);
      await log.close();
    }
  });

  it('takes over the lock of a process killed with SIGKILL that its parent has not reaped yet (a zombie)', async () => {
    // The shell starts the holder, then becomes a `sleep` that never waits for it: once killed,
    // the holder stays a zombie (it still answers signal 0) until its parent goes.
    const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const [line] = (await once(parent.stdout, 'data')) as [Buffer];
      const holder = Number(line.toString().trim());
      await writeLock(`${holder}\n`);
      process.kill(holder, 'SIGKILL');
      while (!/\) Z /.test(await readFile(`/proc/${holder}/stat`, 'latin1'))) await sleep(10);

      const log = dir.open();
      expect(await collectEvents(log)).toEqual([]);
      expect(await readFile(`${dir.file()}.lock`, 'utf8')).toBe(`${process.pid}\n`);
      expect(dir.warnings.at(-1)).toContain(`(owner ${holder} is not running)`);
      await log.close();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  async function writeLock(content: string): Promise<void> {
    await writeFile(`${dir.file()}.lock`, content);
  }
});

describe('appends', () => {
  it('create the log and its missing parent directories', async () => {
    const log = dir.open({ filename: dir.file('nested/deeper/transactions.log') });
    await collectEvents(log);
    const event = await appendMutation(log, { type: 'put', key: 'k', value: 'v' });
    await log.close();
    expect((await stat(log.filename)).isFile()).toBe(true);
    expect(await collectEvents(dir.open({ filename: log.filename }))).toEqual([event]);
  });

  it('are refused before readEvents has finished, and readEvents runs only once', async () => {
    const log = dir.open();
    await expect(appendMutation(log, { type: 'delete', key: 'k' })).rejects.toThrow(
      'append before readEvents finished',
    );
    await collectEvents(log);
    await expect(collectEvents(log)).rejects.toThrow('readEvents may be called only once');
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
