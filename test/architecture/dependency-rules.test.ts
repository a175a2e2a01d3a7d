import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { typeScriptFilesUnder } from '../support/source-files';

const SRC = resolve(__dirname, '../../src');

/** Every module specifier a file names: static imports, re-exports, require() and import(). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const pattern = /(?:\bfrom\s*|\bimport\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((match) => match[1]);
}

/** Where a relative specifier points, as a path relative to src/ ('' for npm or node: modules). */
function target(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return '';
  return relative(SRC, resolve(dirname(file), specifier))
    .split(sep)
    .join('/');
}

describe('dependency rules', () => {
  const coreFiles = typeScriptFilesUnder(join(SRC, 'core'));

  it('finds the core and reads its imports', () => {
    expect(coreFiles.length).toBeGreaterThan(3);
    expect(specifiers(join(SRC, 'core/key-value-store.ts'))).toContain('./transaction-logger.port');
  });

  it('keeps src/core free of anything outside src/core (no npm package, no node: module)', () => {
    const offenders = coreFiles.flatMap((file) =>
      specifiers(file)
        .filter((spec) => !spec.startsWith('.') || !target(file, spec).startsWith('core'))
        .map((spec) => `${relative(SRC, file)} imports '${spec}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps each adapter independent of the other adapters and of the composition root', () => {
    const adaptersDir = join(SRC, 'adapters');
    const offenders = typeScriptFilesUnder(adaptersDir).flatMap((file) => {
      const own = relative(adaptersDir, file).split(sep)[0];
      return specifiers(file)
        .map((spec) => ({ spec, to: target(file, spec) }))
        .filter(({ spec, to }) => {
          if (!spec.startsWith('.')) return false;
          if (to === 'main' || to === 'container' || to.startsWith('composition')) return true;
          const [top, adapter] = to.split('/');
          // Adapters may use the core, the API contract, the config reader and the shared files
          // at the top of src/adapters (the Frontend interface, the logger type, error text),
          // but no other adapter's folder and not the client.
          const sharedFile = existsSync(join(SRC, 'adapters', `${adapter}.ts`));
          return (top === 'adapters' && adapter !== own && !sharedFile) || top === 'client';
        })
        .map(({ spec }) => `${relative(SRC, file)} imports '${spec}'`);
    });
    expect(offenders).toEqual([]);
  });

  it('lets only the composition root (main, container, composition/) import adapters', () => {
    const outside = ['core', 'api', 'client', 'config'].flatMap((dir) => typeScriptFilesUnder(join(SRC, dir)));
    const offenders = outside.flatMap((file) =>
      specifiers(file)
        .filter((spec) => target(file, spec).startsWith('adapters'))
        .map((spec) => `${relative(SRC, file)} imports '${spec}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the client and the CLI on the API contract: no core, adapters, config or composition root', () => {
    const offenders = typeScriptFilesUnder(join(SRC, 'client')).flatMap((file) =>
      specifiers(file)
        .map((spec) => ({ spec, to: target(file, spec) }))
        .filter(({ spec, to }) => spec.startsWith('.') && !to.startsWith('api') && !to.startsWith('client'))
        .map(({ spec }) => `${relative(SRC, file)} imports '${spec}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps the API contract free of everything but itself and npm packages', () => {
    const offenders = typeScriptFilesUnder(join(SRC, 'api')).flatMap((file) =>
      specifiers(file)
        .filter((spec) => spec.startsWith('.') && !target(file, spec).startsWith('api'))
        .map((spec) => `${relative(SRC, file)} imports '${spec}'`),
    );
    expect(offenders).toEqual([]);
  });
});
