import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The version in package.json (three directories above this file in src/ and in dist/), or "unknown" if it cannot be read. */
export function packageVersion(): string {
  try {
    const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
