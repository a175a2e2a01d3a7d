import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPENAPI_DOCUMENT, OPENAPI_LIMITS } from '../../../src/api/openapi';
import { OperationTable } from '../../../src/application/operations';
import { DEFAULT_RANGE_LIMIT, MAX_RANGE_LIMIT, MAX_TXN_OPS } from '../../../src/core';
import { documentRef, openApiValidator } from '../../../src/driving/rest/openapi-schemas';
import { goodClaims, hmacSetup } from '../../security/jwt-fixtures';
import { send, type HttpAnswer } from '../../support/http-request';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';
import { useTempDir } from '../../support/temp-dir';

const VALIDATE_CLI = require.resolve('@seriousme/openapi-schema-validator/bin/validate-api-cli.js');
const document = OPENAPI_DOCUMENT as unknown as { paths: Record<string, Record<string, any>> };
const ajv = openApiValidator({ allErrors: true });

/** The document's path template of an express route ('/v1/key/:key' -> '/v1/key/{key}'). */
const templateOf = (route: string) => route.replace(/:([a-z]+)/g, '{$1}');

/** Every operation of the document, as 'METHOD /template'. */
function documentedOperations(): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item)
      .filter((field) => field !== 'parameters')
      .map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The part of the document a `$ref` points at (or the object itself), with the path to it. */
function resolve(value: any, path: string[]): { value: any; path: string[] } {
  if (value?.$ref === undefined) return { value, path };
  const target = (value.$ref as string).slice(2).split('/');
  return { value: target.reduce((node: any, name) => node[name], OPENAPI_DOCUMENT), path: target };
}

/** Every problem of a real answer against the document: an undocumented status, a header or body off its schema. */
function problemsOf(method: string, template: string, answer: HttpAnswer): string[] {
  const operation = document.paths[template]?.[method.toLowerCase()];
  if (operation === undefined) return [`${method} ${template} is not documented`];
  const status = String(answer.status);
  if (operation.responses[status] === undefined) return [`${method} ${template} ${status} is not documented`];
  const response = resolve(operation.responses[status], ['paths', template, method.toLowerCase(), 'responses', status]);
  const problems: string[] = [];
  const check = (path: string[], data: unknown, what: string) => {
    const validate = ajv.getSchema(documentRef(...path)) ?? ajv.compile({ $ref: documentRef(...path) });
    if (!validate(data)) problems.push(`${method} ${template} ${status} ${what}: ${ajv.errorsText(validate.errors)}`);
  };
  for (const [name, spec] of Object.entries<any>(response.value.headers ?? {})) {
    const header = resolve(spec, [...response.path, 'headers', name]);
    const value = answer.headers[name.toLowerCase()];
    if (value !== undefined) check([...header.path, 'schema'], value, `header ${name}`);
  }
  const content = response.value.content as Record<string, unknown> | undefined;
  if (content === undefined || method === 'HEAD' || answer.status === 304) return problems;
  const media = String(answer.headers['content-type']).split(';')[0];
  if (content[media] === undefined) return [...problems, `${method} ${template} ${status}: undocumented ${media}`];
  const body = media === 'application/json' ? JSON.parse(answer.body) : answer.body;
  check([...response.path, 'content', media, 'schema'], body, 'body');
  return problems;
}

describe('the OpenAPI document', () => {
  const dir = useTempDir('openapi');

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const file = join(dir.path, 'openapi.json');
    writeFileSync(file, JSON.stringify(OPENAPI_DOCUMENT));
    const { stdout } = await promisify(execFile)(process.execPath, [VALIDATE_CLI, file]).catch(
      (failed: { stdout: string }) => failed,
    );
    expect(JSON.parse(stdout)).toEqual({ valid: true });
  });

  it("states the core's limits", () => {
    expect(OPENAPI_LIMITS).toEqual({ MAX_RANGE_LIMIT, DEFAULT_RANGE_LIMIT, MAX_TXN_OPS });
  });

  it('documents every REST row of the operation table, and nothing else', () => {
    const rows = new OperationTable().rows.flatMap((row) =>
      (row.rest?.methods ?? []).map((method) => `${method} ${templateOf(row.rest!.path)}`),
    );
    expect(documentedOperations().sort()).toEqual([...rows].sort());
  });
});

describe('real answers of every route', () => {
  const setup = hmacSetup();
  let service: InProcessService;
  let token: string;
  let restricted: string;
  const answers: { method: string; template: string; answer: HttpAnswer }[] = [];

  beforeAll(async () => {
    service = await startInProcessService({ ...setup.env, KVS_MAX_VALUE_BYTES: '64', KVS_MAX_READ_WAIT_MS: '20' });
    token = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write kvs:admin kvs:metrics' }));
    restricted = await setup.sign(goodClaims({ scope: 'kvs:read kvs:write', kvs_prefixes: ['mine/'] }));
  });

  afterAll(async () => {
    await service.stop();
  });

  async function call(
    method: string,
    template: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string>; auth?: string | null } = {},
  ): Promise<HttpAnswer> {
    const auth = options.auth === undefined ? token : options.auth;
    const body =
      options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers = { ...(auth === null ? {} : { Authorization: `Bearer ${auth}` }), ...options.headers };
    const answer = await send(`${service.restUrl}${path}`, { method, headers, body: body });
    answers.push({ method, template, answer });
    return answer;
  }

  it('match the document: statuses, headers and bodies', async () => {
    const key = '/v1/key/{key}';
    const put = await call('PUT', key, '/v1/key/k', { body: 'v' });
    const etag = String(put.headers.etag);
    await call('PUT', key, '/v1/key/k', { body: 'v', headers: { 'If-Match': '"999"' } });
    await call('PUT', key, '/v1/key/k', { body: 'v', headers: { 'If-Match': 'nope' } });
    await call('PUT', key, '/v1/key/k', { body: 'x'.repeat(65) });
    await call('PUT', key, '/v1/key/k', { body: 'v', auth: null });
    await call('PUT', key, '/v1/key/other', { body: 'v', auth: restricted });
    await call('GET', key, '/v1/key/k');
    await call('GET', key, '/v1/key/k', { headers: { 'If-None-Match': etag } });
    await call('GET', key, '/v1/key/absent');
    // Read consistency (docs/scale-out.md): a revision reached, the head, one never reached in time, a bad one.
    const written = String(put.headers['x-kvs-revision']);
    await call('GET', key, '/v1/key/k?linearizable=true', { headers: { 'X-Kvs-Min-Revision': written } });
    await call('GET', key, '/v1/key/k', { headers: { 'X-Kvs-Min-Revision': '999999' } });
    await call('GET', key, '/v1/key/k', { headers: { 'X-Kvs-Min-Revision': 'soon' } });
    await call('GET', '/v1/keys', '/v1/keys?prefix=&linearizable=true', { headers: { 'X-Kvs-Min-Revision': written } });
    await call('GET', '/v1/keys', '/v1/keys?prefix=', { headers: { 'X-Kvs-Min-Revision': '999999' } });
    await call('HEAD', key, '/v1/key/k');
    await call('HEAD', key, '/v1/key/absent');
    await call('DELETE', key, '/v1/key/k', { headers: { 'If-Match': '"999"' } });
    await call('DELETE', key, '/v1/key/k');
    await call('PUT', key, '/v1/key/mine%2Fa', { body: 'a' });
    await call('GET', '/v1/keys', '/v1/keys?prefix=');
    await call('GET', '/v1/keys', '/v1/keys?prefix=&keys_only=true&limit=1');
    await call('GET', '/v1/keys', '/v1/keys?limit=5000');
    await call('GET', '/v1/keys', '/v1/keys?prefix=', { auth: null });
    await call('HEAD', '/v1/keys', '/v1/keys?prefix=');
    await call('DELETE', '/v1/keys', '/v1/keys?prefix=', { auth: restricted });
    await call('DELETE', '/v1/keys', '/v1/keys?prefix=');
    await call('DELETE', '/v1/keys', '/v1/keys?prefix=nothing');
    const txn = {
      compare: [{ key: 'mine/a', target: 'exists', op: '==', value: true }],
      success: [{ put: { key: 'mine/b', value: 'b' } }, { delete: { key: 'mine/a' } }, { get: { key: 'mine/b' } }],
      failure: [{ get: { key: 'mine/a' } }],
    };
    await call('POST', '/v1/txn', '/v1/txn', { body: txn });
    await call('POST', '/v1/txn', '/v1/txn', { body: txn });
    await call('POST', '/v1/txn', '/v1/txn', { body: '{"success": 1}' });
    await call('POST', '/v1/txn', '/v1/txn', { body: 'x'.repeat(2 * 1024 * 1024) });
    await call('POST', '/v1/txn', '/v1/txn', { body: { success: [{ put: { key: 'k', value: 'x'.repeat(65) } }] } });
    await call('GET', '/v1/watch', '/v1/watch?key=k&key=j');
    const granted = await call('POST', '/v1/leases', '/v1/leases', { body: { ttl: '1h' } });
    const lease = (JSON.parse(granted.body) as { id: string }).id;
    await call('POST', '/v1/leases', '/v1/leases', { body: { ttl: 'forever' } });
    await call('PUT', key, `/v1/key/leased?lease=${lease}`, { body: 'v' });
    const timedTxn = {
      success: [{ put: { key: 'mine/t', value: 't', ttl: '1h' } }, { put: { key: 'mine/l', value: 'l', lease } }],
    };
    await call('POST', '/v1/txn', '/v1/txn', { body: timedTxn });
    await call('POST', '/v1/txn', '/v1/txn', { body: { success: [{ put: { key: 'mine/s', value: 's', ttl: 30 } }] } });
    await call('POST', '/v1/txn', '/v1/txn', { body: { success: [{ put: { key: 'k', value: 'v', ttl: 0 } }] } });
    await call('POST', '/v1/txn', '/v1/txn', {
      body: { success: [{ put: { key: 'k', value: 'v', ttl: '1h', lease } }] },
    });
    await call('GET', '/v1/keys', '/v1/keys?prefix=mine%2Ft');
    // The lease holds `leased`, outside the restricted token's prefixes: its revoke is refused.
    await call('DELETE', '/v1/leases/{id}', `/v1/leases/${lease}`, { auth: restricted });
    await call('PUT', key, '/v1/key/timed?ttl=1h', { body: 'v' });
    await call('GET', key, '/v1/key/timed');
    await call('GET', key, '/v1/key/leased');
    await call('GET', '/v1/keys', '/v1/keys?prefix=timed');
    await call('POST', '/v1/leases/{id}/keepalive', `/v1/leases/${lease}/keepalive`);
    await call('GET', '/v1/leases/{id}', `/v1/leases/${lease}`);
    await call('DELETE', '/v1/leases/{id}', `/v1/leases/${lease}`);
    await call('GET', '/v1/leases/{id}', `/v1/leases/${lease}`);
    const snapshot = await fetch(`${service.restUrl}/v1/admin/snapshot`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    await snapshot.arrayBuffer();
    answers.push({
      method: 'GET',
      template: '/v1/admin/snapshot',
      answer: { status: snapshot.status, headers: Object.fromEntries(snapshot.headers), body: '' },
    });
    await call('GET', '/v1/admin/snapshot', '/v1/admin/snapshot', { auth: restricted });
    await call('POST', '/v1/admin/compact', '/v1/admin/compact');
    await call('POST', '/v1/admin/compact', '/v1/admin/compact', { auth: restricted });
    await call('GET', '/metrics', '/metrics');
    await call('HEAD', '/metrics', '/metrics');
    await call('HEAD', '/openapi.json', '/openapi.json', { auth: null });
    await call('GET', '/openapi.json', '/openapi.json', { auth: null });
    for (const probe of ['/livez', '/healthz', '/readyz']) await call('GET', probe, probe, { auth: null });
    await call('GET', '/v1/status', '/v1/status', { auth: restricted });
    await call('GET', '/v1/status', '/v1/status', { auth: null });
    const page = await call('GET', '/ui/', '/ui/', { auth: null });
    await call('GET', '/ui/', '/ui/', { auth: null, headers: { 'If-None-Match': String(page.headers.etag) } });
    await call('HEAD', '/ui/', '/ui/', { auth: null });
    for (const asset of ['app.js', 'app.css', 'favicon.svg', 'index.html'])
      await call('GET', '/ui/{asset}', `/ui/${asset}`, { auth: null });
    await call('HEAD', '/ui/{asset}', '/ui/app.js', { auth: null });

    // A watch never ends by itself: its first event is enough.
    const watch = await fetch(`${service.restUrl}/v1/watch?prefix=&start_revision=1`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const reader = watch.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    answers.push({
      method: 'GET',
      template: '/v1/watch',
      answer: { status: watch.status, headers: Object.fromEntries(watch.headers), body: first },
    });

    expect(answers.flatMap(({ method, template, answer }) => problemsOf(method, template, answer))).toEqual([]);
    // Every documented operation was exercised, and the statuses clients act on were seen.
    const seen = new Set(answers.map(({ method, template }) => `${method} ${template}`));
    expect(documentedOperations().filter((operation) => !seen.has(operation))).toEqual([]);
    const statuses = new Set(answers.map(({ answer }) => answer.status));
    for (const status of [200, 201, 304, 400, 401, 403, 404, 412, 413, 503])
      expect([status, statuses.has(status)]).toEqual([status, true]);
    const replicaBehind = answers.filter(
      ({ answer }) => answer.status === 503 && answer.body.includes('"REPLICA_BEHIND"'),
    );
    expect(replicaBehind.map(({ template }) => template)).toEqual(['/v1/key/{key}', '/v1/keys']);
  });

  it('finds answers off the document (the check can fail)', () => {
    const wrong: HttpAnswer = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ revision: 1, items: [{ key: 'k' }], next_start_after: null }),
    };
    expect(problemsOf('GET', '/v1/keys', wrong)).toEqual([expect.stringMatching(/must have required property/)]);
    expect(problemsOf('GET', '/v1/keys', { ...wrong, status: 418 })).toEqual([
      expect.stringMatching(/418 is not documented/),
    ]);
    expect(problemsOf('GET', '/v1/teapot', wrong)).toEqual([expect.stringMatching(/is not documented/)]);
    const badHeader = { status: 201, headers: { etag: 'W/"1"' }, body: '' };
    expect(problemsOf('PUT', '/v1/key/{key}', badHeader)).toEqual([expect.stringMatching(/header ETag/)]);
  });
});
