import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KVS_ERROR_CODES } from '../../src/api/error-codes';
import { GRPC_STATUS_BY_CODE } from '../../src/driving/grpc';
import { ERRORS_DOC, renderErrorsDoc } from '../../scripts/docs/errors-doc';

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
