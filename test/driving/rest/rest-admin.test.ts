import { LogUnavailableError } from '../../../src/core';
import { startRestServer, type RestServer } from '../../support/rest-server';

let server: RestServer;

beforeEach(async () => {
  server = await startRestServer();
});

afterEach(() => server.stop());

describe('POST /v1/admin/compact', () => {
  it('compacts the log and answers 200 with what the compaction did', async () => {
    for (let i = 0; i < 10; i++) await server.store.put('k', `${i}`);
    const response = await fetch(`${server.url}/v1/admin/compact`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    // The memory log keeps the live key's record and the one saying the revision it stands at.
    expect(await response.json()).toEqual({ bytesBefore: 10, bytesAfter: 2, liveBytes: 2, durationMs: 0 });
    expect(server.log.compactions).toBe(1);
    expect(server.store.get('k')).toBe('9');
  });

  it('answers 503 LOG_UNAVAILABLE with Retry-After when the compaction fails', async () => {
    server.log.compact = () => Promise.reject(new LogUnavailableError('memory log: compaction failed; retry later'));
    const response = await fetch(`${server.url}/v1/admin/compact`, { method: 'POST' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(await response.json()).toMatchObject({ code: 'LOG_UNAVAILABLE' });
  });

  it('allows only POST', async () => {
    const response = await fetch(`${server.url}/v1/admin/compact`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(server.log.compactions).toBe(0);
  });
});
