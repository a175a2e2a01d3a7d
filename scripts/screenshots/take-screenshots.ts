// Regenerates the web UI's screenshots in docs/ (`npm run screenshots`): the built service
// (dist/main.js) with a small example store, Debian's Chromium driven by playwright-core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../../test/support/browser';
import { startService, type ServiceProcess } from '../../test/support/service-process';
import { countLine, openFolder, openKey } from '../../test/support/ui-page';
import { goodClaims, hmacSetup } from '../../test/security/jwt-fixtures';

/** The repository, from scripts/screenshots/.build/scripts/screenshots/. */
const ROOT = join(__dirname, '..', '..', '..', '..', '..');
const DOCS = join(ROOT, 'docs');

/** The built service on free ports, its file log at `file`. */
function serve(file: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  return startService(
    {
      FRONTEND_TYPE: 'rest',
      KVS_HTTP_PORT: '0',
      TLOG_FILENAME: file,
      TLOG_SYNC: 'never',
      ...env,
    },
    join(ROOT, 'dist', 'main.js'),
  );
}

async function put(service: ServiceProcess, key: string, value: string, ttl?: string): Promise<void> {
  const query = ttl === undefined ? '' : `?ttl=${ttl}`;
  const answer = await fetch(`${service.restUrl}/v1/key/${encodeURIComponent(key)}${query}`, {
    method: 'PUT',
    body: value,
  });
  if (answer.status !== 201) throw new Error(`PUT ${key}: ${answer.status}`);
}

const EXAMPLE: Record<string, string> = {
  'config/app/feature-flags': JSON.stringify({
    checkout: { enabled: true, rollout: 0.25 },
    search: { enabled: false },
  }),
  'config/app/timeouts': JSON.stringify({ connectMs: 500, readMs: 2000 }),
  'config/db/primary': 'postgres://db-1.internal:5432/app',
  'services/web/endpoint': 'http://10.0.0.12:8080',
  'services/api/endpoint': 'http://10.0.0.13:8080',
  'users/1001/profile': JSON.stringify({ name: 'Ada', roles: ['admin'], since: 2019 }),
  'users/1002/profile': JSON.stringify({ name: 'Grace', roles: ['dev'], since: 2021 }),
  motd: 'Deploy freeze on Friday',
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-screenshots-'));
  const service = await serve(join(dir, 'example.log'));
  const browser = await launchChromium();
  try {
    for (const [key, value] of Object.entries(EXAMPLE)) await put(service, key, value);
    await put(service, 'sessions/4f1c', 'user=1001', '15m');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${service.restUrl}/ui/`);
    await countLine(page, /all loaded/);
    await openFolder(page, 'config/');
    await openFolder(page, 'app/');
    await openKey(page, 'config/app/feature-flags');
    await page.screenshot({ path: join(DOCS, 'ui-browse.png') });

    await page.click('#detail button:text-is("Edit")');
    await page.fill(
      '#edit-value',
      JSON.stringify({ checkout: { enabled: true, rollout: 0.5 }, search: { enabled: true } }),
    );
    await page.fill('#edit-ttl', '');
    await page.screenshot({ path: join(DOCS, 'ui-edit.png') });
    await put(service, 'config/app/feature-flags', JSON.stringify({ checkout: { enabled: false } }));
    await page.click('#detail button[type="submit"]');
    await page.waitForSelector('#conflict-current');
    await page.screenshot({ path: join(DOCS, 'ui-conflict.png') });

    const mobile = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
    await mobile.goto(`${service.restUrl}/ui/`);
    await countLine(mobile, /all loaded/);
    await openFolder(mobile, 'sessions/');
    await openKey(mobile, 'sessions/4f1c');
    await mobile.screenshot({ path: join(DOCS, 'ui-mobile.png'), fullPage: true });
  } finally {
    service.process.kill('SIGTERM');
    await service.exited();
  }
  const setup = hmacSetup();
  const secured = await serve(join(dir, 'secured.log'), setup.env);
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${secured.restUrl}/ui/`);
    await page.waitForSelector('#token-dialog[open]');
    await page.fill('#token-input', await setup.sign(goodClaims({ scope: 'kvs:read' })));
    await page.screenshot({ path: join(DOCS, 'ui-token.png') });
  } finally {
    secured.process.kill('SIGTERM');
    await secured.exited();
    setup.remove();
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
