import * as grpc from '@grpc/grpc-js';
import { loadKeyValuePackage } from '../../src/api/keyvalue-proto';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { goodClaims, hmacSetup } from './jwt-fixtures';

/**
 * Ranges, deletes of a range and transactions under real JWTs: a range reaching outside the
 * token's kvs_prefixes is clipped to them (never a key leaked), a delete of a range only runs
 * when the whole range lies inside them, and a transaction only when every key it names does.
 */
describe('range and transaction authorization', () => {
  const setup = hmacSetup();
  let service: InProcessService;
  let teamA: string;
  let teamAB: string;
  let readOnly: string;
  let writeOnly: string;

  beforeAll(async () => {
    service = await startInProcessService(setup.env);
    const sign = (scope: string, prefixes?: string[]) =>
      setup.sign(goodClaims({ scope, ...(prefixes && { kvs_prefixes: prefixes }) }));
    teamA = await sign('kvs:read kvs:write', ['team-a/']);
    teamAB = await sign('kvs:read kvs:write', ['team-b/', 'team-a/', 'team-a/nested/']);
    readOnly = await sign('kvs:read', ['team-a/']);
    writeOnly = await sign('kvs:write', ['team-a/']);
  });

  afterAll(async () => {
    await service.stop();
  });

  beforeEach(async () => {
    await service.store.deleteRange({ prefix: '' });
    for (const key of ['team-`', 'team-a', 'team-a/1', 'team-a/2', 'team-a0', 'team-b/1', 'team-c/1', 'zzz']) {
      await service.store.put(key, `v:${key}`);
    }
  });

  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const answer = await fetch(`${service.restUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: answer.status, body: (await answer.json()) as any };
  };
  const keysOf = (body: { items: { key: string }[] }) => body.items.map((item) => item.key);

  it('clips a range that crosses outside the prefixes to them, on every page', async () => {
    const all = await call(teamA, 'GET', '/v1/keys?prefix=');
    expect([all.status, keysOf(all.body), all.body.next_start_after]).toEqual([200, ['team-a/1', 'team-a/2'], null]);
    const crossing = await call(teamA, 'GET', '/v1/keys?start=team-&end=team-b%2F2');
    expect(keysOf(crossing.body)).toEqual(['team-a/1', 'team-a/2']);
    const pages: string[] = [];
    let after = '';
    for (let page = 0; page < 5; page++) {
      const answer = await call(teamAB, 'GET', `/v1/keys?prefix=team&limit=1&start_after=${encodeURIComponent(after)}`);
      pages.push(...keysOf(answer.body));
      if (answer.body.next_start_after === null) break;
      after = answer.body.next_start_after;
    }
    expect(pages).toEqual(['team-a/1', 'team-a/2', 'team-b/1']);
    expect(keysOf((await call(teamA, 'GET', '/v1/keys?prefix=team-c')).body)).toEqual([]);
    // A token without prefixes sees everything.
    const unrestricted = await setup.sign(goodClaims({ scope: 'kvs:read' }));
    expect(keysOf((await call(unrestricted, 'GET', '/v1/keys?prefix=')).body)).toHaveLength(8);
  });

  it('deletes a range only when all of it lies inside the prefixes', async () => {
    for (const path of ['/v1/keys?prefix=team-', '/v1/keys?start=team-a%2F&end=team-b', '/v1/keys?all=true']) {
      expect([path, (await call(teamA, 'DELETE', path)).status]).toEqual([path, 403]);
    }
    expect(service.store.size).toBe(8);
    expect((await call(teamA, 'DELETE', '/v1/keys?start=team-a%2F2&end=team-a0')).body).toEqual({
      revision: service.store.revision,
      deleted: 1,
    });
    // Two adjacent prefixes cover the range between them.
    const adjacent = await setup.sign(goodClaims({ scope: 'kvs:write', kvs_prefixes: ['team-a/', 'team-a0'] }));
    expect((await call(adjacent, 'DELETE', '/v1/keys?start=team-a%2F&end=team-a1')).body.deleted).toBe(2);
    expect((await call(readOnly, 'DELETE', '/v1/keys?prefix=team-a%2F')).status).toBe(403);
  });

  it('runs a transaction only when every key it names, compares included, lies inside the prefixes', async () => {
    const inside = { put: { key: 'team-a/new', value: 'x' } };
    const outsideCompare = {
      compare: [{ key: 'team-b/1', target: 'value', op: '==', value: 'v:team-b/1' }],
      success: [inside],
    };
    const refused = await call(teamA, 'POST', '/v1/txn', outsideCompare);
    expect([refused.status, refused.body.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(
      (await call(teamA, 'POST', '/v1/txn', { success: [inside], failure: [{ get: { key: 'zzz' } }] })).status,
    ).toBe(403);
    expect(service.store.read('team-a/new').entry).toBeUndefined();
    const allowed = await call(teamAB, 'POST', '/v1/txn', outsideCompare);
    expect([allowed.status, allowed.body.succeeded]).toEqual([200, true]);
  });

  it('needs kvs:write for any transaction and kvs:read besides for compares and gets', async () => {
    const blindPut = { success: [{ put: { key: 'team-a/w', value: 'x' } }] };
    expect((await call(readOnly, 'POST', '/v1/txn', blindPut)).status).toBe(403);
    expect((await call(writeOnly, 'POST', '/v1/txn', blindPut)).status).toBe(200);
    const reads = { success: [{ get: { key: 'team-a/w' } }] };
    const refused = await call(writeOnly, 'POST', '/v1/txn', reads);
    expect([refused.status, refused.body.message]).toEqual([403, expect.stringMatching(/needs scope kvs:read/)]);
    expect((await call(teamA, 'POST', '/v1/txn', reads)).status).toBe(200);
    expect((await call(writeOnly, 'GET', '/v1/keys?prefix=team-a%2F')).status).toBe(403);
  });

  it('refuses a lease revoke (REST and gRPC) while the lease holds a key outside the token’s prefixes; nothing is deleted', async () => {
    const { id } = await service.store.grantLease(3_600_000);
    await service.store.put('team-a/leased', 'a', undefined, { lease: id });
    await service.store.put('team-c/leased', 'c', undefined, { lease: id });
    const rest = await call(teamA, 'DELETE', `/v1/leases/${id}`);
    expect([rest.status, rest.body.code]).toEqual([403, 'PERMISSION_DENIED']);
    expect(rest.body.message).not.toContain('team-c');
    const { Lease } = loadKeyValuePackage();
    const leases = new Lease(service.grpcAddress, grpc.credentials.createInsecure());
    try {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${teamA}`);
      const revoke = (): Promise<unknown> =>
        new Promise((resolve, reject) =>
          leases.Revoke({ id: String(id) }, metadata, (error, answer) => (error ? reject(error) : resolve(answer))),
        );
      await expect(revoke()).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      expect([...service.store.leaseStatus(id).keys].sort()).toEqual(['team-a/leased', 'team-c/leased']);
      // Once every key of the lease is inside the prefixes, the same token may revoke it.
      await service.store.delete('team-c/leased');
      await expect(revoke()).resolves.toMatchObject({ deleted: '1' });
      expect(service.store.read('team-a/leased').entry).toBeUndefined();
    } finally {
      leases.close();
    }
  });

  it('refuses every new route without a token, and a HEAD of a GET-only route is 405, never served around the policies', async () => {
    for (const [method, path] of [
      ['GET', '/v1/keys?prefix='],
      ['HEAD', '/v1/keys?prefix='],
      ['DELETE', '/v1/keys?all=true'],
      ['POST', '/v1/txn'],
      ['GET', '/v1/watch?prefix='],
    ]) {
      const answer = await fetch(`${service.restUrl}${path}`, { method });
      expect([method, path, answer.status]).toEqual([method, path, 401]);
    }
    const head = await fetch(`${service.restUrl}/v1/watch?prefix=`, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).toEqual([405, 'GET']);
    expect(service.store.size).toBe(8);
  });
});
