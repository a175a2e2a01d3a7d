import type { KvsErrorCode } from '../../../src/api/error-codes';
import type { WriteCondition } from '../../../src/core';
import type { Capability, Failure, ScenarioDriver } from '../../contracts/data-model-scenario';

// ignoreBOM: Response.text() would strip a leading U+FEFF, which is part of a stored value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The shared scenario's driver for the REST frontend, over fetch: the single-key routes with
 * their ETag / If-Match / If-None-Match headers.
 *
 * EXTENSION POINT (see test/contracts/data-model-scenario.ts): once GET /v1/keys, DELETE
 * /v1/keys and POST /v1/txn are merged, add 'range', 'deleteRange' and 'txn' to the
 * capabilities and implement range, deleteRange and txn here; the scenario test then compares
 * those steps too, with no other change.
 */
export function restScenarioDriver(baseUrl: string): ScenarioDriver {
  const call = async (method: string, key: string, headers: Record<string, string>, body?: string) => {
    const response = await fetch(`${baseUrl}/v1/key/${encodeURIComponent(key)}`, { method, headers, body });
    return { response, body: utf8.decode(await response.arrayBuffer()) };
  };
  return {
    capabilities: new Set<Capability>(['key']),
    async put(key, value, condition) {
      const { response, body } = await call('PUT', key, conditionHeaders(condition), value);
      if (!response.ok) return failureOf(response, body);
      return { ok: true, revision: Number(response.headers.get('x-kvs-revision')) };
    },
    async get(key) {
      const { response, body } = await call('GET', key, {});
      if (!response.ok) return failureOf(response, body);
      return {
        ok: true,
        revision: Number(response.headers.get('x-kvs-revision')),
        key,
        value: body,
        createRevision: Number(response.headers.get('x-kvs-create-revision')),
        modRevision: etagRevision(response),
        version: Number(response.headers.get('x-kvs-version')),
      };
    },
    async delete(key, condition) {
      const { response, body } = await call('DELETE', key, conditionHeaders(condition));
      if (!response.ok) return failureOf(response, body);
      return { ok: true, revision: Number(response.headers.get('x-kvs-revision')) };
    },
  };
}

/** If-Match: "<mod_revision>" or *, If-None-Match: * (mod_revision 0 or exists false). */
function conditionHeaders(condition: WriteCondition | undefined): Record<string, string> {
  if (condition === undefined) return {};
  if (condition.modRevision === 0 || condition.exists === false) return { 'If-None-Match': '*' };
  if (condition.modRevision !== undefined) return { 'If-Match': `"${condition.modRevision}"` };
  return { 'If-Match': '*' };
}

/** The ETag's mod_revision; 0 when there is none (a 412 for an absent key). */
function etagRevision(response: Response): number {
  const etag = response.headers.get('etag');
  return etag === null ? 0 : Number(/^"(\d+)"$/.exec(etag)?.[1]);
}

function failureOf(response: Response, body: string): Failure {
  const { code } = JSON.parse(body) as { code: KvsErrorCode };
  return code === 'PRECONDITION_FAILED'
    ? { ok: false, code, currentModRevision: etagRevision(response) }
    : { ok: false, code };
}
