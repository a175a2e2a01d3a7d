import * as grpc from '@grpc/grpc-js';
import { loadKeyValuePackage } from '../../src/api/keyvalue-proto';
import type { KeyValueClient } from '../../src/api/generated/KeyValue';
import type { LeaseClient } from '../../src/api/generated/Lease';
import type { WatchResponse__Output } from '../../src/api/generated/WatchResponse';
import { eventually } from '../support/eventually';
import { unary as call } from '../support/grpc-unary';
import { startInProcessService, type InProcessService } from '../support/in-process-service';

describe('TTL and leases over REST and gRPC (real sockets)', () => {
  let service: InProcessService;
  let keyValue: KeyValueClient;
  let leases: LeaseClient;

  beforeAll(async () => {
    service = await startInProcessService({ KVS_MAX_TTL: '1h' });
    const { KeyValue, Lease } = loadKeyValuePackage();
    keyValue = new KeyValue(service.grpcAddress, grpc.credentials.createInsecure());
    leases = new Lease(service.grpcAddress, grpc.credentials.createInsecure());
  });

  afterAll(async () => {
    keyValue.close();
    leases.close();
    await service.stop();
  });

  const rest = (path: string, init?: RequestInit) => fetch(`${service.restUrl}${path}`, init);

  it('PUT ?ttl= sets X-Kvs-Expires-At (RFC 3339, ms) on PUT and GET, and the key expires on both frontends', async () => {
    const before = Date.now();
    const put = await rest('/v1/key/session?ttl=2s', { method: 'PUT', body: 'alive' });
    expect(put.status).toBe(201);
    const expiresAt = put.headers.get('x-kvs-expires-at') ?? '';
    expect(expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(before + 2000);
    const get = await rest('/v1/key/session');
    expect(get.headers.get('x-kvs-expires-at')).toBe(expiresAt);
    const grpcGet = await call<{ value: string; expires_at_ms: string }>((done) =>
      keyValue.Get({ key: 'session' }, done),
    );
    expect(Number(grpcGet.expires_at_ms)).toBe(Date.parse(expiresAt));
    await eventually(async () => (await rest('/v1/key/session')).status === 404, {
      describe: () => 'the key to expire',
    });
    await expect(call((done) => keyValue.Get({ key: 'session' }, done))).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    // Bare integers are seconds; a put without ttl clears it.
    await rest('/v1/key/kept?ttl=60', { method: 'PUT', body: 'x' });
    const cleared = await rest('/v1/key/kept', { method: 'PUT', body: 'y' });
    expect(cleared.headers.get('x-kvs-expires-at')).toBeNull();
  });

  it('refuses bad TTLs with 400 and INVALID_ARGUMENT, and TTLs above KVS_MAX_TTL', async () => {
    for (const ttl of ['0', '-1s', '1.5s', '10d', 'abc', '2h']) {
      const res = await rest(`/v1/key/k?ttl=${encodeURIComponent(ttl)}`, { method: 'PUT', body: 'v' });
      expect([ttl, res.status]).toEqual([ttl, 400]);
      expect(((await res.json()) as { code: string }).code).toBe('INVALID_REQUEST');
    }
    await expect(
      call((done) => keyValue.Put({ key: 'k', value: 'v', ttl_ms: String(2 * 3_600_000) }, done)),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect((await rest('/v1/key/k')).status).toBe(404);
  });

  it('a gRPC Put with ttl_ms expires, and a watcher sees the expiry as a delete event', async () => {
    // From the next revision: the put is delivered even if it lands before the watch is registered.
    const watch = keyValue.Watch({ key: 'cache', start_revision: String(service.store.revision + 1) });
    const events: WatchResponse__Output[] = [];
    watch.on('data', (response: WatchResponse__Output) => events.push(response));
    watch.on('error', () => undefined);
    try {
      await call((done) => keyValue.Put({ key: 'cache', value: 'v', ttl_ms: '200' }, done));
      await eventually(() => events.some((r) => r.events.some((e) => e.type === 'DELETE')), {
        describe: () => `a delete event; got ${JSON.stringify(events)}`,
      });
      const put = events.flatMap((r) => r.events).find((e) => e.type === 'PUT');
      expect(Number(put?.entry?.expires_at_ms)).toBeGreaterThan(0);
    } finally {
      watch.cancel();
    }
  });

  it('transactions set TTLs and leases on their puts: REST ttl/lease, gRPC ttl_ms/lease', async () => {
    const granted = await rest('/v1/leases', { method: 'POST', body: JSON.stringify({ ttl: '1h' }) });
    const lease = ((await granted.json()) as { id: string }).id;
    const before = Date.now();
    const txn = await rest('/v1/txn', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        success: [
          { put: { key: 'txn/timed', value: 't', ttl: '30m' } },
          { put: { key: 'txn/seconds', value: 's', ttl: 90 } },
          { put: { key: 'txn/leased', value: 'l', lease } },
        ],
      }),
    });
    expect(txn.status).toBe(200);
    const expiry = async (key: string) => Date.parse((await rest(`/v1/key/${key}`)).headers.get('x-kvs-expires-at')!);
    expect(await expiry('txn%2Ftimed')).toBeGreaterThanOrEqual(before + 30 * 60_000);
    expect(await expiry('txn%2Ftimed')).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
    expect(await expiry('txn%2Fseconds')).toBeGreaterThanOrEqual(before + 90_000);
    expect((await rest('/v1/key/txn%2Fleased')).headers.get('x-kvs-lease')).toBe(lease);

    await call((done) =>
      keyValue.Txn(
        {
          success: [
            { put: { key: 'txn/grpc-timed', value: 'g', ttl_ms: 60_000 } },
            { put: { key: 'txn/grpc-leased', value: 'g', lease } },
          ],
        },
        done,
      ),
    );
    const status = (await (await rest(`/v1/leases/${lease}`)).json()) as { keys: string[] };
    expect(status.keys.sort()).toEqual(['txn/grpc-leased', 'txn/leased']);
    expect(await expiry('txn%2Fgrpc-timed')).toBeGreaterThanOrEqual(before + 60_000);

    // Both at once, a TTL above KVS_MAX_TTL or a lease that is not alive: refused, nothing written.
    const refusals: [object, number][] = [
      [{ key: 'txn/both', value: 'x', ttl: '1m', lease }, 400],
      [{ key: 'txn/long', value: 'x', ttl: '2h' }, 400],
      [{ key: 'txn/none', value: 'x', lease: '12345' }, 404],
      [{ key: 'txn/bad', value: 'x', ttl: 'soon' }, 400],
    ];
    for (const [put, expected] of refusals) {
      const refused = await rest('/v1/txn', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ success: [{ put }] }),
      });
      expect([JSON.stringify(put), refused.status]).toEqual([JSON.stringify(put), expected]);
    }
    await expect(
      call((done) => keyValue.Txn({ success: [{ put: { key: 'txn/both', value: 'x', ttl_ms: 1000, lease } }] }, done)),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    const listed = (await (await rest('/v1/keys?prefix=txn%2F')).json()) as { items: { key: string }[] };
    expect(listed.items.map((item) => item.key)).toEqual([
      'txn/grpc-leased',
      'txn/grpc-timed',
      'txn/leased',
      'txn/seconds',
      'txn/timed',
    ]);
    // Revoking the lease deletes the keys the transactions attached to it.
    expect((await rest(`/v1/leases/${lease}`, { method: 'DELETE' })).status).toBe(200);
    expect((await rest('/v1/key/txn%2Fleased')).status).toBe(404);
  });

  it('REST leases: grant, attach, keepalive, status, revoke deletes every key in one revision', async () => {
    const grant = await rest('/v1/leases', { method: 'POST', body: JSON.stringify({ ttl: '10s' }) });
    expect(grant.status).toBe(201);
    const { id, ttl } = (await grant.json()) as { id: string; ttl: string };
    expect(ttl).toBe('10s');
    for (const key of ['svc%2Fa', 'svc%2Fb']) {
      const put = await rest(`/v1/key/${key}?lease=${id}`, { method: 'PUT', body: 'up' });
      expect(put.status).toBe(201);
      expect(put.headers.get('x-kvs-lease')).toBe(id);
    }
    const keepalive = await rest(`/v1/leases/${id}/keepalive`, { method: 'POST' });
    expect(keepalive.status).toBe(200);
    const status = (await (await rest(`/v1/leases/${id}`)).json()) as { keys: string[]; remainingMs: number };
    expect(status.keys).toEqual(['svc/a', 'svc/b']);
    expect(status.remainingMs).toBeGreaterThan(5000);
    const revoke = await rest(`/v1/leases/${id}`, { method: 'DELETE' });
    expect(await revoke.json()).toMatchObject({ deleted: 2 });
    expect((await rest('/v1/key/svc%2Fa')).status).toBe(404);
    const gone = await rest(`/v1/leases/${id}/keepalive`, { method: 'POST' });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { code: string }).code).toBe('LEASE_NOT_FOUND');
    expect((await rest(`/v1/key/x?lease=${id}`, { method: 'PUT', body: 'v' })).status).toBe(404);
    expect((await rest('/v1/leases', { method: 'POST', body: '{"ttl": true}' })).status).toBe(400);
    expect((await rest('/v1/leases/not-a-number')).status).toBe(400);
  });

  it("gRPC Get, Range, Txn and Watch carry the key's lease (Entry.lease, GetResponse.lease = 7); 0 without one", async () => {
    const granted = await call<{ id: string }>((done) => leases.Grant({ ttl_ms: '60000' }, done));
    // From the next revision: the puts are delivered even if they land before the watch is registered.
    const watch = keyValue.Watch({ prefix: 'owned/', start_revision: String(service.store.revision + 1) });
    const events: { entry: { key: string; lease: string } }[] = [];
    watch.on('data', (response: WatchResponse__Output) => events.push(...(response.events as never[])));
    watch.on('error', () => undefined);
    await call((done) => keyValue.Put({ key: 'owned/a', value: 'v', lease: granted.id }, done));
    await call((done) => keyValue.Put({ key: 'owned/b', value: 'w' }, done));
    const get = await call<{ lease: string }>((done) => keyValue.Get({ key: 'owned/a' }, done));
    expect(get.lease).toBe(granted.id);
    expect((await call<{ lease: string }>((done) => keyValue.Get({ key: 'owned/b' }, done))).lease).toBe('0');
    const range = await call<{ entries: { key: string; lease: string }[] }>((done) =>
      keyValue.Range({ prefix: 'owned/' }, done),
    );
    expect(range.entries.map(({ key, lease }) => [key, lease])).toEqual([
      ['owned/a', granted.id],
      ['owned/b', '0'],
    ]);
    const txn = await call<{ results: { get?: { lease: string } | null }[] }>((done) =>
      keyValue.Txn({ success: [{ get: { key: 'owned/a' } }] }, done),
    );
    expect(txn.results[0].get?.lease).toBe(granted.id);
    await eventually(() => events.length >= 2, { describe: () => 'the watch to see both puts' });
    expect(events.map(({ entry }) => [entry.key, entry.lease])).toEqual([
      ['owned/a', granted.id],
      ['owned/b', '0'],
    ]);
    watch.cancel();
    // REST shows the same lease in a range item.
    const items = ((await (await rest('/v1/keys?prefix=owned/')).json()) as { items: { lease?: number }[] }).items;
    expect(items.map((item) => item.lease)).toEqual([Number(granted.id), undefined]);
  });

  it('gRPC leases: KeepAlive streams renew; once they stop the keys go, and KeepAlive is NOT_FOUND', async () => {
    const granted = await call<{ id: string }>((done) => leases.Grant({ ttl_ms: '1500' }, done));
    await call((done) => keyValue.Put({ key: 'leader', value: 'me', lease: granted.id }, done));
    const stream = leases.KeepAlive();
    const answers: unknown[] = [];
    stream.on('data', (answer) => answers.push(answer));
    stream.on('error', () => undefined);
    // Keep it alive past several TTLs.
    const started = Date.now();
    while (Date.now() - started < 4000) {
      stream.write({ id: granted.id });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await rest('/v1/key/leader')).status).toBe(200);
    }
    stream.end();
    expect(answers.length).toBeGreaterThan(10);
    const ttl = await call<{ keys: string[] }>((done) => leases.TimeToLive({ id: granted.id }, done));
    expect(ttl.keys).toEqual(['leader']);
    await eventually(async () => (await rest('/v1/key/leader')).status === 404, {
      describe: () => 'the leased key to go once keepalives stop',
    });
    const late = leases.KeepAlive();
    const failure = new Promise<grpc.ServiceError>((resolve) => late.on('error', resolve));
    late.on('data', () => undefined);
    late.write({ id: granted.id });
    expect((await failure).code).toBe(grpc.status.NOT_FOUND);
  });
});
