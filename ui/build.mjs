// Builds the web UI into dist/ui/ (part of `npm run build`): esbuild bundles ui/src/main.ts into
// one script, the page, style sheet and icon are copied as they are. No CDN, nothing at run time.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'dist', 'ui');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'main.ts')],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  legalComments: 'none',
  outfile: join(out, 'app.js'),
  logLevel: 'warning',
});
cpSync(join(here, 'static'), out, { recursive: true });
