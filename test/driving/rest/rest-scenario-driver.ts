import type { KvsErrorCode } from '../../../src/api/error-codes';
import type { CompareTarget, KeySelector, RangeQuery, TxnOp, TxnRequest, WriteCondition } from '../../../src/core';
import type {
  Capability,
  Failure,
  ScenarioDriver,
  ScenarioEntry,
  TxnOpOutcome,
} from '../../contracts/data-model-scenario';

// ignoreBOM: Response.text() would strip a leading U+FEFF, which is part of a stored value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The wire's compare targets (docs/api.md, Transactions). */
const TARGETS: Readonly<Record<CompareTarget, string>> = {
  modRevision: 'mod_revision',
  createRevision: 'create_revision',
  version: 'version',
  value: 'value',
  exists: 'exists',
};

/** An entry as REST's JSON carries it; keys_only items have no value. */
interface WireItem {
  key: string;
  value?: string;
  create_revision: number;
  mod_revision: number;
  version: number;
}

type WireResult = { put?: { revision: number }; delete?: { deleted: boolean }; get?: { item: WireItem | null } };

/**
 * The shared scenario's driver for the REST frontend, over fetch: the single-key routes with
 * their ETag / If-Match / If-None-Match headers, GET and DELETE /v1/keys and POST /v1/txn.
 */
export function restScenarioDriver(baseUrl: string): ScenarioDriver {
  const call = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    return { response, body: utf8.decode(await response.arrayBuffer()) };
  };
  const keyPath = (key: string) => `/v1/key/${encodeURIComponent(key)}`;
  return {
    capabilities: new Set<Capability>(['key', 'range', 'deleteRange', 'txn']),
    async put(key, value, condition) {
      const { response, body } = await call('PUT', keyPath(key), conditionHeaders(condition), value);
      if (!response.ok) return failureOf(response, body);
      return { ok: true, revision: Number(response.headers.get('x-kvs-revision')) };
    },
    async get(key) {
      const { response, body } = await call('GET', keyPath(key), {});
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
      const { response, body } = await call('DELETE', keyPath(key), conditionHeaders(condition));
      if (!response.ok) return failureOf(response, body);
      return { ok: true, revision: Number(response.headers.get('x-kvs-revision')) };
    },
    async range(query) {
      const { response, body } = await call('GET', `/v1/keys?${rangeParameters(query)}`, {});
      if (!response.ok) return failureOf(response, body);
      const page = JSON.parse(body) as { revision: number; items: WireItem[]; next_start_after: string | null };
      return {
        ok: true,
        revision: page.revision,
        entries: page.items.map(entryOf),
        more: page.next_start_after !== null,
        nextStartAfter: page.next_start_after ?? undefined,
      };
    },
    async deleteRange(selector) {
      const { response, body } = await call('DELETE', `/v1/keys?${deleteParameters(selector)}`, {});
      if (!response.ok) return failureOf(response, body);
      const { revision, deleted } = JSON.parse(body) as { revision: number; deleted: number };
      return { ok: true, revision, deleted };
    },
    async txn(request) {
      const headers = { 'Content-Type': 'application/json' };
      const { response, body } = await call('POST', '/v1/txn', headers, JSON.stringify(txnBody(request)));
      if (!response.ok) return failureOf(response, body);
      const answer = JSON.parse(body) as { succeeded: boolean; revision: number; results: WireResult[] };
      return {
        ok: true,
        succeeded: answer.succeeded,
        revision: answer.revision,
        results: answer.results.map(opOutcome),
      };
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

/** The query string of GET /v1/keys; a query naming no selector is the empty prefix (every key). */
function rangeParameters(query: RangeQuery): string {
  const { startAfter, limit, keysOnly, ...selector } = query;
  return queryString({
    ...selectorParameters(selector),
    start_after: startAfter,
    limit: limit?.toString(),
    keys_only: keysOnly?.toString(),
  });
}

/** The query string of DELETE /v1/keys: a selector of every key needs all=true (docs/api.md). */
function deleteParameters(selector: KeySelector): string {
  const everything = !selector.prefix && !selector.start && selector.end === undefined;
  return queryString(everything ? { all: 'true' } : selectorParameters(selector));
}

function selectorParameters({ prefix, start, end }: KeySelector): Record<string, string | undefined> {
  if (start === undefined && end === undefined) return { prefix: prefix ?? '' };
  return { start, end };
}

function queryString(parameters: Record<string, string | undefined>): string {
  return Object.entries(parameters)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');
}

/** The JSON body of POST /v1/txn. */
function txnBody(request: TxnRequest): unknown {
  return {
    compare: request.compare.map(({ key, target, op, operand }) => ({
      key,
      target: TARGETS[target],
      op,
      value: operand,
    })),
    success: request.success.map(opBody),
    failure: request.failure.map(opBody),
  };
}

function opBody(op: TxnOp): unknown {
  if (op.type === 'put') return { put: { key: op.key, value: op.value } };
  return { [op.type]: { key: op.key } };
}

function opOutcome(result: WireResult): TxnOpOutcome {
  if (result.put !== undefined) return { type: 'put' };
  if (result.delete !== undefined) return { type: 'delete', deleted: result.delete.deleted };
  const item = result.get!.item;
  return item === null ? { type: 'get' } : { type: 'get', entry: entryOf(item) };
}

/** An entry in the scenario's terms; a keys_only item's value is the empty string, as the core's. */
function entryOf(item: WireItem): ScenarioEntry {
  return {
    key: item.key,
    value: item.value ?? '',
    createRevision: item.create_revision,
    modRevision: item.mod_revision,
    version: item.version,
  };
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
