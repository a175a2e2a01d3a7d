import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const COMMITTED = 'src/api/generated';

function readTree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) files[name] = readFileSync(path.join(dir, name), 'utf8');
  return files;
}

describe('generated TypeScript stubs', () => {
  let outDir: string;

  beforeAll(() => {
    outDir = mkdtempSync(path.join(tmpdir(), 'kvs-stubs-'));
  });

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it(`are what "npm run proto:gen" produces from proto/ (run it and commit ${COMMITTED} if this fails)`, () => {
    const script: string = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts['proto:gen'];
    const [command, ...args] = script.split(/\s+/);
    expect(command).toBe('proto-loader-gen-types');
    expect(args).toContain(`--outDir=${COMMITTED}`);
    // The very command of the npm script, writing to a scratch directory instead.
    const scratchArgs = args.map((arg) => (arg === `--outDir=${COMMITTED}` ? `--outDir=${outDir}` : arg));
    execFileSync(path.join(ROOT, 'node_modules/.bin/proto-loader-gen-types'), scratchArgs, { cwd: ROOT });

    const fresh = readTree(outDir);
    expect(Object.keys(fresh)).toContain('KeyValue.ts');
    expect(readTree(path.join(ROOT, COMMITTED))).toEqual(fresh);
  });
});
