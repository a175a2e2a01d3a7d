import { readdirSync, readFileSync } from 'node:fs';
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

/** The layers, outermost first; `main.ts` belongs to the composition root. */
const LAYERS = [
  'composition',
  'driving',
  'driven',
  'observability',
  'application',
  'platform',
  'config',
  'core',
  'api',
  'client',
];

/** What each layer may import besides itself (the arrows point inward; nothing imports composition). */
const ALLOWED: Record<string, readonly string[]> = {
  composition: ['driving', 'driven', 'observability', 'application', 'platform', 'config', 'core', 'api'],
  driving: ['application', 'platform', 'config', 'core', 'api'],
  driven: ['platform', 'config', 'core'],
  observability: ['application', 'driven', 'platform', 'config', 'core', 'api'],
  application: ['platform', 'config', 'core', 'api'],
  platform: ['config'],
  config: [],
  core: [],
  api: [],
  client: ['api'],
};

/** The layer of a path relative to src/ ('composition' for main.ts). */
function layerOf(path: string): string {
  const top = path.split('/')[0];
  return top === 'main' || top === 'main.ts' ? 'composition' : top;
}

/** The unit inside a layer whose folders are independent adapters: driving/rest, driven/file-log. */
function unitOf(path: string): string {
  return path.split('/').slice(0, 2).join('/');
}

/** A port file at the top of a layer (`frontend.port.ts`): the one thing its adapters share. */
function isPortFile(path: string): boolean {
  return /^[^/]+\/[^/]+\.port(\.ts)?$/.test(path);
}

/** Every relative import of every source file, as [importer, imported] paths relative to src/. */
function importsOf(files: string[]): Array<{ from: string; to: string; spec: string }> {
  return files.flatMap((file) =>
    specifiers(file)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => ({ from: relative(SRC, file).split(sep).join('/'), to: target(file, spec), spec })),
  );
}

describe('dependency rules', () => {
  const allFiles = typeScriptFilesUnder(SRC);
  const edges = importsOf(allFiles);
  const show = ({ from, spec }: { from: string; spec: string }) => `${from} imports '${spec}'`;

  it('finds the layers and reads their imports', () => {
    expect(allFiles.length).toBeGreaterThan(50);
    expect(specifiers(join(SRC, 'core/key-value-store.ts'))).toContain('./transaction-log.port');
    const tops = readdirSync(SRC).map((name) => name.replace(/\.ts$/, ''));
    expect(tops.filter((name) => name !== 'main').sort()).toEqual([...LAYERS].sort());
  });

  it('keeps src/core free of anything outside src/core (no npm package, no node: module)', () => {
    const offenders = typeScriptFilesUnder(join(SRC, 'core')).flatMap((file) =>
      specifiers(file)
        .filter((spec) => !spec.startsWith('.') || !target(file, spec).startsWith('core'))
        .map((spec) => `${relative(SRC, file)} imports '${spec}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('points every import inward: each layer imports only the layers it may (nothing imports composition)', () => {
    const offenders = edges.filter(({ from, to }) => {
      const [own, other] = [layerOf(from), layerOf(to)];
      return own !== other && !ALLOWED[own].includes(other);
    });
    expect(offenders.map(show)).toEqual([]);
  });

  it('keeps the adapters of one layer independent of each other: only the layer’s port files are shared', () => {
    const offenders = edges.filter(({ from, to }) => {
      const layer = layerOf(from);
      if (!['driving', 'driven', 'observability'].includes(layer) || layerOf(to) !== layer) return false;
      if (unitOf(from) === unitOf(to) || isPortFile(to)) return false;
      // Both logs share the compaction machinery (one at a time, thresholds, retries).
      return !(layer === 'driven' && unitOf(to) === 'driven/compaction');
    });
    expect(offenders.map(show)).toEqual([]);
  });

  it('keeps the application layer transport-free: no express, grpc-js or node:http in it', () => {
    const offenders = typeScriptFilesUnder(join(SRC, 'application')).flatMap((file) =>
      specifiers(file)
        .filter((spec) => /^(express|@grpc\/|node:https?$|node:http2$)/.test(spec))
        .map((spec) => `${relative(SRC, file)} imports '${spec}'`),
    );
    expect(offenders).toEqual([]);
  });

  it('lets observability see the driven layer only through its port files', () => {
    const offenders = edges.filter(
      ({ from, to }) => layerOf(from) === 'observability' && layerOf(to) === 'driven' && !isPortFile(to),
    );
    expect(offenders.map(show)).toEqual([]);
  });

  it('keeps loose files out of the layer folders: only port and index files sit directly under one', () => {
    const loose = ['application', 'driving', 'driven', 'observability', 'platform'].flatMap((layer) =>
      readdirSync(join(SRC, layer), { withFileTypes: true })
        .filter((entry) => entry.isFile() && !/(\.port|^index)\.ts$/.test(entry.name))
        .map((entry) => `${layer}/${entry.name}`),
    );
    expect(loose).toEqual([]);
  });
});
