import { startRestServer, type RestServer } from '../../support/rest-server';

let server: RestServer;

beforeEach(async () => {
  server = await startRestServer();
});

afterEach(() => server.stop());

const keyUrl = (key: string): string => `${server.url}/v1/key/${encodeURIComponent(key)}`;

function put(key: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(keyUrl(key), { method: 'PUT', body, headers });
}

describe('REST revisions and preconditions', () => {
  it('answers a GET with ETag and the X-Kvs revision headers, and 304 for If-None-Match of the current ETag', async () => {
    await put('other', 'x');
    const created = await put('k', 'v1');
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"2"');
    expect(created.headers.get('x-kvs-revision')).toBe('2');
    await put('k', 'v2');

    const got = await fetch(keyUrl('k'));
    expect(await got.text()).toBe('v2');
    expect(
      Object.fromEntries(
        ['etag', 'x-kvs-revision', 'x-kvs-create-revision', 'x-kvs-version'].map((h) => [h, got.headers.get(h)]),
      ),
    ).toEqual({
      etag: '"3"',
      'x-kvs-revision': '3',
      'x-kvs-create-revision': '2',
      'x-kvs-version': '2',
    });
    const unchanged = await fetch(keyUrl('k'), { headers: { 'If-None-Match': '"3"' } });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    expect((await fetch(keyUrl('k'), { headers: { 'If-None-Match': '"2"' } })).status).toBe(200);
  });

  it('writes only when If-Match / If-None-Match hold; a failed one is 412 PRECONDITION_FAILED with the current ETag and changes nothing', async () => {
    expect((await put('k', 'first', { 'If-None-Match': '*' })).status).toBe(201);
    const again = await put('k', 'second', { 'If-None-Match': '*' });
    expect(again.status).toBe(412);
    expect(again.headers.get('etag')).toBe('"1"');
    expect(await again.json()).toMatchObject({ code: 'PRECONDITION_FAILED' });

    const stale = await put('k', 'stale', { 'If-Match': '"7"' });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"1"');
    const fresh = await put('k', 'fresh', { 'If-Match': '"1"' });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('etag')).toBe('"2"');

    const absent = await put('absent', 'v', { 'If-Match': '*' });
    expect(absent.status).toBe(412);
    expect(absent.headers.get('etag')).toBeNull();

    expect((await fetch(keyUrl('k'), { method: 'DELETE', headers: { 'If-Match': '"1"' } })).status).toBe(412);
    const deleted = await fetch(keyUrl('k'), { method: 'DELETE', headers: { 'If-Match': '"2"' } });
    expect(deleted.status).toBe(200);
    expect(deleted.headers.get('x-kvs-revision')).toBe('3');
    expect(server.log.events.map((record) => record.revision)).toEqual([1, 2, 3]);
  });

  it('refuses malformed preconditions with 400 INVALID_REQUEST, and the connection stays usable', async () => {
    const malformed: Record<string, string>[] = [
      { 'If-Match': 'W/"1"' },
      { 'If-Match': '1' },
      { 'If-None-Match': '"1"' },
      { 'If-Match': '*', 'If-None-Match': '*' },
    ];
    for (const headers of malformed) {
      const answer = await put('k', 'v', headers);
      expect(answer.status).toBe(400);
      expect(await answer.json()).toMatchObject({ code: 'INVALID_REQUEST' });
    }
    expect(server.log.events).toEqual([]);
    expect((await put('k', 'v')).status).toBe(201);
  });

  it('loses no increment: 32 clients doing If-Match read-modify-write on 8 counters', async () => {
    const counters = Array.from({ length: 8 }, (_, i) => `counter-${i}`);
    for (const key of counters) await put(key, '0');
    let successes = 0;
    let conflicts = 0;
    async function client(id: number): Promise<void> {
      for (let done = 0; done < 10;) {
        const key = counters[(id + done) % counters.length];
        const read = await fetch(keyUrl(key));
        const etag = read.headers.get('etag')!;
        const next = String(Number(await read.text()) + 1);
        const write = await put(key, next, { 'If-Match': etag });
        if (write.status === 201) {
          successes++;
          done++;
        } else {
          expect(write.status).toBe(412);
          await write.text();
          conflicts++;
        }
      }
    }
    await Promise.all(Array.from({ length: 32 }, (_, id) => client(id)));
    const total = counters.reduce((sum, key) => sum + Number(server.store.get(key)), 0);
    expect(successes).toBe(320);
    expect(total).toBe(successes);
    // Each counter's version is its number of successful writes plus its creation.
    for (const key of counters) expect(server.store.getEntry(key).version).toBe(Number(server.store.get(key)) + 1);
    expect(conflicts).toBeGreaterThanOrEqual(0);
  });
});
