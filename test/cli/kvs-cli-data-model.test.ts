import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadKeyValuePackage } from '../../src/api/keyvalue-proto';
import { KvsClient } from '../../src/client/kvs-client';
import { startService, type ServiceProcess } from '../support/service-process';
import { requireBuiltCli, runCli } from '../support/run-cli';
import { unary } from '../support/grpc-unary';

/** The data-model commands of the built CLI against the built service, as a user runs them. */
describe('kvs ls, get --meta, conditional put/delete and txn against a real service', () => {
  let dir: string;
  let service: ServiceProcess;
  let client: KvsClient;
  let kvs: (args: string[], stdin?: string) => ReturnType<typeof runCli>;

  beforeAll(async () => {
    requireBuiltCli();
    dir = await mkdtemp(join(tmpdir(), 'kvs-cli-model-'));
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), FRONTEND_TYPE: 'grpc' });
    client = new KvsClient(service.grpcAddress!, { timeoutMs: 10_000 });
    kvs = (args, stdin) => runCli(['--address', service.grpcAddress!, ...args], { stdin });
  });

  afterAll(async () => {
    client.close();
    service.process.kill('SIGTERM');
    await service.exited();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts with --if-absent and --if-revision, printing the new revision; exit 6 when the precondition fails', async () => {
    expect(await kvs(['put', '--if-absent', 'cfg', 'one'])).toEqual({ code: 0, stdout: 'revision 1\n', stderr: '' });
    const again = await kvs(['put', '--if-absent', 'cfg', 'two']);
    expect(again).toMatchObject({ code: 6, stdout: '' });
    expect(again.stderr).toContain('FAILED_PRECONDITION');
    expect(await kvs(['put', '--if-revision', '1', 'cfg', 'two'])).toMatchObject({ code: 0, stdout: 'revision 2\n' });
    const stale = await kvs(['--json', 'put', '--if-revision', '1', 'cfg', 'three']);
    expect(stale.code).toBe(6);
    expect(JSON.parse(stale.stderr)).toEqual({
      error: expect.objectContaining({ status: 'FAILED_PRECONDITION', code: 'PRECONDITION_FAILED', exit: 6 }),
    });
    expect(await kvs(['put', '--if-exists', 'nothing', 'v'])).toMatchObject({ code: 6 });
    expect(await client.get('cfg')).toBe('two');
    expect(await kvs(['put', '--if-revision', 'x', 'cfg', 'v'])).toMatchObject({ code: 2 });
    expect(await kvs(['put', '--if-absent', '--if-exists', 'cfg', 'v'])).toMatchObject({ code: 2 });
  });

  it('deletes with the same preconditions', async () => {
    const { revision } = await client.put('gone', 'v');
    expect(await kvs(['delete', '--if-revision', String(Number(revision) + 5), 'gone'])).toMatchObject({ code: 6 });
    expect(await kvs(['delete', '--if-exists', 'never'])).toMatchObject({ code: 6 });
    const deleted = await kvs(['--json', 'delete', '--if-revision', revision!, 'gone']);
    expect([deleted.code, JSON.parse(deleted.stdout)]).toEqual([
      0,
      { key: 'gone', deleted: true, revision: String(Number(revision) + 1) },
    ]);
    expect(await kvs(['delete', '--if-absent', 'gone'])).toMatchObject({ code: 2 });
  });

  it('shows revisions with get --meta', async () => {
    await client.put('meta', 'first');
    const { revision } = await client.put('meta', 'second');
    const created = Number(revision) - 1;
    expect(await kvs(['get', '--meta', 'meta'])).toEqual({
      code: 0,
      stdout: `create_revision ${created}\nmod_revision ${revision}\nversion 2\nrevision ${revision}\nvalue second\n`,
      stderr: '',
    });
    const json = await kvs(['--json', 'get', '--meta', 'meta']);
    expect(JSON.parse(json.stdout)).toEqual({
      key: 'meta',
      value: 'second',
      create_revision: created,
      mod_revision: Number(revision),
      version: 2,
      revision: Number(revision),
    });
  });

  it('shows the deadline and the time left of a key with a TTL, with get --meta and ls', async () => {
    const before = Date.now();
    const { revision } = await client.put('ttl/timed', 'soon gone', { ttlMs: 3_600_000 });
    await client.put('ttl/plain', 'stays');
    const meta = await kvs(['get', '--meta', 'ttl/timed']);
    const lines = meta.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `create_revision ${revision}`,
      `mod_revision ${revision}`,
      'version 1',
      expect.stringMatching(/^revision \d+$/),
    ]);
    const expiresAt = Date.parse(lines[4].replace(/^expires_at /, ''));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    expect(lines[5]).toMatch(/^ttl_remaining (\d+\.\d)s$/);
    expect(Number(/(\d+\.\d)/.exec(lines[5])![1])).toBeLessThanOrEqual(3600);
    expect(lines.slice(6)).toEqual(['value soon gone', '']);
    const json = JSON.parse((await kvs(['--json', 'get', '--meta', 'ttl/timed'])).stdout);
    expect(json).toMatchObject({ expires_at_ms: expiresAt, ttl_remaining_ms: expect.any(Number) });
    expect(json.ttl_remaining_ms).toBeLessThanOrEqual(3_600_000);
    // A key without a TTL shows none.
    expect((await kvs(['get', '--meta', 'ttl/plain'])).stdout).not.toContain('expires_at');

    const listed = await kvs(['ls', '--prefix', 'ttl/']);
    expect(listed.stdout).toMatch(/^ttl\/plain stays\nttl\/timed \[ttl \d+\.\ds\] soon gone\n$/);
    expect((await kvs(['ls', '--prefix', 'ttl/', '--keys-only'])).stdout).toBe('ttl/plain\nttl/timed\n');
    const items = JSON.parse((await kvs(['--json', 'ls', '--prefix', 'ttl/'])).stdout).items;
    expect(items.map((item: Record<string, unknown>) => [item.key, item.expires_at_ms])).toEqual([
      ['ttl/plain', undefined],
      ['ttl/timed', expiresAt],
    ]);
  });

  it('shows the lease of a key attached to one with get --meta (text and JSON), and none for a key without', async () => {
    const { Lease, KeyValue } = loadKeyValuePackage();
    const leases = new Lease(service.grpcAddress!, grpc.credentials.createInsecure());
    const keyValue = new KeyValue(service.grpcAddress!, grpc.credentials.createInsecure());
    try {
      const granted = await unary<{ id: string }>((done) => leases.Grant({ ttl_ms: '600000' }, done));
      await unary((done) => keyValue.Put({ key: 'leased/k', value: 'held', lease: granted.id }, done));
      const lines = (await kvs(['get', '--meta', 'leased/k'])).stdout.split('\n');
      // The lease's deadline is the key's: expires_at and ttl_remaining come before the lease.
      expect(lines.slice(4, 6)).toEqual([
        expect.stringMatching(/^expires_at /),
        expect.stringMatching(/^ttl_remaining /),
      ]);
      expect(lines.slice(6)).toEqual([`lease ${granted.id}`, 'value held', '']);
      const json = JSON.parse((await kvs(['--json', 'get', '--meta', 'leased/k'])).stdout);
      expect(json).toMatchObject({ key: 'leased/k', value: 'held', lease: Number(granted.id) });
      await client.put('leased/none', 'free');
      expect((await kvs(['get', '--meta', 'leased/none'])).stdout).not.toContain('lease');
      expect(JSON.parse((await kvs(['--json', 'get', '--meta', 'leased/none'])).stdout)).not.toHaveProperty('lease');
    } finally {
      leases.close();
      keyValue.close();
    }
  });

  it('lists a prefix across pages with ls, values or keys only, as text or JSON', async () => {
    const keys = Array.from({ length: 230 }, (_, i) => `ls/${String(i).padStart(3, '0')}`);
    await client.txn({ success: keys.slice(0, 120).map((key) => ({ put: { key, value: `v${key}` } })) });
    await client.txn({ success: keys.slice(120).map((key) => ({ put: { key, value: `v${key}` } })) });
    await client.put('lt', 'outside');
    const listed = await kvs(['ls', '--prefix', 'ls/']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(listed.stdout).toBe(keys.map((key) => `${key} v${key}\n`).join(''));
    expect((await kvs(['ls', '--prefix', 'ls/', '--keys-only'])).stdout).toBe(keys.map((key) => `${key}\n`).join(''));
    const json = JSON.parse((await kvs(['--json', 'ls', '--prefix', 'ls/00'])).stdout) as { items: unknown[] };
    expect(json.items).toEqual(
      keys.slice(0, 10).map((key) => ({
        key,
        value: `v${key}`,
        create_revision: expect.any(Number),
        mod_revision: expect.any(Number),
        version: 1,
      })),
    );
    expect(await kvs(['ls', '--prefix', 'a', '--prefix', 'b'])).toMatchObject({ code: 2 });
  });

  it('runs a JSON transaction from a file or standard input; exit 6 when its compares fail', async () => {
    await client.put('acct/a', '10');
    const txn = {
      compare: [{ key: 'acct/a', target: 'value', op: '==', value: '10' }],
      success: [
        { put: { key: 'acct/a', value: '5' } },
        { put: { key: 'acct/b', value: '5' } },
        { get: { key: 'acct/b' } },
      ],
      failure: [{ get: { key: 'acct/a' } }, { get: { key: 'acct/none' } }],
    };
    const file = join(dir, 'txn.json');
    await writeFile(file, JSON.stringify(txn));
    const ran = await kvs(['txn', file]);
    expect(ran).toMatchObject({ code: 0, stderr: '' });
    expect(ran.stdout).toMatch(/^succeeded, revision (\d+)\nput acct\/a\nput acct\/b\nget acct\/b 5\n$/);
    const failed = await kvs(['--json', 'txn'], JSON.stringify(txn));
    expect(failed.code).toBe(6);
    expect(JSON.parse(failed.stdout)).toEqual({
      succeeded: false,
      revision: expect.any(Number),
      results: [
        {
          get: {
            key: 'acct/a',
            value: '5',
            create_revision: expect.any(Number),
            mod_revision: expect.any(Number),
            version: 2,
          },
        },
        { get: null },
      ],
    });
    expect((await kvs(['txn', '-'], JSON.stringify(txn))).stdout).toBe(
      'failed, revision ' + String(JSON.parse(failed.stdout).revision) + '\nget acct/a 5\nget acct/none absent\n',
    );
  });

  it('refuses a malformed transaction with exit 2 naming the problem, sending nothing', async () => {
    const before = (await client.range()).revision;
    const cases: [string, string][] = [
      ['{', 'not JSON'],
      ['[]', 'must be a JSON object'],
      ['{"compare": [{"key": "k", "target": "size", "op": "==", "value": 1}]}', 'compare[0].target'],
      ['{"success": [{"put": {"key": "k"}}]}', 'success[0].put.value must be a string'],
      ['{"success": [{"put": {"key": "k", "value": "v"}, "get": {"key": "k"}}]}', 'exactly one of'],
      ['{"sucess": []}', 'unknown field "sucess"'],
    ];
    for (const [input, problem] of cases) {
      const run = await kvs(['txn'], input);
      expect([input, run.code, run.stderr]).toEqual([input, 2, expect.stringContaining(problem)]);
    }
    expect(await kvs(['txn', join(dir, 'missing.json')])).toMatchObject({ code: 2 });
    expect((await client.range()).revision).toBe(before);
  });

  it('documents the new commands and options in --help', async () => {
    const overview = (await kvs(['--help'])).stdout;
    for (const text of ['ls ', 'txn [FILE]', '--meta']) expect([text, overview.includes(text)]).toEqual([text, true]);
    expect((await kvs(['ls', '--help'])).stdout).toContain('--keys-only');
    expect((await kvs(['put', '--help'])).stdout).toContain('--if-absent');
    expect((await kvs(['delete', '--help'])).stdout).toContain('--if-revision R ');
    expect((await kvs(['txn', '--help'])).stdout).toContain('"compare"');
  });
});
