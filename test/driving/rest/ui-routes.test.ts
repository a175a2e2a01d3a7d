import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadUiAssets, UI_ASSET_DIR } from '../../../src/driving/rest/ui-assets';
import { goodClaims, hmacSetup } from '../../security/jwt-fixtures';
import { send } from '../../support/http-request';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';

const ASSETS = ['app.js', 'app.css', 'favicon.svg'];

describe('the web UI routes', () => {
  const setup = hmacSetup();
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcessService(setup.env);
  });

  afterAll(() => service.stop());

  it('serve the built page and assets without a token, each with the security headers', async () => {
    for (const path of ['/ui/', ...ASSETS.map((asset) => `/ui/${asset}`)]) {
      const answer = await send(`${service.restUrl}${path}`);
      expect([path, answer.status]).toEqual([path, 200]);
      const csp = String(answer.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('name the media type of each file, and answer 304 to its current ETag', async () => {
    const types = { '/ui/': 'text/html', '/ui/app.js': 'text/javascript', '/ui/app.css': 'text/css' };
    for (const [path, type] of Object.entries(types)) {
      const answer = await send(`${service.restUrl}${path}`);
      expect(String(answer.headers['content-type']).split(';')[0]).toBe(type);
      const again = await send(`${service.restUrl}${path}`, {
        headers: { 'If-None-Match': String(answer.headers.etag) },
      });
      expect([path, again.status, again.body]).toEqual([path, 304, '']);
    }
  });

  it('hold no inline script or style in the page, and load nothing from another origin', async () => {
    const page = (await send(`${service.restUrl}/ui/`)).body;
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(page).not.toMatch(/<style/i);
    expect(page).not.toMatch(/\sstyle=/i);
    expect(page).not.toMatch(/\son[a-z]+=/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i);
    const script = (await send(`${service.restUrl}/ui/app.js`)).body;
    expect(script).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
  });

  it('serve nothing else under /ui/: no other file, no way out of the built files', async () => {
    for (const path of [
      '/ui/index.html',
      '/ui/main.js',
      '/ui/..%2Fmain.js',
      '/ui/%2e%2e',
      '/ui/app.js/',
      '/ui/x/app.js',
    ]) {
      const answer = await send(`${service.restUrl}${path}`);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(JSON.parse(answer.body).code).toBe('NO_SUCH_ROUTE');
    }
  });

  it('move /ui to /ui/', async () => {
    const answer = await send(`${service.restUrl}/ui`);
    expect([answer.status, answer.headers.location]).toEqual([308, '/ui/']);
  });

  it('serve the files dist/ui holds, as ui/build.mjs built them', async () => {
    const served = await send(`${service.restUrl}/ui/app.css`);
    expect(served.body).toBe(readFileSync(join(UI_ASSET_DIR, 'app.css'), 'utf8'));
  });

  it('GET /v1/status needs kvs:read, and reports the store, the log, readiness and the version', async () => {
    expect((await send(`${service.restUrl}/v1/status`)).status).toBe(401);
    const writer = await setup.sign(goodClaims({ scope: 'kvs:write' }));
    const denied = await send(`${service.restUrl}/v1/status`, { headers: { Authorization: `Bearer ${writer}` } });
    expect(denied.status).toBe(403);
    await service.store.put('status/a', '1');
    await service.store.put('status/b', '2');
    const reader = await setup.sign(goodClaims({ scope: 'kvs:read' }));
    const answer = await send(`${service.restUrl}/v1/status`, { headers: { Authorization: `Bearer ${reader}` } });
    const version = (JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string })
      .version;
    expect(JSON.parse(answer.body)).toEqual({
      revision: service.store.revision,
      keys: service.store.size,
      log_health: 'ok',
      readiness: 'ready',
      version,
    });
    expect(service.store.size).toBeGreaterThanOrEqual(2);
  });
});

describe('KVS_UI=false', () => {
  let service: InProcessService;

  beforeAll(async () => {
    service = await startInProcessService({ KVS_UI: 'false' });
  });

  afterAll(() => service.stop());

  it('removes the UI: /ui/ and its files answer 404 NO_SUCH_ROUTE, /ui moves nowhere', async () => {
    for (const path of ['/ui/', '/ui/app.js', '/ui']) {
      const answer = await send(`${service.restUrl}${path}`);
      expect([path, answer.status, JSON.parse(answer.body).code]).toEqual([path, 404, 'NO_SUCH_ROUTE']);
      expect(answer.headers['content-security-policy']).toBeUndefined();
    }
  });
});

describe('the UI assets', () => {
  it('are none when the UI was not built (the service answers 404 and says why once)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kvs-ui-'));
    try {
      expect(loadUiAssets(empty)).toBeUndefined();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(loadUiAssets()?.size).toBe(4);
  });
});
