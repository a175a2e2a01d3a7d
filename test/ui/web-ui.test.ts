// The web UI in a real browser: playwright-core driving Debian's headless Chromium against the
// whole service (in process, real sockets). One browser for the file, a context per part.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, pageProblems } from '../support/browser';
import { HOSTILE_STRINGS } from '../support/hostile-strings';
import { send } from '../support/http-request';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { seedFileLog } from '../support/seed-file-log';
import { TcpProxy } from '../support/tcp-proxy';
import { useTempDir } from '../support/temp-dir';
import { countLine, listedFolders, listedKeys, openFolder, openKey, openRoot, waitForKey } from '../support/ui-page';
import { goodClaims, hmacSetup } from '../security/jwt-fixtures';

// The functions handed to page.evaluate and waitForFunction run in the browser, whose globals
// these stand for (the DOM library would change the types of Node's own globals for every test).
declare const document: any;
declare const window: any;
declare const sessionStorage: any;

/** Keys of the paged store: the million (KVS_UI_PAGED_KEYS=N for another size). */
const PAGED_KEYS = Number(process.env.KVS_UI_PAGED_KEYS ?? 1_000_000);
const bulkKey = (i: number): string => `bulk/${String(i).padStart(7, '0')}`;

/** Markup, bidi controls and a very long key, beside the shared hostile strings (those without '/'). */
const HOSTILE = [
  ...HOSTILE_STRINGS.filter((text) => !text.includes('/')),
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  '"><svg onload=window.__pwned=1>',
  "'; window.__pwned=1; '",
  '\u202Eexe.txt',
  '\u2067rtl isolate\u2069 \u200F',
  '&lt;b&gt;entity&lt;/b&gt;',
  'x'.repeat(1000),
];

jest.setTimeout(120_000);

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

/**
 * A service and a desktop-sized page of its UI for one describe block (`observe` sees the page
 * before it loads); the page must have reported no problem after each test.
 */
function useUi(start: () => Promise<InProcessService>, observe: (page: Page) => void = () => undefined) {
  const ui = {} as { service: InProcessService; context: BrowserContext; page: Page; problems: string[] };
  beforeAll(async () => {
    ui.service = await start();
    ui.context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    ui.page = await ui.context.newPage();
    ui.problems = pageProblems(ui.page);
    observe(ui.page);
    await ui.page.goto(`${ui.service.restUrl}/ui/`);
  });
  afterAll(async () => {
    await ui.context?.close();
    await ui.service?.stop();
  });
  afterEach(() => expect(ui.problems).toEqual([]));
  return ui;
}

describe('the web UI, without auth', () => {
  const dir = useTempDir('web-ui', 'file');
  const ui = useUi(() => {
    const file = join(dir.path, 'seeded.log');
    seedFileLog(file, PAGED_KEYS, bulkKey);
    return startInProcessService({ TLOG_FILENAME: file });
  });
  let service: InProcessService;
  let context: BrowserContext;
  let page: Page;

  beforeAll(() => ({ service, context, page } = ui));

  it('shows the status: revision, keys, log health, readiness, version', async () => {
    await page.waitForSelector('#status-facts [data-field="keys"]');
    expect(await page.textContent('#status-facts [data-field="keys"]')).toBe(String(PAGED_KEYS));
    expect(await page.textContent('#status-facts [data-field="revision"]')).toBe(String(service.store.revision));
    expect(await page.textContent('#status-facts [data-field="log_health"]')).toBe('ok');
    expect(await page.textContent('#status-facts [data-field="readiness"]')).toBe('ready');
    await page.waitForFunction(() => document.getElementById('live-state')?.textContent === 'live');
  });

  it('pages through a large store a page at a time, a folder as one row', async () => {
    expect(await countLine(page, /all loaded/)).toBe('0 keys and 1 folder loaded (all loaded)');
    expect(await listedFolders(page)).toEqual(['bulk/']);
    await openFolder(page, 'bulk/');
    expect(await countLine(page, /^100 keys/)).toBe('100 keys and 0 folders loaded (more to load)');
    expect(await listedKeys(page)).toEqual(Array.from({ length: 100 }, (_, i) => bulkKey(i)));
    await page.click('#more');
    expect(await countLine(page, /^200 keys/)).toBe('200 keys and 0 folders loaded (more to load)');
    expect((await listedKeys(page)).at(-1)).toBe(bulkKey(199));
  });

  it('narrows the folder with a prefix search', async () => {
    await page.fill('#search', '00012');
    await page.press('#search', 'Enter');
    expect(await countLine(page, /^100 keys/)).toBe('100 keys and 0 folders loaded (all loaded)');
    expect((await listedKeys(page)).every((key) => key.startsWith('bulk/00012'))).toBe(true);
    await page.fill('#search', '');
    await page.press('#search', 'Enter');
    await countLine(page, /more to load/);
  });

  it('creates a key, showing a JSON value pretty-printed and coloured, exactly as stored', async () => {
    await openRoot(page);
    await page.click('#new-key');
    const value = '{"list":[1,2,{"deep":null}],"big":12345678901234567890,"text":"<b>not bold</b>"}';
    await page.fill('#edit-key', 'ui/created');
    await page.fill('#edit-value', value);
    await page.click('#detail button[type="submit"]');
    await page.waitForSelector('#value-view');
    expect(service.store.get('ui/created')).toBe(value);
    expect(await page.textContent('#version')).toBe('1');
    expect(await page.textContent('#ttl')).toBe('none');
    expect(await page.$$eval('#value-view .json-key', (keys) => keys.map((key) => key.textContent))).toEqual([
      '"list"',
      '"deep"',
      '"big"',
      '"text"',
    ]);
    const shown = (await page.textContent('#value-view')) ?? '';
    expect(shown).toContain('12345678901234567890');
    expect(shown.split('\n').length).toBeGreaterThan(5);
    expect(await page.$$('#value-view b')).toHaveLength(0);
    // The root listing followed the write: the new folder is there.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#keys button.folder bdi')].some((b) => b.textContent === 'ui/'),
    );
  });

  it('edits a key with If-Match, and sets a TTL on save', async () => {
    const before = service.store.getEntry('ui/created').modRevision;
    await page.click('#detail button:text-is("Edit")');
    await page.fill('#edit-value', 'second');
    await page.fill('#edit-ttl', '1h');
    await page.click('#detail button[type="submit"]');
    await page.waitForFunction(() => document.getElementById('value-view')?.textContent === 'second');
    const entry = service.store.getEntry('ui/created');
    expect([entry.value, entry.version, entry.modRevision > before]).toEqual(['second', 2, true]);
    expect(entry.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    expect(await page.textContent('#ttl')).toMatch(/^3[56]\d\d s$/);
  });

  it('shows both values when the key changed meanwhile: reload, or overwrite', async () => {
    await page.click('#detail button:text-is("Edit")');
    await page.fill('#edit-value', 'mine');
    await service.store.put('ui/created', 'theirs');
    await page.waitForSelector('#detail .notice:not([hidden])');
    await page.click('#detail button[type="submit"]');
    await page.waitForSelector('#conflict-mine');
    expect(await page.textContent('#conflict-mine')).toBe('mine');
    expect(await page.textContent('#conflict-current')).toBe('theirs');
    await page.click('#detail button:text-is("Reload current")');
    await page.waitForFunction(() => document.getElementById('value-view')?.textContent === 'theirs');
    expect(service.store.get('ui/created')).toBe('theirs');

    await page.click('#detail button:text-is("Edit")');
    await page.fill('#edit-value', 'mine again');
    await service.store.put('ui/created', 'theirs again');
    await page.click('#detail button[type="submit"]');
    await page.waitForSelector('#conflict-current');
    expect(await page.textContent('#conflict-current')).toBe('theirs again');
    await page.click('#detail button:text-is("Overwrite with mine")');
    await page.waitForFunction(() => document.getElementById('value-view')?.textContent === 'mine again');
    expect(service.store.get('ui/created')).toBe('mine again');
  });

  it('deletes a key after a confirmation', async () => {
    await page.click('#detail button:text-is("Delete")');
    expect(service.store.read('ui/created').entry).toBeDefined();
    await page.click('#detail button:text-is("Yes, delete")');
    await page.waitForSelector('#detail .gone');
    expect(service.store.read('ui/created').entry).toBeUndefined();
    // The folder held only that key: its row goes too.
    await page.waitForFunction(
      () => ![...document.querySelectorAll('#keys button.folder bdi')].some((b) => b.textContent === 'ui/'),
    );
  });

  it("follows another client's writes and deletes live, in the list and in the key shown", async () => {
    const other = (method: string, path: string, body?: string) => send(`${service.restUrl}${path}`, { method, body });
    expect((await other('PUT', '/v1/key/live-key', 'first')).status).toBe(201);
    await openKey(page, 'live-key');
    expect(await page.textContent('#value-view')).toBe('first');
    await other('PUT', '/v1/key/live-key', 'changed elsewhere');
    await page.waitForFunction(() => document.getElementById('value-view')?.textContent === 'changed elsewhere');
    expect(await page.textContent('#version')).toBe('2');
    await other('DELETE', '/v1/key/live-key');
    await waitForKey(page, 'live-key', false);
    await page.waitForSelector('#detail .gone');
  });

  it('resumes a dropped live stream from the last revision it saw, missing nothing', async () => {
    const proxy = await TcpProxy.start('127.0.0.1', Number(new URL(service.restUrl).port));
    const dropped = await context.newPage();
    const watches: URL[] = [];
    dropped.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/watch') watches.push(url);
    });
    try {
      await dropped.goto(`http://127.0.0.1:${proxy.port}/ui/`);
      await countLine(dropped, /loaded/);
      await dropped.waitForFunction(() => document.getElementById('live-state')?.textContent === 'live');
      const seen = service.store.revision;
      await proxy.cut();
      await dropped.waitForFunction(() => document.getElementById('live-state')?.textContent === 'reconnecting…');
      await service.store.put('written-while-down', 'not missed');
      await proxy.restore();
      await waitForKey(dropped, 'written-while-down');
      expect(watches.length).toBeGreaterThanOrEqual(2);
      expect(watches.map((url) => Number(url.searchParams.get('start_revision')))).toEqual(watches.map(() => seen + 1));
    } finally {
      await dropped.close();
      await proxy.cut();
    }
    await service.store.delete('written-while-down');
  });

  it('counts a TTL down, and drops the key when it expires', async () => {
    expect(
      (await send(`${service.restUrl}/v1/key/short-lived?ttl=3s`, { method: 'PUT', body: 'soon gone' })).status,
    ).toBe(201);
    await openKey(page, 'short-lived');
    expect(await page.textContent('#ttl')).toMatch(/^[1-3] s$/);
    await waitForKey(page, 'short-lived', false, 15_000);
    await page.waitForSelector('#detail .gone');
    expect(service.store.read('short-lived').entry).toBeUndefined();
  });

  it('renders hostile keys and values as text: nothing injected, no script run', async () => {
    // As keys, those without '/' (a '/' makes a folder); as values, all of them.
    const keys = HOSTILE.filter((text) => !text.includes('/'));
    for (const text of keys) await service.store.put(`hostile/${text}`, 'a hostile key');
    for (const [i, text] of HOSTILE.entries()) await service.store.put(`hostile/value ${i}`, text);
    await openRoot(page);
    await openFolder(page, 'hostile/');
    await countLine(page, new RegExp(`^${keys.length + HOSTILE.length} keys`));
    const names = await page.$$eval('#keys button.key bdi', (bdis) => bdis.map((bdi) => bdi.textContent));
    expect(keys.every((key) => names.includes(key))).toBe(true);
    for (const key of keys) {
      await openKey(page, `hostile/${key}`);
      expect(await page.textContent('#value-view')).toBe('a hostile key');
    }
    for (const [i, text] of HOSTILE.entries()) {
      await openKey(page, `hostile/value ${i}`);
      expect([i, await page.textContent('#value-view')]).toEqual([i, text]);
    }
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(await page.$$('main img, main svg, main script, main b, header img')).toHaveLength(0);
    expect(await page.$$eval('script', (scripts) => scripts.map((script) => script.getAttribute('src')))).toEqual([
      'app.js',
    ]);
  });

  it('is keyboard navigable, with every control labelled', async () => {
    await page.focus('#keys button.key');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'detail-heading');
    const unlabelled = await page.$$eval('input, textarea, select, button', (controls) =>
      controls
        .filter((control) => {
          const labelled = (control as any).labels?.length || control.getAttribute('aria-label');
          return !labelled && !(control.textContent ?? '').trim();
        })
        .map((control) => control.outerHTML),
    );
    expect(unlabelled).toEqual([]);
  });

  it('fits a narrow (mobile) viewport: no sideways scrolling, the key panel below the list', async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 375, height: 740 });
    await narrow.goto(`${service.restUrl}/ui/`);
    await countLine(narrow, /loaded/);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const list = await narrow.locator('#keys').boundingBox();
    const panel = await narrow.locator('#detail').boundingBox();
    expect(panel!.y).toBeGreaterThan(list!.y);
    await narrow.close();
  });
});

describe('the web UI, with auth and a prefix-limited token', () => {
  const setup = hmacSetup();
  const sentAuthorization: string[] = [];
  const ui = useUi(
    async () => {
      const started = await startInProcessService(setup.env);
      await started.store.put('mine/a', 'visible');
      await started.store.put('other/secret', 'hidden');
      return started;
    },
    (page) =>
      page.on('request', (request) => {
        if (new URL(request.url()).pathname.startsWith('/v1/'))
          sentAuthorization.push(request.headers().authorization ?? '');
      }),
  );
  let service: InProcessService;
  let context: BrowserContext;
  let page: Page;

  beforeAll(() => ({ service, context, page } = ui));

  it('asks for a token, saying the service answered 401', async () => {
    await page.waitForSelector('#token-dialog[open]');
    expect(await page.textContent('#token-reason')).toContain('401 UNAUTHENTICATED');
    expect(await page.textContent('#message')).toContain('401 UNAUTHENTICATED');
  });

  it('shows only what the token may read, sending it as a bearer header, never in a URL or a cookie', async () => {
    const token = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write', kvs_prefixes: ['mine/'] }));
    await page.fill('#token-input', token);
    await page.click('#token-dialog button[type="submit"]');
    expect(await countLine(page, /all loaded/)).toBe('0 keys and 1 folder loaded (all loaded)');
    expect(await listedFolders(page)).toEqual(['mine/']);
    await openFolder(page, 'mine/');
    await openKey(page, 'mine/a');
    expect(await page.textContent('#value-view')).toBe('visible');
    expect(await page.evaluate(() => sessionStorage.getItem('kvs.token'))).toBe(token);
    expect(await context.cookies()).toEqual([]);
    expect(page.url()).not.toContain(token);
    expect(sentAuthorization.filter((header) => header === `Bearer ${token}`).length).toBeGreaterThan(2);
  });

  it('follows live changes through the watch with the bearer header', async () => {
    await page.waitForFunction(() => document.getElementById('live-state')?.textContent === 'live');
    await service.store.put('mine/new', 'arrived');
    await waitForKey(page, 'mine/new');
    await service.store.put('other/new', 'not for this token');
    await service.store.put('mine/after', 'after');
    await waitForKey(page, 'mine/after');
    expect(await listedKeys(page)).toEqual(['mine/a', 'mine/after', 'mine/new']);
  });

  it('shows a 403 plainly when the token may not write the key', async () => {
    await page.click('#new-key');
    await page.fill('#edit-key', 'other/x');
    await page.fill('#edit-value', 'no');
    await page.click('#detail button[type="submit"]');
    await page.waitForFunction(() =>
      document.getElementById('message')?.textContent?.includes('403 PERMISSION_DENIED'),
    );
    expect(await page.isVisible('#message')).toBe(true);
    expect(service.store.read('other/x').entry).toBeUndefined();
  });

  it('forgets the token on request, and asks again', async () => {
    await page.click('#token-forget');
    await page.waitForSelector('#token-dialog[open]');
    expect(await page.evaluate(() => sessionStorage.getItem('kvs.token'))).toBeNull();
  });
});
