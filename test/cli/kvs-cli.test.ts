import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_STATUS_TABLE } from '../../src/client/cli/kvs-help';
import { MemoryTransactionLog, restoredStore } from '../support/memory-transaction-log';
import { startGrpc, type RunningGrpc } from '../driving/grpc/grpc-driver';
import { requireBuiltCli, runCli as kvs } from '../support/run-cli';

describe('kvs command-line client', () => {
  let log: MemoryTransactionLog;
  let running: RunningGrpc;
  let at: string[];

  beforeAll(async () => {
    requireBuiltCli();
    log = new MemoryTransactionLog();
    running = await startGrpc(await restoredStore(log, { maxKeyBytes: 64, maxValueBytes: 4096 }));
    at = ['--address', running.address];
  });

  afterAll(async () => {
    await running.close();
  });

  it('puts, gets (raw value, no added newline) and deletes, exiting 0', async () => {
    const revision = log.events.length + 1;
    expect(await kvs([...at, 'put', 'city', 'Zürich 🏔'])).toEqual({
      code: 0,
      stdout: `revision ${revision}\n`,
      stderr: '',
    });
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

  it('put --ttl gives the key a deadline that long after the write; a bad --ttl is a usage error, sending nothing', async () => {
    const before = Date.now();
    expect(await kvs([...at, 'put', '--ttl', '90s', 'session', 'x'])).toMatchObject({ code: 0 });
    const written = log.events.at(-1)?.writes[0];
    expect(written).toMatchObject({ key: 'session', value: 'x' });
    const expiresAt = (written as { expiresAt?: number }).expiresAt ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 90_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 90_000);
    const records = log.events.length;
    const bad = await kvs([...at, 'put', '--ttl', '1.5s', 'session', 'y']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--ttl must be');
    expect(log.events.length).toBe(records);
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
      ['get', 'k', '--scope', 'kvs:read'],
      ['help', 'fetch'],
    ]) {
      const run = await kvs([...at, ...args]);
      expect([args, run.code, run.stdout]).toEqual([args, 2, '']);
      expect(run.stderr).toMatch(/Run "kvs (\w+ )?--help" for usage/);
    }
  });

  it('suggests the option or command meant by a typo', async () => {
    const option = await kvs(['--adress', running.address, 'get', 'k']);
    expect(option).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown option --adress; did you mean --address?'),
    });
    const command = await kvs([...at, 'gte', 'k']);
    expect(command).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "gte"; did you mean get?'),
    });
    const misplaced = await kvs([...at, 'get', 'k', '--ttl', '1h']);
    expect(misplaced.stderr).toContain('--ttl is not an option of get (it goes with put, token)');
    expect(misplaced.stderr).toContain('Run "kvs get --help" for usage.');
  });

  it('documents commands, address, timeout and the exit-status table in --help', async () => {
    const run = await kvs(['--help']);
    expect(run.code).toBe(0);
    for (const text of ['get KEY', 'put KEY VALUE', 'delete KEY', '--address', 'KVS_ADDRESS', '--timeout', '--json']) {
      expect(run.stdout).toContain(text);
    }
    expect(run.stdout).toContain(EXIT_STATUS_TABLE);
    expect(EXIT_STATUS_TABLE).toMatch(/^ {2}5 {2}refused by the server/m);
    expect(EXIT_STATUS_TABLE).toMatch(/^ {2}6 {2}precondition failed/m);
  });

  it('shows one command\'s help with "COMMAND --help" and "help COMMAND", without reaching a server', async () => {
    const flag = await kvs(['--address', '127.0.0.1:1', 'put', '--help']);
    const word = await kvs(['help', 'put']);
    expect(flag).toMatchObject({ code: 0, stderr: '' });
    expect(flag.stdout).toBe(word.stdout);
    expect(flag.stdout).toMatch(/^Usage: kvs \[OPTIONS\] put KEY VALUE/);
    expect(flag.stdout).toContain(EXIT_STATUS_TABLE);
    expect((await kvs(['help', 'token'])).stdout).toContain('--scope');
  });

  it('prints its version with --version, as text or JSON', async () => {
    const { version } = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(await kvs(['--version'])).toEqual({ code: 0, stdout: `kvs ${version}\n`, stderr: '' });
    expect(await kvs(['--version', '--json'])).toEqual({
      code: 0,
      stdout: `${JSON.stringify({ version })}\n`,
      stderr: '',
    });
  });

  it('prints results as one JSON object with --json, on every command', async () => {
    const json = async (args: string[]): Promise<unknown> => {
      const run = await kvs([...at, '--json', ...args]);
      expect([args, run.code, run.stderr]).toEqual([args, 0, '']);
      return JSON.parse(run.stdout);
    };
    const { revision } = (await json(['put', 'j', 'línea\n'])) as { revision: string };
    expect(revision).toMatch(/^\d+$/);
    expect(await json(['get', 'j'])).toEqual({ key: 'j', value: 'línea\n' });
    expect(await json(['delete', 'j'])).toEqual({ key: 'j', deleted: true, revision: String(Number(revision) + 1) });
    expect(await json(['compact'])).toEqual({
      bytesBefore: expect.any(Number),
      bytesAfter: expect.any(Number),
      liveBytes: expect.any(Number),
      durationMs: expect.any(Number),
    });
  });

  it('reports errors as JSON on stderr with --json, with the exit status', async () => {
    const missing = await kvs([...at, '--json', 'get', 'nobody']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { message: expect.stringContaining('key not found'), status: 'NOT_FOUND', code: 'KEY_NOT_FOUND', exit: 1 },
    });
    const usage = await kvs(['--json', 'get']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toEqual({ error: { message: 'get takes KEY', exit: 2 } });
  });

  it('exits 3 when the server is unreachable or the log cannot take writes', async () => {
    const unreachable = await kvs(['--address', '127.0.0.1:1', '--timeout', '5000', 'get', 'k']);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toBe(
      'kvs: get failed: nothing listens at 127.0.0.1:1; is the service running (gRPC port default 50051)?\n',
    );
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
