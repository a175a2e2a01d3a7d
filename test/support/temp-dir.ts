import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A scratch directory under the OS temp dir, available inside tests. */
export interface TempDir {
  /** The directory's path (throws outside a test's lifetime). */
  readonly path: string;
}

/**
 * Creates a fresh directory named `kvs-<name>-…` for the calling test file — one per test with
 * `per: 'test'` (the default), one for the whole file with `per: 'file'` — and deletes it afterwards.
 */
export function useTempDir(name: string, per: 'test' | 'file' = 'test'): TempDir {
  let current: string | undefined;
  const [setUp, tearDown] = per === 'test' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  setUp(async () => {
    current = await mkdtemp(join(tmpdir(), `kvs-${name}-`));
  });
  tearDown(async () => {
    if (current) await rm(current, { recursive: true, force: true });
    current = undefined;
  });
  return {
    get path(): string {
      if (!current) throw new Error(`useTempDir(${name}): the directory exists only while a test runs`);
      return current;
    },
  };
}
