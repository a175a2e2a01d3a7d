import { status } from '@grpc/grpc-js';
import { KvsClient, type KvsClientError } from '../../src/client/kvs-client';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { goodClaims, hmacSetup } from './jwt-fixtures';

/**
 * Range, DeleteRange and Txn under kvs_prefixes, over real sockets with real tokens: a read is
 * clipped to the prefixes (never a key outside them, across pages too), a delete of a range
 * and a transaction are refused unless every key they can touch lies inside them.
 */
describe('gRPC Range, DeleteRange and Txn under kvs_prefixes', () => {
  const setup = hmacSetup();
  let service: InProcessService;
  let admin: KvsClient;
  const clients: KvsClient[] = [];
  const KEYS = ['a', 'team-a/1', 'team-a/2', 'team-b/1', 'team-b/2', 'team-c/1', 'team-c/2', 'z'];

  const client = async (claims: Record<string, unknown>): Promise<KvsClient> => {
    const made = new KvsClient(
      service.grpcAddress,
      { timeoutMs: 10_000 },
      { token: await setup.sign(goodClaims(claims)) },
    );
    clients.push(made);
    return made;
  };
  const refused = async (call: Promise<unknown>): Promise<unknown> =>
    call.then(
      () => 'succeeded',
      (error: KvsClientError) => [status[error.status], error.code],
    );
  const keys = async (): Promise<string[]> => (await admin.range()).entries.map((entry) => entry.key);

  beforeAll(async () => {
    service = await startInProcessService(setup.env);
    admin = await client({ scope: 'kvs:read kvs:write' });
  });

  beforeEach(async () => {
    await admin.deleteRange({ all: true });
    for (const key of KEYS) await admin.put(key, `value of ${key}`);
  });

  afterAll(async () => {
    for (const made of clients) made.close();
    await service.stop();
  });

  it('clips every range to the prefixes, page by page, and never returns a key outside them', async () => {
    const teams = await client({ scope: 'kvs:read', kvs_prefixes: ['team-c/', 'team-a/'] });
    const seen: string[] = [];
    let pages = 0;
    for await (const page of teams.rangePages({ limit: 1 })) {
      pages += 1;
      seen.push(...page.entries.map((entry) => entry.key));
    }
    expect(seen).toEqual(['team-a/1', 'team-a/2', 'team-c/1', 'team-c/2']);
    expect(pages).toBe(4);
    expect((await teams.range({ prefix: 'team-' })).entries.map((entry) => entry.key)).toEqual(seen);
    expect((await teams.range({ start: 'team-a/2', end: 'team-c/2' })).entries.map((entry) => entry.key)).toEqual([
      'team-a/2',
      'team-c/1',
    ]);
    expect(await teams.range({ prefix: 'team-b/' })).toMatchObject({ entries: [], more: false });
    const values = (await teams.range({ prefix: '' })).entries.map((entry) => entry.value).join(' ');
    expect(values).not.toContain('team-b');
  });

  it('deletes a range only when all of it lies inside the prefixes', async () => {
    const teamA = await client({ scope: 'kvs:read kvs:write', kvs_prefixes: ['team-a/'] });
    const denied = ['PERMISSION_DENIED', 'PERMISSION_DENIED'];
    expect(await refused(teamA.deleteRange({ prefix: 'team-' }))).toEqual(denied);
    expect(await refused(teamA.deleteRange({ all: true }))).toEqual(denied);
    expect(await refused(teamA.deleteRange({ start: 'team-a/', end: 'team-b/2' }))).toEqual(denied);
    expect(await refused(teamA.deleteRange({ start: 'team-a/' }))).toEqual(denied);
    expect(await keys()).toEqual(KEYS);
    expect(await teamA.deleteRange({ start: 'team-a/2', end: 'team-a0' })).toMatchObject({ deleted: 1 });
    expect(await teamA.deleteRange({ prefix: 'team-a/' })).toMatchObject({ deleted: 1 });
    expect(await keys()).toEqual(KEYS.filter((key) => !key.startsWith('team-a/')));
  });

  it('runs a transaction only when every key it names, compares included, lies inside the prefixes', async () => {
    const teamA = await client({ scope: 'kvs:read kvs:write', kvs_prefixes: ['team-a/'] });
    const denied = ['PERMISSION_DENIED', 'PERMISSION_DENIED'];
    const inside = { put: { key: 'team-a/1', value: 'changed' } };
    expect(
      await refused(teamA.txn({ compare: [{ key: 'team-b/1', target: 'VERSION', op: 'GREATER', number: 0 }] })),
    ).toEqual(denied);
    expect(await refused(teamA.txn({ success: [inside, { get: { key: 'team-b/1' } }] }))).toEqual(denied);
    expect(await refused(teamA.txn({ success: [inside], failure: [{ delete: { key: 'z' } }] }))).toEqual(denied);
    expect(await keys()).toEqual(KEYS);
    expect((await admin.getEntry('team-a/1')).value).toBe('value of team-a/1');
    expect(await teamA.txn({ success: [inside] })).toMatchObject({ succeeded: true });
    expect((await admin.getEntry('team-a/1')).value).toBe('changed');
  });

  it('needs kvs:write for any transaction and kvs:read too for compares and gets', async () => {
    const reader = await client({ scope: 'kvs:read' });
    const writer = await client({ scope: 'kvs:write' });
    const denied = ['PERMISSION_DENIED', 'PERMISSION_DENIED'];
    expect(await refused(reader.txn({ success: [{ get: { key: 'a' } }] }))).toEqual(denied);
    expect(await refused(writer.txn({ success: [{ get: { key: 'a' } }] }))).toEqual(denied);
    expect(await refused(writer.txn({ compare: [{ key: 'a', target: 'EXISTS', op: 'EQUAL', exists: true }] }))).toEqual(
      denied,
    );
    expect(await writer.txn({ success: [{ put: { key: 'a', value: 'blind' } }] })).toMatchObject({ succeeded: true });
    expect(await refused(writer.range())).toEqual(denied);
    expect(await refused(reader.deleteRange({ all: true }))).toEqual(denied);
  });
});
