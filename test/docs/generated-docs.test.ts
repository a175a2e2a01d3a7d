import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KVS_ERROR_CODES } from '../../src/api/error-codes';
import { GRPC_STATUS_BY_CODE } from '../../src/driving/grpc';
import { ERRORS_DOC, renderErrorsDoc } from '../../scripts/docs/errors-doc';
import { CONFIGURATION_DOC, renderConfigurationDoc } from '../../scripts/docs/configuration-doc';
import { VARIABLES } from '../../src/config/variables';
import { typeScriptFilesUnder } from '../support/source-files';

const ROOT = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('generated docs', () => {
  it('docs/errors.md is what `npm run docs` writes from the error tables', () => {
    expect(read(ERRORS_DOC)).toBe(renderErrorsDoc());
    for (const code of KVS_ERROR_CODES) expect(read(ERRORS_DOC)).toContain(`| \`${code}\` |`);
  });

  it('the proto comment lists every code a gRPC client can see in kvs-error-code', () => {
    const proto = read('proto/keyvalue.proto');
    const comment = proto.slice(proto.indexOf('`kvs-error-code`'), proto.indexOf('syntax = '));
    const listed = new Set(comment.match(/\b[A-Z]+(?:_[A-Z]+)+\b|\b[A-Z]{4,}\b/g));
    expect(Object.keys(GRPC_STATUS_BY_CODE).filter((code) => !listed.has(code))).toEqual([]);
  });
});

describe('the variable declarations', () => {
  const sources = (dir: string) => typeScriptFilesUnder(join(ROOT, dir)).map((file) => readFileSync(file, 'utf8'));
  const namesIn = (texts: string[], pattern: RegExp) =>
    new Set(texts.flatMap((text) => [...text.matchAll(pattern)].map((m) => m[1])));
  /** The names the service reads through EnvReader (and the on/off switches read by name). */
  const serviceReads = namesIn(sources('src'), /(?:env\.\w+|readSwitch)\(\s*(?:env,\s*)?'([A-Z][A-Z0-9_]+)'/g);
  /** The names the CLI reads from its environment object. */
  const cliReads = namesIn(sources('src/client'), /\benv\.([A-Z][A-Z0-9_]+)\b/g);

  it('docs/configuration.md is what `npm run docs` writes from them', () => {
    expect(read(CONFIGURATION_DOC)).toBe(renderConfigurationDoc());
  });

  it('declare each variable once', () => {
    const names = VARIABLES.map((variable) => variable.name);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('match what the service reads: every read is declared, every service declaration is read', () => {
    expect(serviceReads.size).toBeGreaterThan(30);
    const service = VARIABLES.filter((variable) => variable.readBy !== 'cli').map((variable) => variable.name);
    expect([...serviceReads].filter((name) => !service.includes(name))).toEqual([]);
    expect(service.filter((name) => !serviceReads.has(name))).toEqual([]);
  });

  it('match what the CLI reads', () => {
    expect(cliReads.size).toBeGreaterThan(3);
    const cli = VARIABLES.filter((variable) => variable.readBy !== 'service').map((variable) => variable.name);
    expect([...cliReads].filter((name) => !cli.includes(name))).toEqual([]);
    expect(cli.filter((name) => !cliReads.has(name))).toEqual([]);
  });
});
