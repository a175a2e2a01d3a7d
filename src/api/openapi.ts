import { REST_ERROR_CODES } from './error-codes';
import { SCOPES } from './scopes';

/**
 * The OpenAPI 3.1 description of the whole REST API (served at GET /openapi.json), kept beside
 * the proto as the REST half of the wire contract. The REST frontend validates transaction
 * bodies against its TxnRequest schema, and test/driving/rest/openapi.test.ts validates the
 * document itself and the real answers of every route against it, so it cannot drift.
 * The numbers below are the core's (MAX_RANGE_LIMIT, DEFAULT_RANGE_LIMIT, MAX_TXN_OPS; the api
 * layer imports nothing of the core): the test checks they match.
 */

/** Entries per range page at most, and by default. */
const MAX_RANGE_LIMIT = 1000;
const DEFAULT_RANGE_LIMIT = 100;
/** Ops per transaction branch, and compares per transaction, at most. */
const MAX_TXN_OPS = 128;

/** A JSON Schema (2020-12, OpenAPI 3.1's dialect) or any other part of the document. */
type Json = { readonly [name: string]: unknown };

/** An object schema with exactly these properties, all required but the `optional` ones. */
const record = (properties: Json, optional: readonly string[] = []): Json => ({
  type: 'object',
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  additionalProperties: false,
  properties,
});

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const digits: Json = { type: 'string', pattern: '^[0-9]+$' };
const revisionNumber: Json = { type: 'integer', minimum: 0 };
const textSchema: Json = { schema: { type: 'string' } };

/** A response header by name, from components.headers. */
const header = (name: string): Json => ({ $ref: `#/components/headers/${name}` });
/** A shared response (an error status) from components.responses. */
const response = (name: string): Json => ({ $ref: `#/components/responses/${name}` });
const json = (schema: Json): Json => ({ 'application/json': { schema } });

/** The error answers every API route may give besides its own: auth, limits, shedding. */
const GUARDED = {
  '401': response('Unauthenticated'),
  '403': response('PermissionDenied'),
  '429': response('RateLimited'),
  '500': response('Internal'),
  '503': response('Unavailable'),
};
/** Writes may also end with an unknown outcome or the data quota. */
const WRITE_ERRORS = { ...GUARDED, '504': response('OutcomeUnknown'), '507': response('QuotaExceeded') };

const keyParameter: Json = {
  name: 'key',
  in: 'path',
  required: true,
  description: "The key: one percent-encoded path segment (encode '/' as %2F).",
  schema: { type: 'string', minLength: 1 },
};

const leaseParameter: Json = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'The lease id a grant answered.',
  schema: digits,
};

const selectorParameters: Json[] = [
  {
    name: 'prefix',
    in: 'query',
    description: 'Every key starting with this; the empty prefix names every key. Not with start/end.',
    schema: { type: 'string' },
  },
  {
    name: 'start',
    in: 'query',
    description: 'First key of a half-open range [start, end), in UTF-8 byte order (inclusive).',
    schema: { type: 'string' },
  },
  {
    name: 'end',
    in: 'query',
    description: 'End of the half-open range (exclusive); no end when missing.',
    schema: { type: 'string', minLength: 1 },
  },
];

/** What a read may ask of the replica answering it (docs/scale-out.md). */
const consistencyParameters: Json[] = [
  {
    name: 'X-Kvs-Min-Revision',
    in: 'header',
    description:
      "Answer from a state at least this recent (read-your-writes across replicas: a write's X-Kvs-Revision); 503 REPLICA_BEHIND when this replica does not reach it within KVS_MAX_READ_WAIT_MS.",
    schema: digits,
  },
  {
    name: 'linearizable',
    in: 'query',
    description:
      'true: answer only once this replica has applied the head revision it confirmed with the log (sees every write acknowledged before the read); 503 REPLICA_BEHIND when not in time.',
    schema: { type: 'boolean', default: false },
  },
];

const rangeParameters: Json[] = [
  ...selectorParameters,
  ...consistencyParameters,
  {
    name: 'start_after',
    in: 'query',
    description: "Resume after this key: the previous page's next_start_after.",
    schema: { type: 'string' },
  },
  {
    name: 'limit',
    in: 'query',
    description: `Entries per page, 1 to ${MAX_RANGE_LIMIT} (400 above).`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_RANGE_LIMIT, default: DEFAULT_RANGE_LIMIT },
  },
  {
    name: 'keys_only',
    in: 'query',
    description: 'Leave the values out.',
    schema: { type: 'boolean', default: false },
  },
];

const entry = record(
  {
    key: { type: 'string' },
    value: { type: 'string', description: 'Left out with keys_only=true.' },
    create_revision: revisionNumber,
    mod_revision: revisionNumber,
    version: { type: 'integer', minimum: 1 },
    expires_at_ms: { type: 'integer', minimum: 1, description: "The key's TTL deadline (Unix ms), when it has one." },
    lease: { type: 'integer', minimum: 1, description: 'The lease the key is attached to, when it is.' },
  },
  ['value', 'expires_at_ms', 'lease'],
);

const keyObject = (extra: Json = {}, optional: readonly string[] = []): Json =>
  record({ key: { type: 'string', minLength: 1 }, ...extra }, optional);

/** A duration as REST writes one: a string with a unit (ms, s, m, h) or a number of seconds. */
const duration = (description: string): Json => ({
  description,
  oneOf: [{ type: 'string' }, { type: 'integer', minimum: 1 }],
});

/** Exactly one of `properties` (a transaction op, or its result): the schema names the kind. */
const oneOfKinds = (properties: Json): Json => ({
  type: 'object',
  minProperties: 1,
  maxProperties: 1,
  additionalProperties: false,
  properties,
});

/** One op of a transaction branch: an object with exactly one of put, delete, get. */
const requestOp = oneOfKinds({
  put: keyObject(
    {
      value: { type: 'string' },
      ttl: duration(
        'The key expires after this (ms, s, m, h; a bare number is seconds), at most KVS_MAX_TTL; a put without one clears any TTL. Not with lease.',
      ),
      lease: { ...digits, description: 'Attaches the key to this lease (its id as a grant answered). Not with ttl.' },
    },
    ['ttl', 'lease'],
  ),
  delete: keyObject(),
  get: keyObject(),
});

const compare = record({
  key: { type: 'string', minLength: 1 },
  target: { enum: ['mod_revision', 'create_revision', 'version', 'value', 'exists'] },
  op: { enum: ['==', '!=', '<', '>'] },
  value: {
    type: ['integer', 'string', 'boolean'],
    description: 'A whole number for the revisions and version, a string for value, a boolean for exists.',
  },
});

const branch: Json = { type: 'array', maxItems: MAX_TXN_OPS, items: ref('RequestOp') };

const txnRequest = record(
  {
    compare: { type: 'array', maxItems: MAX_TXN_OPS, items: ref('Compare') },
    success: branch,
    failure: branch,
  },
  ['compare', 'success', 'failure'],
);

const responseOp = oneOfKinds({
  put: record({ revision: revisionNumber }),
  delete: record({ deleted: { type: 'boolean' } }),
  get: record({ item: { oneOf: [ref('Entry'), { type: 'null' }] } }),
});

const errorResponse = (description: string, headers: Json = {}): Json => ({
  description,
  headers,
  content: json(ref('Error')),
});

const schemas: Json = {
  Error: record({ code: { enum: [...REST_ERROR_CODES] }, message: { type: 'string' } }),
  Entry: entry,
  RangeResponse: record({
    revision: revisionNumber,
    items: { type: 'array', items: ref('Entry') },
    next_start_after: {
      type: ['string', 'null'],
      description: 'The last key of the page when more keys follow (pass it as start_after), else null.',
    },
  }),
  DeleteRangeResponse: record({ revision: revisionNumber, deleted: { type: 'integer', minimum: 0 } }),
  Compare: compare,
  RequestOp: requestOp,
  TxnRequest: txnRequest,
  ResponseOp: responseOp,
  TxnResponse: record({
    succeeded: { type: 'boolean' },
    revision: revisionNumber,
    results: { type: 'array', items: ref('ResponseOp') },
  }),
  // Open to more fields: a compaction may come to report more of what it did.
  LeaseGrantRequest: record({
    ttl: duration('A duration (ms, s, m, h; a bare number is seconds), at most KVS_MAX_TTL.'),
  }),
  LeaseGranted: record({ id: digits, ttl: { type: 'string' } }),
  LeaseStatus: record({
    id: digits,
    ttl: { type: 'string' },
    remainingMs: { type: 'integer', minimum: 0 },
    expiresAt: { type: 'string', pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' },
    keys: { type: 'array', items: { type: 'string' } },
  }),
  LeaseRevoked: record({ revision: revisionNumber, deleted: { type: 'integer', minimum: 0 } }),
  CompactionReport: {
    ...record({
      bytesBefore: { type: 'integer', minimum: 0 },
      bytesAfter: { type: 'integer', minimum: 0 },
      liveBytes: { type: 'integer', minimum: 0 },
      durationMs: { type: 'number', minimum: 0 },
    }),
    additionalProperties: true,
  },
  Readiness: record({ status: { enum: ['ready', 'starting', 'log-unavailable', 'log-failed', 'stale', 'stopping'] } }),
  ServiceStatus: record({
    revision: revisionNumber,
    keys: { type: 'integer', minimum: 0, description: 'Live keys.' },
    log_health: { enum: ['ok', 'unavailable', 'failed'], description: 'Whether the transaction log takes writes.' },
    readiness: {
      enum: ['ready', 'starting', 'log-unavailable', 'log-failed', 'stale', 'stopping'],
      description: 'What /readyz answers.',
    },
    version: { type: 'string' },
  }),
  Compacted: record({
    code: { const: 'REVISION_COMPACTED' },
    message: { type: 'string' },
    compact_revision: revisionNumber,
  }),
};

const headers: Json = {
  ETag: { description: 'The key\'s mod_revision, quoted: "42".', schema: { type: 'string', pattern: '^"[0-9]+"$' } },
  'X-Kvs-Revision': { description: 'The store revision the answer was made at (or the write made).', schema: digits },
  'X-Kvs-Create-Revision': { description: "The revision that created the key's current generation.", schema: digits },
  'X-Kvs-Version': { description: 'Writes to the key since it was created.', schema: digits },
  'X-Kvs-Expires-At': {
    description: "The key's deadline (RFC 3339, ms), when it has a TTL or a lease.",
    schema: { type: 'string' },
  },
  'X-Kvs-Lease': { description: 'The lease the key is attached to.', schema: digits },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: digits },
  'Content-Security-Policy': {
    description: "Scripts, styles and fetches from this origin only, no inline ones; frame-ancestors 'none'.",
    schema: { type: 'string', pattern: "frame-ancestors 'none'" },
  },
  AssetTag: {
    description: "A hash of the file's content, quoted.",
    schema: { type: 'string', pattern: '^"[A-Za-z0-9_-]+"$' },
  },
  'WWW-Authenticate': { description: 'The bearer challenge.', schema: { type: 'string' } },
};

const responses: Json = {
  BadRequest: errorResponse(
    'A malformed key, value, selector, parameter or body (INVALID_KEY, KEY_TOO_LARGE, INVALID_VALUE, INVALID_REQUEST).',
  ),
  Unauthenticated: errorResponse('No valid bearer token (authentication on).', {
    'WWW-Authenticate': header('WWW-Authenticate'),
  }),
  PermissionDenied: errorResponse('The token lacks the scope, or a key lies outside its kvs_prefixes.'),
  NotFound: errorResponse('KEY_NOT_FOUND, LEASE_NOT_FOUND, or NO_SUCH_ROUTE.'),
  PreconditionFailed: errorResponse(
    "If-Match / If-None-Match did not hold; nothing changed. ETag: the key's current one (none when absent).",
    { ETag: header('ETag') },
  ),
  TooLarge: errorResponse('VALUE_TOO_LARGE: the body is over the limit; the connection is closed.'),
  RateLimited: errorResponse('RATE_LIMITED: the caller used up its budget.', { 'Retry-After': header('Retry-After') }),
  Unavailable: errorResponse(
    'Nothing changed: LOG_UNAVAILABLE, LOG_OVERLOADED, SERVER_BUSY, OVERLOADED, READ_ONLY, WATCH_TOO_SLOW; for a read, REPLICA_BEHIND.',
    { 'Retry-After': header('Retry-After') },
  ),
  OutcomeUnknown: errorResponse('OUTCOME_UNKNOWN: the write may or may not have been applied; read to find out.'),
  QuotaExceeded: errorResponse('QUOTA_EXCEEDED: the write would take the live data past KVS_MAX_DATA_BYTES.'),
  Internal: errorResponse('INTERNAL: a server fault, logged by the server.'),
};

const ifMatch: Json = {
  name: 'If-Match',
  in: 'header',
  description: 'Write only if the key\'s mod_revision is this ("42"), or, for *, only if the key is live.',
  schema: { type: 'string' },
};

const security = (scope: (typeof SCOPES)[number] | undefined): Json =>
  scope === undefined ? { security: [{}] } : { security: [{}, { bearer: [scope] }] };

const paths: Json = {
  '/v1/key/{key}': {
    parameters: [keyParameter],
    get: {
      operationId: 'Get',
      summary: "A key's value, with its revisions in the headers.",
      ...security('kvs:read'),
      parameters: [
        {
          name: 'If-None-Match',
          in: 'header',
          description: 'The current ETag (or *) answers 304.',
          schema: { type: 'string' },
        },
        ...consistencyParameters,
      ],
      responses: {
        '200': {
          description: 'The raw value.',
          headers: {
            ETag: header('ETag'),
            'X-Kvs-Revision': header('X-Kvs-Revision'),
            'X-Kvs-Create-Revision': header('X-Kvs-Create-Revision'),
            'X-Kvs-Version': header('X-Kvs-Version'),
            'X-Kvs-Expires-At': header('X-Kvs-Expires-At'),
            'X-Kvs-Lease': header('X-Kvs-Lease'),
          },
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        '304': { description: 'Not modified: If-None-Match named the current ETag.' },
        '400': response('BadRequest'),
        '404': response('NotFound'),
        ...GUARDED,
      },
    },
    head: head('HeadKey', 'kvs:read', 'As GET, without the body: 200 when the key is live, 404 when not.'),
    put: {
      operationId: 'Put',
      summary: "Sets the key's value once it is durable.",
      ...security('kvs:write'),
      parameters: [
        ifMatch,
        { name: 'If-None-Match', in: 'header', description: '* : create only.', schema: { const: '*' } },
        {
          name: 'ttl',
          in: 'query',
          description:
            'The key expires after this (ms, s, m, h; a bare number is seconds), at most KVS_MAX_TTL; a put without one clears any TTL.',
          schema: { type: 'string' },
        },
        { name: 'lease', in: 'query', description: 'Attaches the key to this lease.', schema: digits },
      ],
      requestBody: { required: false, content: { 'text/plain': { schema: { type: 'string' } } } },
      responses: {
        '201': {
          description: 'Durable.',
          headers: {
            ETag: header('ETag'),
            'X-Kvs-Revision': header('X-Kvs-Revision'),
            'X-Kvs-Expires-At': header('X-Kvs-Expires-At'),
          },
        },
        '400': response('BadRequest'),
        '404': response('NotFound'),
        '412': response('PreconditionFailed'),
        '413': response('TooLarge'),
        ...WRITE_ERRORS,
      },
    },
    delete: {
      operationId: 'Delete',
      summary: 'Removes the key (200 also when it was absent).',
      ...security('kvs:write'),
      parameters: [ifMatch],
      responses: {
        '200': { description: 'Gone.', headers: { 'X-Kvs-Revision': header('X-Kvs-Revision') } },
        '400': response('BadRequest'),
        '412': response('PreconditionFailed'),
        ...WRITE_ERRORS,
      },
    },
  },
  '/v1/keys': {
    head: head('HeadRange', 'kvs:read', 'As GET, without the body.'),
    get: {
      operationId: 'Range',
      summary: 'A page of keys in UTF-8 byte order; a prefix-restricted token sees only its keys.',
      description: 'Name exactly one of a prefix or a start/end range.',
      ...security('kvs:read'),
      parameters: rangeParameters,
      responses: {
        '200': { description: 'The page.', content: json(ref('RangeResponse')) },
        '400': response('BadRequest'),
        ...GUARDED,
      },
    },
    delete: {
      operationId: 'DeleteRange',
      summary: 'Deletes every key a prefix or start/end range names, in one revision.',
      description:
        'The empty prefix (every key) needs all=true. A prefix-restricted token may only delete a range lying inside its prefixes.',
      ...security('kvs:write'),
      parameters: [
        ...selectorParameters,
        {
          name: 'all',
          in: 'query',
          description: 'Confirms a delete of every key (alone or with the empty prefix).',
          schema: { type: 'boolean' },
        },
      ],
      responses: {
        '200': { description: 'Deleted.', content: json(ref('DeleteRangeResponse')) },
        '400': response('BadRequest'),
        ...WRITE_ERRORS,
      },
    },
  },
  '/v1/txn': {
    post: {
      operationId: 'Txn',
      summary: "etcd's Txn: if every compare holds the success ops run, else the failure ops; one revision.",
      description:
        'A compare that does not hold is not an error: the answer is 200 with succeeded false. Compares and gets need kvs:read besides kvs:write; every key named must lie inside the token prefixes.',
      ...security('kvs:write'),
      requestBody: { required: true, content: json(ref('TxnRequest')) },
      responses: {
        '200': { description: 'The branch that ran and its results.', content: json(ref('TxnResponse')) },
        '400': response('BadRequest'),
        '413': response('TooLarge'),
        ...WRITE_ERRORS,
      },
    },
  },
  '/v1/watch': {
    get: {
      operationId: 'Watch',
      summary: 'Changes of a key, prefix or range as server-sent events (see docs/watch.md).',
      ...security('kvs:read'),
      parameters: [
        { name: 'key', in: 'query', schema: { type: 'string', minLength: 1 } },
        ...selectorParameters,
        { name: 'start_revision', in: 'query', schema: digits },
        { name: 'prev_value', in: 'query', schema: { type: 'boolean' } },
        { name: 'Last-Event-ID', in: 'header', description: 'Resume after this revision.', schema: digits },
      ],
      responses: {
        '200': {
          description: 'The event stream: `change`, `progress` and a closing `error` event.',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        '400': response('BadRequest'),
        '410': { description: 'The start revision is compacted.', content: json(ref('Compacted')) },
        ...GUARDED,
      },
    },
  },
  '/v1/leases': {
    post: {
      operationId: 'LeaseGrant',
      summary: "Grants a lease (etcd's model, docs/ttl-and-leases.md); logged.",
      ...security('kvs:write'),
      requestBody: { required: true, content: json(ref('LeaseGrantRequest')) },
      responses: {
        '201': {
          description: 'Granted.',
          headers: { 'X-Kvs-Revision': header('X-Kvs-Revision') },
          content: json(ref('LeaseGranted')),
        },
        '400': response('BadRequest'),
        ...WRITE_ERRORS,
      },
    },
  },
  '/v1/leases/{id}': {
    parameters: [leaseParameter],
    get: {
      operationId: 'LeaseTimeToLive',
      summary: "A lease's TTL, the time left and its keys.",
      ...security('kvs:write'),
      responses: {
        '200': { description: 'The lease.', content: json(ref('LeaseStatus')) },
        '400': response('BadRequest'),
        '404': response('NotFound'),
        ...GUARDED,
      },
    },
    delete: {
      operationId: 'LeaseRevoke',
      summary: 'Revokes the lease: every key attached to it is deleted in one revision.',
      ...security('kvs:write'),
      responses: {
        '200': {
          description: 'Revoked.',
          headers: { 'X-Kvs-Revision': header('X-Kvs-Revision') },
          content: json(ref('LeaseRevoked')),
        },
        '400': response('BadRequest'),
        '404': response('NotFound'),
        ...WRITE_ERRORS,
      },
    },
  },
  '/v1/leases/{id}/keepalive': {
    parameters: [leaseParameter],
    post: {
      operationId: 'LeaseKeepAlive',
      summary:
        'Renews the lease for its full TTL; not a write on a single instance (not logged, not watched); with KVS_REPLICAS=shared a logged record every replica applies (not watched).',
      ...security('kvs:write'),
      responses: {
        '200': { description: 'The renewed lease.', content: json(ref('LeaseStatus')) },
        '400': response('BadRequest'),
        '404': response('NotFound'),
        ...GUARDED,
      },
    },
  },
  '/v1/admin/snapshot': {
    get: {
      operationId: 'Snapshot',
      summary: 'A consistent snapshot of the whole store at one revision (docs/snapshot-format.md), streamed.',
      ...security('kvs:admin'),
      responses: {
        '200': {
          description: 'The snapshot file.',
          headers: { 'X-Kvs-Revision': header('X-Kvs-Revision') },
          content: { 'application/octet-stream': { schema: { type: 'string' } } },
        },
        ...GUARDED,
      },
    },
  },
  '/v1/admin/compact': {
    post: {
      operationId: 'Compact',
      summary: 'Compacts the transaction log now.',
      ...security('kvs:admin'),
      responses: {
        '200': { description: 'What the compaction did.', content: json(ref('CompactionReport')) },
        ...GUARDED,
      },
    },
  },
  '/v1/status': {
    get: {
      operationId: 'Status',
      summary:
        "The service at a glance (the web UI's status panel): revision, live keys, log health, readiness, version.",
      ...security('kvs:read'),
      responses: {
        '200': { description: 'The status.', content: json(ref('ServiceStatus')) },
        ...GUARDED,
      },
    },
  },
  '/ui/': uiPath('UiIndex', 'The web UI (docs/ui.md); 404 with KVS_UI=false.', { 'text/html': textSchema }),
  '/ui/{asset}': {
    parameters: [
      {
        name: 'asset',
        in: 'path',
        required: true,
        description: 'A file of the built UI: app.js, app.css, favicon.svg.',
        schema: { type: 'string' },
      },
    ],
    ...uiPath('UiAsset', "The web UI's script, style sheet and icon; 404 for anything else.", {
      'text/javascript': textSchema,
      'text/css': textSchema,
      'image/svg+xml': textSchema,
    }),
  },
  '/metrics': {
    head: head('HeadMetrics', 'kvs:metrics', 'As GET, without the body.'),
    get: {
      operationId: 'Metrics',
      summary: 'Prometheus metrics (open unless KVS_AUTH_PROTECT_METRICS=true, then kvs:metrics).',
      ...security('kvs:metrics'),
      responses: {
        '200': {
          description: 'The text exposition format.',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
        '401': response('Unauthenticated'),
        '403': response('PermissionDenied'),
      },
    },
  },
  '/openapi.json': {
    head: head('HeadOpenApi', undefined, 'As GET, without the body.'),
    get: {
      operationId: 'OpenApi',
      summary: 'This document.',
      ...security(undefined),
      responses: { '200': { description: 'OpenAPI 3.1.', content: json({ type: 'object' }) } },
    },
  },
  '/livez': probePath('Livez', 'Liveness: 200 whenever the process answers.'),
  '/healthz': probePath('Healthz', 'As /livez, kept for older checks.'),
  '/readyz': {
    get: {
      operationId: 'Readyz',
      summary: 'Readiness: 200 while the service should get traffic.',
      ...security(undefined),
      responses: {
        '200': { description: 'Ready.', content: json(ref('Readiness')) },
        '503': { description: 'Not ready, and why.', content: json(ref('Readiness')) },
      },
    },
  },
};

/** A path of the web UI's static files: open GET and HEAD, the security headers stated. */
function uiPath(operationId: string, summary: string, content: Json): Json {
  const responses = {
    '200': {
      description: 'The file, with a strict Content-Security-Policy.',
      headers: { 'Content-Security-Policy': header('Content-Security-Policy'), ETag: header('AssetTag') },
      content,
    },
    '304': { description: 'Not modified: If-None-Match named the current ETag.' },
    '404': response('NotFound'),
    '429': response('RateLimited'),
    '503': response('Unavailable'),
  };
  return {
    get: { operationId, summary, ...security(undefined), responses },
    head: {
      operationId: `Head${operationId}`,
      summary: 'As GET, without the body.',
      ...security(undefined),
      responses,
    },
  };
}

/** A HEAD operation: its GET's statuses and headers, no body. */
function head(operationId: string, scope: (typeof SCOPES)[number] | undefined, summary: string): Json {
  const status = (description: string): Json => ({ description });
  return {
    operationId,
    summary,
    ...security(scope),
    responses: {
      '200': status('As GET.'),
      '304': status('As GET.'),
      '400': status('As GET.'),
      '401': status('As GET.'),
      '403': status('As GET.'),
      '404': status('As GET.'),
      '429': status('As GET.'),
      '503': status('As GET.'),
    },
  };
}

function probePath(operationId: string, summary: string): Json {
  return {
    get: {
      operationId,
      summary,
      ...security(undefined),
      responses: { '200': { description: 'ok', content: { 'text/plain': { schema: { const: 'ok' } } } } },
    },
  };
}

/** The OpenAPI 3.1 document of the REST API. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'kvs',
    version: '0.1.0',
    description:
      'A durable key-value service (etcd-style revisions, ranges and transactions). Errors answer {"code", "message"} with a stable code (docs/errors.md). Any path not listed is 404 NO_SUCH_ROUTE; any method not listed on a path is 405 METHOD_NOT_ALLOWED with Allow.',
  },
  components: {
    schemas,
    headers,
    responses,
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: `When authentication is on. Scopes: ${SCOPES.join(', ')}; claim kvs_prefixes limits the keys.`,
      },
    },
  },
  paths,
} as const;

/** The range and transaction limits the document states, for the test that checks them against the core. */
export const OPENAPI_LIMITS = { MAX_RANGE_LIMIT, DEFAULT_RANGE_LIMIT, MAX_TXN_OPS } as const;
