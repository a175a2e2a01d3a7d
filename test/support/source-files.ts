import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file below `dir`, for tests that read the sources themselves. */
export function typeScriptFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typeScriptFilesUnder(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
