import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { MemoryTransactionLogger, restoredStore } from '../support/memory-transaction-logger';
import { startGrpc, type RunningGrpc } from '../driving/grpc/grpc-driver';

const CLI = path.resolve(__dirname, '../../dist/client/cli/kvs.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built CLI as a user would, without inheriting a KVS_ADDRESS from the caller. */
function kvs(args: string[], options: { stdin?: Buffer | string; env?: Record<string, string> } = {}): Promise<Run> {
  const { KVS_ADDRESS: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...env, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('kvs command-line client', () => {
  let log: MemoryTransactionLogger;
  let running: RunningGrpc;
  let at: string[];

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
    log = new MemoryTransactionLogger();
    running = await startGrpc(await restoredStore(log, { maxKeyBytes: 64, maxValueBytes: 4096 }));
    at = ['--address', running.address];
  });

  afterAll(async () => {
    await running.close();
  });

  it('puts, gets (raw value, no added newline) and deletes, exiting 0', async () => {
    expect(await kvs([...at, 'put', 'city', 'Zürich 🏔'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await kvs([...at, 'get', 'city'])).toEqual({ code: 0, stdout: 'Zürich 🏔', stderr: '' });
    expect(await kvs([...at, 'delete', 'city'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await kvs([...at, 'delete', 'city'])).toMatchObject({ code: 0 });
  });

  it('compacts the server\'s log with "compact", printing what it did', async () => {
    for (let i = 0; i < 5; i++) await running.client.put('often', `${i}`);
    const compactions = log.compactions;
    const run = await kvs([...at, 'compact']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^compacted \d+ bytes of log to \d+ \(live data \d+ bytes\) in \d+ ms\n$/);
    expect(log.compactions).toBe(compactions + 1);
    expect(await kvs([...at, 'compact', 'extra'])).toMatchObject({ code: 2 });
  });

  it('exits 1 for a key that has no value', async () => {
    const run = await kvs([...at, 'get', 'nobody']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('NOT_FOUND');
  });

  it('reads the value from standard input for "-", byte for byte', async () => {
    const value = 'line one\nline two\r\n\ttabbed ✓\n';
    expect(await kvs([...at, 'put', 'doc', '-'], { stdin: value })).toMatchObject({ code: 0 });
    expect(await running.client.get('doc')).toBe(value);
  });

  it('refuses standard input that is not UTF-8 with exit 2, sending nothing', async () => {
    const before = log.events.length;
    const run = await kvs([...at, 'put', 'bin', '-'], { stdin: Buffer.from([0x61, 0xff, 0x62]) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('standard input');
    expect(log.events.length).toBe(before);
  });

  it('takes a value starting with "-" after "--"', async () => {
    expect(await kvs([...at, 'put', 'negative', '--', '-5'])).toMatchObject({ code: 0 });
    expect(await kvs([...at, 'get', 'negative'])).toMatchObject({ code: 0, stdout: '-5' });
  });

  it('finds the server through KVS_ADDRESS, and --address wins over it', async () => {
    await running.client.put('where', 'here');
    expect(await kvs(['get', 'where'], { env: { KVS_ADDRESS: running.address } })).toMatchObject({
      code: 0,
      stdout: 'here',
    });
    const flagWins = await kvs([...at, 'get', 'where'], { env: { KVS_ADDRESS: '127.0.0.1:1' } });
    expect(flagWins).toMatchObject({ code: 0, stdout: 'here' });
  });

  it('exits 2 on usage errors, with a hint on stderr', async () => {
    for (const args of [
      [],
      ['fetch', 'k'],
      ['get'],
      ['put', 'k'],
      ['get', 'a', 'b'],
      ['--timeout', 'soon', 'get', 'k'],
      ['--bogus', 'get', 'k'],
    ]) {
      const run = await kvs([...at, ...args]);
      expect([args, run.code, run.stdout]).toEqual([args, 2, '']);
      expect(run.stderr).toContain('kvs --help');
    }
  });

  it('documents commands, address, timeout and exit statuses in --help', async () => {
    const run = await kvs(['--help']);
    expect(run.code).toBe(0);
    for (const text of [
      'get KEY',
      'put KEY VALUE',
      'delete KEY',
      '--address',
      'KVS_ADDRESS',
      '--timeout',
      '3  server unavailable',
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it('exits 3 when the server is unreachable or the log cannot take writes', async () => {
    const unreachable = await kvs(['--address', '127.0.0.1:1', '--timeout', '5000', 'get', 'k']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('UNAVAILABLE');
    log.failNext();
    const logDown = await kvs([...at, 'put', 'k', 'v']);
    expect([logDown.code, logDown.stderr]).toEqual([3, expect.stringContaining('UNAVAILABLE')]);
  });

  it('exits 3 when the server does not answer within --timeout', async () => {
    log.holdAppends();
    try {
      const run = await kvs([...at, '--timeout', '200', 'put', 'slow', 'v']);
      expect([run.code, run.stderr]).toEqual([3, expect.stringContaining('DEADLINE_EXCEEDED')]);
    } finally {
      log.release();
    }
  });

  it('exits 4 for other errors the server reports', async () => {
    const emptyKey = await kvs([...at, 'put', '', 'v']);
    expect([emptyKey.code, emptyKey.stderr]).toEqual([4, expect.stringContaining('INVALID_ARGUMENT')]);
    const tooLarge = await kvs([...at, 'put', 'k', 'v'.repeat(4097)]);
    expect([tooLarge.code, tooLarge.stderr]).toEqual([4, expect.stringContaining('RESOURCE_EXHAUSTED')]);
  });
});
