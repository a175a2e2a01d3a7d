import { ReadConsistency } from '../../../src/application/consistency/read-consistency';
import { KeyValueStore, LogUnavailableError, ownHead, type HeadRevision } from '../../../src/core';
import { RestFrontend } from '../../../src/driving/rest';
import { MemoryTransactionLog } from '../../support/memory-transaction-log';

/** A REST frontend whose reads wait at most `maxWaitMs`, over a store with a memory log. */
async function serve(head?: (store: KeyValueStore) => HeadRevision, maxWaitMs = 2000) {
  const log = new MemoryTransactionLog();
  const store = new KeyValueStore(log);
  await store.restore();
  const reads = new ReadConsistency(store, head?.(store) ?? ownHead(store), { maxWaitMs });
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 }, { reads });
  const { port } = await frontend.start();
  return { log, store, url: `http://127.0.0.1:${port}`, stop: () => frontend.stop() };
}

describe('REST read consistency: X-Kvs-Min-Revision and ?linearizable=true', () => {
  let service: Awaited<ReturnType<typeof serve>>;

  afterEach(() => service.stop());

  it('answers a read whose revision the replica has at once, saying the revision it reflects', async () => {
    service = await serve();
    const put = await fetch(`${service.url}/v1/key/k`, { method: 'PUT', body: 'v' });
    const revision = put.headers.get('x-kvs-revision')!;
    const got = await fetch(`${service.url}/v1/key/k?linearizable=true`, {
      headers: { 'X-Kvs-Min-Revision': revision },
    });
    expect([got.status, await got.text(), got.headers.get('x-kvs-revision')]).toEqual([200, 'v', '1']);
    const range = await fetch(`${service.url}/v1/keys?prefix=&linearizable=true`, {
      headers: { 'X-Kvs-Min-Revision': revision },
    });
    expect([range.status, ((await range.json()) as { revision: number }).revision]).toEqual([200, 1]);
    const head = await fetch(`${service.url}/v1/key/k`, { method: 'HEAD', headers: { 'X-Kvs-Min-Revision': '1' } });
    expect(head.status).toBe(200);
  });

  it('holds a read until the revision it asks for is applied (read-your-writes), then answers it', async () => {
    service = await serve();
    await fetch(`${service.url}/v1/key/k`, { method: 'PUT', body: 'old' });
    service.log.holdAppends();
    const write = service.store.put('k', 'new');
    const read = fetch(`${service.url}/v1/key/k`, { headers: { 'X-Kvs-Min-Revision': '2' } });
    const plain = await fetch(`${service.url}/v1/key/k`);
    expect(await plain.text()).toBe('old');
    const range = fetch(`${service.url}/v1/keys?prefix=k`, { headers: { 'X-Kvs-Min-Revision': '2' } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    service.log.release();
    await write;
    const got = await read;
    expect([got.status, await got.text(), got.headers.get('x-kvs-revision')]).toEqual([200, 'new', '2']);
    const page = (await (await range).json()) as { revision: number; items: { value: string }[] };
    expect([page.revision, page.items.map((item) => item.value)]).toEqual([2, ['new']]);
  });

  it('is 503 REPLICA_BEHIND when the replica does not get there in time, for Get, HEAD and Range', async () => {
    service = await serve(undefined, 30);
    const headers = { 'X-Kvs-Min-Revision': '7' };
    const got = await fetch(`${service.url}/v1/key/k`, { headers });
    expect([got.status, ((await got.json()) as { code: string }).code]).toEqual([503, 'REPLICA_BEHIND']);
    expect((await fetch(`${service.url}/v1/key/k`, { method: 'HEAD', headers })).status).toBe(503);
    const range = await fetch(`${service.url}/v1/keys?prefix=`, { headers });
    expect([range.status, ((await range.json()) as { code: string }).code]).toEqual([503, 'REPLICA_BEHIND']);
  });

  it('is 503 REPLICA_BEHIND for a linearizable read when the head cannot be confirmed', async () => {
    service = await serve(() => ({ confirm: () => Promise.reject(new LogUnavailableError('down')) }));
    const got = await fetch(`${service.url}/v1/key/k?linearizable=true`);
    expect([got.status, ((await got.json()) as { code: string }).code]).toEqual([503, 'REPLICA_BEHIND']);
    const plain = await fetch(`${service.url}/v1/key/k?linearizable=false`);
    expect(plain.status).toBe(404);
  });

  it('refuses a malformed X-Kvs-Min-Revision or linearizable with 400 INVALID_REQUEST', async () => {
    service = await serve();
    for (const [path, headers] of [
      ['/v1/key/k', { 'X-Kvs-Min-Revision': '-1' }],
      ['/v1/key/k', { 'X-Kvs-Min-Revision': 'soon' }],
      ['/v1/key/k', { 'X-Kvs-Min-Revision': '1'.repeat(17) }],
      ['/v1/key/k?linearizable=yes', {}],
      ['/v1/keys?prefix=&linearizable=1', {}],
      ['/v1/keys?prefix=', { 'X-Kvs-Min-Revision': '1e3' }],
    ] as const) {
      const answer = await fetch(`${service.url}${path}`, { headers });
      expect([path, answer.status, ((await answer.json()) as { code: string }).code]).toEqual([
        path,
        400,
        'INVALID_REQUEST',
      ]);
    }
  });
});
