import type { Page } from 'playwright-core';

// The functions handed to page.evaluate and waitForFunction run in the browser, whose document
// this stands for (the DOM library would change the types of Node's own globals for every test).
declare const document: any;

/** What the key list's count line says once a listing is done, e.g. "3 keys and 1 folder loaded (all loaded)". */
export async function countLine(page: Page, pattern: RegExp): Promise<string> {
  try {
    await page.waitForFunction(
      (source) => new RegExp(source).test(document.getElementById('count')?.textContent ?? ''),
      pattern.source,
      { timeout: 10_000 },
    );
  } catch (error) {
    throw new Error(
      `the count line never matched ${pattern}: "${await page.textContent('#count')}" (${String(error)})`,
    );
  }
  return (await page.textContent('#count')) ?? '';
}

/** The keys the list shows (full keys, from each row's label), in order. */
export function listedKeys(page: Page): Promise<string[]> {
  return page.$$eval('#keys button.key', (buttons) =>
    buttons.map((b) => (b.getAttribute('aria-label') ?? '').slice(4)),
  );
}

/** The folder names the list shows, in order. */
export function listedFolders(page: Page): Promise<string[]> {
  return page.$$eval('#keys button.folder', (buttons) => buttons.map((b) => b.querySelector('bdi')?.textContent ?? ''));
}

/** Waits until the list shows `key` (or, with `present` false, no longer does). */
export async function waitForKey(page: Page, key: string, present = true, timeout = 10_000): Promise<void> {
  await page.waitForFunction(
    ([wanted, shown]) =>
      [...document.querySelectorAll('#keys button.key')].some(
        (b) => b.getAttribute('aria-label') === `Key ${wanted}`,
      ) === shown,
    [key, present] as const,
    { timeout },
  );
}

/** Opens `key` from the list, and waits for the panel to show it. */
export async function openKey(page: Page, key: string): Promise<void> {
  await waitForKey(page, key);
  const index = await page.$$eval(
    '#keys button.key',
    (buttons, wanted) => buttons.findIndex((b) => b.getAttribute('aria-label') === `Key ${wanted}`),
    key,
  );
  await page.locator('#keys button.key').nth(index).click();
  await page.waitForFunction((wanted) => document.querySelector('#detail-heading bdi')?.textContent === wanted, key);
}

/** Opens a folder of the list by its name ('bulk/'). */
export async function openFolder(page: Page, name: string): Promise<void> {
  await page.getByRole('button', { name: `Folder ${name}`, exact: true }).click();
  await page.waitForFunction(
    (wanted) => document.querySelector('#breadcrumb [aria-current] bdi')?.textContent === wanted,
    name,
  );
}

/** Goes back to the root folder through the breadcrumb. */
export async function openRoot(page: Page): Promise<void> {
  const root = page.locator('#breadcrumb button.crumb').first();
  if ((await root.count()) > 0) await root.click();
  await page.waitForFunction(
    () => document.querySelector('#breadcrumb [aria-current] bdi')?.textContent === 'all keys',
  );
}
