import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, which playwright-core drives (it downloads no browser of its own). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Launches Debian's headless Chromium, or fails with one line naming the package to install.
 * Root cannot use Chromium's sandbox, hence --no-sandbox (the pages are this repo's own UI).
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} not found: install the Debian package chromium (apt-get install -y chromium)`);
  }
  const root = process.getuid?.() === 0;
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: root ? ['--no-sandbox'] : [] });
}

/** What a page reported that a test must not see: uncaught errors and Content-Security-Policy violations. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    // A refused request is logged by the browser itself ("Failed to load resource: ... 401"); the
    // page shows it plainly, which the tests check. Anything else logged as an error is a problem.
    if (message.type() === 'error' && !text.startsWith('Failed to load resource')) problems.push(`console: ${text}`);
  });
  return problems;
}
