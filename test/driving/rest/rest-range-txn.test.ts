import { startRestServer, type RestServer } from '../../support/rest-server';

let server: RestServer;

beforeEach(async () => {
  server = await startRestServer({ maxKeyBytes: 1024, maxValueBytes: 1024 });
});

afterEach(() => server.stop());

const keysUrl = (query: string): string => `${server.url}/v1/keys?${query}`;

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const answer = await fetch(url);
  return { status: answer.status, body: await answer.json() };
}

function txn(body: unknown): Promise<{ status: number; body: any }> {
  return fetch(`${server.url}/v1/txn`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  }).then(async (answer) => ({ status: answer.status, body: await answer.json() }));
}

async function putAll(keys: string[]): Promise<void> {
  for (const key of keys) await server.store.put(key, `v:${key}`);
}

describe('GET /v1/keys', () => {
  it('pages a prefix in UTF-8 byte order with start_after, and answers the shape of the issue', async () => {
    await putAll(['a/2', 'a/1', 'b/1', 'a/\u{1F600}', 'a/\uFFFD', 'a/10']);
    const first = await getJson(keysUrl('prefix=a%2F&limit=3'));
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      revision: 6,
      items: [
        { key: 'a/1', value: 'v:a/1', create_revision: 2, mod_revision: 2, version: 1 },
        { key: 'a/10', value: 'v:a/10', create_revision: 6, mod_revision: 6, version: 1 },
        { key: 'a/2', value: 'v:a/2', create_revision: 1, mod_revision: 1, version: 1 },
      ],
      next_start_after: 'a/2',
    });
    const second = await getJson(keysUrl(`prefix=a%2F&limit=3&start_after=${encodeURIComponent('a/2')}`));
    // U+FFFD before U+1F600 in UTF-8 byte order (JavaScript's UTF-16 order has them the other way).
    expect(second.body.items.map((item: { key: string }) => item.key)).toEqual(['a/\uFFFD', 'a/\u{1F600}']);
    expect(second.body.next_start_after).toBeNull();
  });

  it('reads a half-open start/end range, keys only, and all keys for the empty prefix', async () => {
    await putAll(['a', 'b', 'c', 'd']);
    const range = await getJson(keysUrl('start=b&end=d&keys_only=true'));
    expect(range.body.items).toEqual([
      { key: 'b', create_revision: 2, mod_revision: 2, version: 1 },
      { key: 'c', create_revision: 3, mod_revision: 3, version: 1 },
    ]);
    expect((await getJson(keysUrl('start=c'))).body.items.map((i: { key: string }) => i.key)).toEqual(['c', 'd']);
    expect((await getJson(keysUrl('prefix='))).body.items).toHaveLength(4);
  });

  it('defaults to 100 per page, takes up to 1000, and refuses more or malformed parameters with 400', async () => {
    await Promise.all(Array.from({ length: 1001 }, (_, i) => server.store.put(`k${String(i).padStart(4, '0')}`, '')));
    expect((await getJson(keysUrl('prefix='))).body.items).toHaveLength(100);
    const full = await getJson(keysUrl('prefix=&limit=1000'));
    expect([full.body.items.length, full.body.next_start_after]).toEqual([1000, 'k0999']);
    for (const query of [
      'prefix=&limit=1001',
      'prefix=&limit=0',
      'prefix=&limit=-1',
      'prefix=&limit=1e3',
      'prefix=&keys_only=yes',
      'prefix=a&start=b',
      '',
      'prefix=&prefix=a',
      'prefx=a',
      'prefix=%FF',
      'prefix=%ED%A0%80',
      'start=a&end=',
    ]) {
      const answer = await getJson(keysUrl(query));
      expect([query, answer.status, answer.body.code]).toEqual([query, 400, expect.stringMatching(/^INVALID_/)]);
    }
  });

  it('answers HEAD like GET without the body, and 405 for methods it does not have', async () => {
    expect((await fetch(keysUrl('prefix='), { method: 'HEAD' })).status).toBe(200);
    const post = await fetch(keysUrl('prefix='), { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD, DELETE']);
  });
});

describe('DELETE /v1/keys', () => {
  it('deletes a prefix or a range in one revision and answers {revision, deleted}', async () => {
    await putAll(['a/1', 'a/2', 'b/1', 'c/1', 'd/1']);
    const byPrefix = await fetch(keysUrl('prefix=a%2F'), { method: 'DELETE' });
    expect([byPrefix.status, await byPrefix.json()]).toEqual([200, { revision: 6, deleted: 2 }]);
    const byRange = await fetch(keysUrl('start=b&end=d'), { method: 'DELETE' });
    expect(await byRange.json()).toEqual({ revision: 7, deleted: 2 });
    const none = await fetch(keysUrl('prefix=zzz'), { method: 'DELETE' });
    expect(await none.json()).toEqual({ revision: 7, deleted: 0 });
    expect(server.log.events.map((record) => [record.revision, record.writes.length])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 2],
      [7, 2],
    ]);
  });

  it('deletes every key only with all=true, and refuses all=true with a narrower selector', async () => {
    await putAll(['a', 'b']);
    for (const query of ['prefix=', 'start=', 'prefix=a&all=true', 'all=false', 'all=true&all=true']) {
      const answer = await fetch(keysUrl(query), { method: 'DELETE' });
      expect([query, answer.status]).toEqual([query, 400]);
    }
    expect(server.store.size).toBe(2);
    expect(await (await fetch(keysUrl('prefix=&all=true'), { method: 'DELETE' })).json()).toEqual({
      revision: 3,
      deleted: 2,
    });
    await putAll(['c']);
    expect(await (await fetch(keysUrl('all=true'), { method: 'DELETE' })).json()).toEqual({ revision: 5, deleted: 1 });
  });
});

describe('POST /v1/txn', () => {
  it('runs the success branch when every compare holds: one revision for all writes, gets see the writes before them', async () => {
    await server.store.put('counter', '1');
    const answer = await txn({
      compare: [
        { key: 'counter', target: 'version', op: '==', value: 1 },
        { key: 'counter', target: 'value', op: '==', value: '1' },
        { key: 'new', target: 'exists', op: '==', value: false },
      ],
      success: [
        { put: { key: 'counter', value: '2' } },
        { put: { key: 'new', value: 'n' } },
        { get: { key: 'new' } },
        { delete: { key: 'absent' } },
      ],
      failure: [{ get: { key: 'counter' } }],
    });
    expect(answer).toEqual({
      status: 200,
      body: {
        succeeded: true,
        revision: 2,
        results: [
          { put: { revision: 2 } },
          { put: { revision: 2 } },
          { get: { item: { key: 'new', value: 'n', create_revision: 2, mod_revision: 2, version: 1 } } },
          { delete: { deleted: false } },
        ],
      },
    });
    expect(server.log.events.at(-1)).toMatchObject({ revision: 2, writes: [{ key: 'counter' }, { key: 'new' }] });
  });

  it('answers 200 succeeded:false with the failure branch when a compare does not hold (never 412)', async () => {
    await server.store.put('k', 'v');
    const answer = await txn({
      compare: [{ key: 'k', target: 'mod_revision', op: '>', value: 1 }],
      success: [{ delete: { key: 'k' } }],
      failure: [{ get: { key: 'k' } }, { get: { key: 'nothing' } }],
    });
    expect(answer).toEqual({
      status: 200,
      body: {
        succeeded: false,
        revision: 1,
        results: [
          { get: { item: { key: 'k', value: 'v', create_revision: 1, mod_revision: 1, version: 1 } } },
          { get: { item: null } },
        ],
      },
    });
    expect(server.store.revision).toBe(1);
  });

  it('refuses malformed bodies with 400 INVALID_REQUEST naming the problem, and changes nothing', async () => {
    const put = (key: string) => ({ put: { key, value: 'v' } });
    const cases: [unknown, RegExp][] = [
      ['{', /not valid JSON/],
      ['[]', /the body must be object/],
      [
        { compare: [{ key: 'a', target: 'age', op: '==', value: 1 }] },
        /\/compare\/0\/target must be one of mod_revision/,
      ],
      [{ compare: [{ key: 'a', target: 'version', op: '==', value: 'x' }] }, /version compare needs a whole number/],
      [{ compare: [{ key: 'a', target: 'exists', op: '<', value: true }] }, /exists compare takes == or !=/],
      [{ success: [{ put: { key: 'a' } }] }, /\/success\/0\/put must have required property 'value'/],
      [{ success: [{ put: { key: 'a', value: 'v' }, get: { key: 'a' } }] }, /\/success\/0 must be exactly one of put/],
      [{ success: [{ patch: { key: 'a' } }] }, /\/success\/0 has an unknown field patch/],
      [{ sucess: [] }, /unknown field sucess/],
      [{ success: Array.from({ length: 129 }, (_, i) => put(`k${i}`)) }, /\/success must NOT have more than 128 items/],
      [{ success: [put('a'), put('a')] }, /writes the same key twice/],
    ];
    for (const [body, message] of cases) {
      const answer = await txn(body);
      expect([answer.status, answer.body.code]).toEqual([400, 'INVALID_REQUEST']);
      expect(answer.body.message).toMatch(message);
    }
    const badKey = await txn({ success: [{ put: { key: '', value: 'v' } }] });
    expect(badKey.status).toBe(400);
    expect(server.store.revision).toBe(0);
    const branchOf128 = await txn({ success: Array.from({ length: 128 }, (_, i) => put(`k${i}`)) });
    expect([branchOf128.status, server.store.size, server.store.revision]).toEqual([200, 128, 1]);
  });

  it('refuses a body over its limit with 413 VALUE_TOO_LARGE naming the transaction limit', async () => {
    const answer = await txn({ success: [{ put: { key: 'a', value: 'x'.repeat(6 * 1024 * 1024) } }] });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({
      code: 'VALUE_TOO_LARGE',
      message: expect.stringMatching(/transaction body may be at most/),
    });
    const valueOverLimit = await txn({ success: [{ put: { key: 'a', value: 'x'.repeat(2000) } }] });
    expect([valueOverLimit.status, valueOverLimit.body.message]).toEqual([413, expect.stringMatching(/^value is/)]);
  });
});
