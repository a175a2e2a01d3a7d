import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { encodeSnapshot } from '../../src/api/snapshot/snapshot-encoder';
import type { SnapshotEntry, SnapshotLease } from '../../src/api/snapshot/snapshot-format';
import { readSnapshotFile } from '../../src/api/snapshot/snapshot-file';
import { HOSTILE_STRINGS } from '../support/hostile-strings';
import { requireBuiltCli, runCli, type CliRun } from '../support/run-cli';
import { SeededRandom } from '../support/seeded-random';
import { startService, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';
import { TestPostgres } from '../support/test-postgres';
import { goodClaims, hmacSetup } from '../security/jwt-fixtures';

jest.setTimeout(180_000);

const dir = useTempDir('snapshots');
let pg: TestPostgres;
const running = new Set<ServiceProcess>();

beforeAll(async () => {
  requireBuiltCli();
  pg = await TestPostgres.start();
});

afterAll(async () => {
  await pg?.close();
});

afterEach(async () => {
  for (const service of running) {
    service.process.kill('SIGKILL');
    await service.exited();
  }
  running.clear();
});

async function start(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startService({ TLOG_SYNC: 'never', ...env });
  running.add(service);
  return service;
}

async function stop(service: ServiceProcess): Promise<void> {
  service.process.kill('SIGTERM');
  expect(await service.exited()).toBe(0);
  running.delete(service);
}

/** What a snapshot file holds, verified: its revision and every entry. */
function contentOf(file: string): { revision: number; leases: readonly SnapshotLease[]; entries: SnapshotEntry[] } {
  const reader = readSnapshotFile(file);
  const entries: SnapshotEntry[] = [];
  for (;;) {
    const next = reader.next();
    if (next.done) return { revision: next.value.summary.revision, leases: next.value.leases, entries };
    entries.push(...next.value);
  }
}

function fileLog(name: string): Record<string, string> {
  return { TLOG_FILENAME: join(dir.path, name, 'tx.log') };
}

async function save(service: ServiceProcess, file: string, token?: string): Promise<CliRun> {
  const auth = token === undefined ? [] : ['--token', token];
  return runCli(['--address', service.grpcAddress!, ...auth, 'snapshot', 'save', file]);
}

async function restore(file: string, env: Record<string, string>, ...flags: string[]): Promise<CliRun> {
  return runCli(['snapshot', 'restore', file, ...flags], { env });
}

async function send(
  url: string,
  method: string,
  key: string,
  value?: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${url}/v1/key/${encodeURIComponent(key)}`, { method, body: value, headers });
}

/** A snapshot file of `count` generated keys at `revision`, written with the format's own encoder. */
async function generatedSnapshot(file: string, count: number, revision: number): Promise<SnapshotEntry[]> {
  const entries = Array.from({ length: count }, (_, i) => ({
    key: `gen/${String(i).padStart(7, '0')}`,
    value: `value ${i} ${'v'.repeat(i % 50)}`,
    createRevision: 1 + (i % (revision - 1)),
    modRevision: 1 + (i % (revision - 1)) + (i % 2),
    version: 1 + (i % 9),
    deadlineMs: 0,
    lease: 0,
  }));
  await writeFile(file, Buffer.concat([...encodeSnapshot({ revision, entries }, Date.now())]));
  return entries;
}

describe('snapshots of the running service', () => {
  it('round-trips file → snapshot → postgres → snapshot → file with identical content, and writes go on from its revision', async () => {
    const source = await start(fileLog('a'));
    const url = source.restUrl!;
    const keys = [...new Set([...HOSTILE_STRINGS.filter((key) => key !== ''), 'a', 'b', 'c'])];
    for (const key of keys) expect((await send(url, 'PUT', key, `first ${key}`)).ok).toBe(true);
    for (const key of keys.slice(0, 5)) expect((await send(url, 'PUT', key, `second ${key}`)).ok).toBe(true);
    // A key with a TTL keeps its deadline through every log and snapshot below.
    expect((await fetch(`${url}/v1/key/timed?ttl=1h`, { method: 'PUT', body: 't' })).ok).toBe(true);
    // So does a lease with its TTL, and the key attached to it.
    const granted = await fetch(`${url}/v1/leases`, { method: 'POST', body: JSON.stringify({ ttl: '1h' }) });
    const lease = ((await granted.json()) as { id: string }).id;
    expect((await fetch(`${url}/v1/key/leased?lease=${lease}`, { method: 'PUT', body: 'l' })).ok).toBe(true);
    // The last write is a delete: the snapshot's revision is above every key's mod_revision.
    await send(url, 'DELETE', 'c');
    const first = join(dir.path, 'first.snapshot');
    const saved = await save(source, first);
    expect(saved.stderr).toBe('');
    expect(saved.stdout).toMatch(/^saved snapshot at revision \d+: \d+ keys, \d+ bytes to /);
    const original = contentOf(first);
    expect(original.revision).toBe(keys.length + 5 + 4);
    expect(original.entries).toHaveLength(keys.length + 1);
    expect(original.entries.find((entry) => entry.key === 'timed')?.deadlineMs).toBeGreaterThan(Date.now());
    expect(original.leases).toEqual([{ id: Number(lease), ttlMs: 3_600_000, revision: keys.length + 5 + 2 }]);
    expect(original.entries.find((entry) => entry.key === 'leased')).toMatchObject({
      deadlineMs: 0,
      lease: Number(lease),
    });
    await stop(source);

    const table = pg.newTable();
    const restored = await restore(first, pg.logEnv(table));
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    const onPostgres = await start(pg.logEnv(table));
    const meta = await send(onPostgres.restUrl!, 'GET', keys[0]);
    expect(meta.headers.get('x-kvs-revision')).toBe(String(original.revision));
    expect(meta.headers.get('x-kvs-version')).toBe('2');
    expect(await meta.text()).toBe(`second ${keys[0]}`);
    // The restored lease is alive: its holder's keepalives go on, and it still holds its key.
    const kept = await fetch(`${onPostgres.restUrl}/v1/leases/${lease}/keepalive`, { method: 'POST' });
    expect([kept.status, ((await kept.json()) as { keys: string[] }).keys]).toEqual([200, ['leased']]);
    // Over REST this time: the same content, whichever frontend streams it.
    const second = join(dir.path, 'second.snapshot');
    const response = await fetch(`${onPostgres.restUrl}/v1/admin/snapshot`);
    expect(response.headers.get('x-kvs-revision')).toBe(String(original.revision));
    await writeFile(second, Buffer.from(await response.arrayBuffer()));
    expect(contentOf(second)).toEqual(original);
    const next = await send(onPostgres.restUrl!, 'PUT', 'after', 'x');
    expect(next.headers.get('x-kvs-revision')).toBe(String(original.revision + 1));
    await stop(onPostgres);

    // Back to a file log: the source's own, which holds data, so only --force replaces it.
    const refused = await restore(second, fileLog('a'));
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/already holds data; restore replaces it only with --force/);
    expect(await restore(second, fileLog('a'), '--force')).toMatchObject({ code: 0 });
    const back = await start(fileLog('a'));
    const third = join(dir.path, 'third.snapshot');
    expect((await save(back, third)).stderr).toBe('');
    expect(contentOf(third)).toEqual(original);
    expect((await send(back.restUrl!, 'PUT', 'after', 'y')).headers.get('x-kvs-revision')).toBe(
      String(original.revision + 1),
    );
  });

  it('takes a snapshot under concurrent writes that equals the store at its revision, as the write history says', async () => {
    const service = await start(fileLog('live'));
    const url = service.restUrl!;
    const history: { revision: number; key: string; value?: string }[] = [];
    let writing = true;
    const writer = async (seed: number): Promise<void> => {
      const own = new SeededRandom(seed);
      while (writing) {
        const key = `k${own.int(0, 399)}`;
        const value = own.chance(0.8) ? `${seed}:${own.int(0, 1e9)}:${'p'.repeat(own.int(0, 2000))}` : undefined;
        // A delete only when the key is live (If-Match: *), so that every 200 is a write of its own revision.
        const res =
          value === undefined
            ? await send(url, 'DELETE', key, undefined, { 'if-match': '*' })
            : await send(url, 'PUT', key, value);
        await res.arrayBuffer();
        if (res.status === 200 || res.status === 201) {
          history.push({ revision: Number(res.headers.get('x-kvs-revision')), key, value });
        } else expect(res.status).toBe(412);
      }
    };
    const writers = [1, 2, 3, 4].map(writer);
    try {
      while (history.length < 1500) await new Promise((resolve) => setTimeout(resolve, 20));
      const file = join(dir.path, 'live.snapshot');
      const response = await fetch(`${url}/v1/admin/snapshot`);
      await writeFile(file, Buffer.from(await response.arrayBuffer()));
      const countAtSnapshot = history.length;
      while (history.length < countAtSnapshot + 500) await new Promise((resolve) => setTimeout(resolve, 20));
      writing = false;
      await Promise.all(writers);

      const { revision, entries } = contentOf(file);
      expect(history.some((write) => write.revision > revision)).toBe(true);
      // The store at `revision`, replayed from the acknowledged writes (each with its revision).
      const state = new Map<string, Omit<SnapshotEntry, 'key'>>();
      for (const write of [...history].sort((a, b) => a.revision - b.revision)) {
        if (write.revision > revision) break;
        const before = state.get(write.key);
        if (write.value === undefined) state.delete(write.key);
        else
          state.set(write.key, {
            value: write.value,
            createRevision: before?.createRevision ?? write.revision,
            modRevision: write.revision,
            version: (before?.version ?? 0) + 1,
            deadlineMs: 0,
            lease: 0,
          });
      }
      const expected = [...state]
        .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
        .map(([key, entry]) => ({ key, ...entry }));
      expect(entries.length).toBeGreaterThan(100);
      expect(entries).toEqual(expected);
    } finally {
      writing = false;
      await Promise.allSettled(writers);
    }
  });

  it('refuses a damaged, cut or wrong-version snapshot with the byte where it is damaged, and writes nothing', async () => {
    const good = join(dir.path, 'good.snapshot');
    await generatedSnapshot(good, 2000, 50);
    const bytes = await readFile(good);
    const flipped = Buffer.from(bytes);
    flipped[bytes.length >> 1] ^= 0x01;
    const versioned = Buffer.from(bytes);
    versioned.writeUInt32LE(9, 8);
    versioned.writeUInt32LE(crc32(versioned.subarray(0, 28)), 28);
    const cases = [
      ['flipped', flipped, /snapshot damaged at byte \d+: section \d+: payload checksum mismatch/],
      ['cut', bytes.subarray(0, bytes.length - 100), /snapshot damaged at byte \d+: truncated/],
      ['versioned', versioned, /snapshot damaged at byte 8: unsupported snapshot format version 9/],
    ] as const;
    for (const [name, content, message] of cases) {
      const file = join(dir.path, `${name}.snapshot`);
      await writeFile(file, content);
      const status = await runCli(['snapshot', 'status', file]);
      expect(status.code).toBe(2);
      expect(status.stderr).toMatch(message);
      const table = pg.newTable();
      for (const env of [fileLog(name), pg.logEnv(table)]) {
        const refused = await restore(file, env);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toMatch(message);
        expect(refused.stderr).toMatch(/nothing was written/);
      }
      expect(existsSync(join(dir.path, name))).toBe(false);
      const created = await pg.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [table]);
      expect(created.rows[0].found).toBe(false);
    }
    const status = await runCli(['snapshot', 'status', good, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ revision: 50, keys: 2000, bytes: bytes.length });
  });

  it('serves snapshots to kvs:admin only, on both frontends', async () => {
    const setup = hmacSetup();
    const service = await start({ ...fileLog('auth'), ...setup.env });
    await send(service.restUrl!, 'GET', 'k');
    const user = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write kvs:metrics' }));
    const admin = await setup.sign(goodClaims({ scope: 'kvs:admin' }));
    const url = `${service.restUrl}/v1/admin/snapshot`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${user}` } })).status).toBe(403);
    expect((await fetch(url, { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    const file = join(dir.path, 'auth.snapshot');
    const refused = await save(service, file, user);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/PERMISSION_DENIED/);
    expect(existsSync(file)).toBe(false);
    expect(await save(service, file, admin)).toMatchObject({ code: 0 });
    expect(contentOf(file).revision).toBe(0);
  });

  it('migrates 100,000 keys file → PostgreSQL and back by the documented recipe', async () => {
    const seed = join(dir.path, 'seed.snapshot');
    const generated = await generatedSnapshot(seed, 100_000, 1000);
    expect(await restore(seed, fileLog('m'))).toMatchObject({ code: 0 });
    // The recipe (docs/snapshots.md): save from the running service, stop it, restore into the
    // other log, start the service on it.
    const onFile = await start(fileLog('m'));
    const saved = join(dir.path, 'm1.snapshot');
    expect((await save(onFile, saved)).stdout).toMatch(/revision 1000: 100000 keys/);
    await stop(onFile);
    const table = pg.newTable();
    expect(await restore(saved, pg.logEnv(table))).toMatchObject({ code: 0 });
    const onPostgres = await start(pg.logEnv(table));
    const sample = generated[77_777];
    const res = await send(onPostgres.restUrl!, 'GET', sample.key);
    expect(await res.text()).toBe(sample.value);
    expect(res.headers.get('etag')).toBe(`"${sample.modRevision}"`);
    const back = join(dir.path, 'm2.snapshot');
    expect((await save(onPostgres, back)).code).toBe(0);
    const content = contentOf(back);
    expect(content.revision).toBe(1000);
    expect(content.entries).toEqual(generated);
  });
});
