import { send } from '../../support/http-request';
import { startRestServer, type RestServer } from '../../support/rest-server';

/**
 * HEAD answers carry the Content-Length the GET of the same resource has (RFC 9110 §9.3.2);
 * node:http used to drop it along with the body.
 */
describe('REST HEAD answers', () => {
  let server: RestServer;

  beforeAll(async () => {
    server = await startRestServer({ maxKeyBytes: 64, maxValueBytes: 1024 });
    await server.store.put('city', 'Zürich 🏔');
  });

  afterAll(() => server.stop());

  it.each([
    ['a stored value (UTF-8 bytes, not characters)', '/v1/key/city', 200],
    ['a missing key (the JSON error body)', '/v1/key/nobody', 404],
    ['a path outside the API', '/nowhere', 404],
    ['/healthz', '/healthz', 200],
    ['/readyz', '/readyz', 200],
  ])('for %s: the GET length, no body', async (_what, path, status) => {
    const get = await send(`${server.url}${path}`);
    const head = await send(`${server.url}${path}`, { method: 'HEAD' });
    expect(get.status).toBe(status);
    expect(head.status).toBe(status);
    expect(get.headers['content-length']).toBe(String(Buffer.byteLength(get.body)));
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect(head.headers['content-type']).toBe(get.headers['content-type']);
    expect(head.body).toBe('');
  });
});
