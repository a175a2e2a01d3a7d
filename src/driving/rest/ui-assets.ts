import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm run build` puts the web UI (ui/build.mjs): dist/ui/, three directories above this file in src/ and in dist/. */
export const UI_ASSET_DIR = join(__dirname, '..', '..', '..', 'dist', 'ui');

/** The files of the built UI and their media types; nothing else under /ui/ is served. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** One built file, held in memory. */
export interface UiAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** A strong entity tag of the content. */
  readonly etag: string;
}

/**
 * The built UI, read once at start-up into memory: a fixed list of four small files looked up by
 * exact name. (Hand-rolled rather than serve-static: a static file server maps request paths onto
 * the file system, and dist/ also holds the service's own code; a fixed map cannot reach it.)
 * Undefined when the UI was not built.
 */
export function loadUiAssets(dir: string = UI_ASSET_DIR): ReadonlyMap<string, UiAsset> | undefined {
  const assets = new Map<string, UiAsset>();
  for (const [name, contentType] of Object.entries(FILES)) {
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name));
    } catch {
      return undefined;
    }
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    assets.set(name, { body, contentType, etag });
  }
  return assets;
}
