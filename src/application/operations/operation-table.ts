import type { Operation, StringFields } from './operation';

/** The key of the key-value operations: the `:key` segment of the REST path, the `key` field of the gRPC request. */
const KEY = { restParam: 'key', grpcField: 'key' } as const;
const KEY_PATH = '/v1/key/:key';
const LEASE_PATH = '/v1/leases/:id';

/** The string fields of a Txn's messages: Compare (key, value operand) and RequestOp (put, delete, get). */
const TXN_COMPARE: StringFields = { 1: 'key', 5: 'value' };
const TXN_OP: StringFields = { 1: { 1: 'key', 2: 'value' }, 2: { 1: 'key' }, 3: { 1: 'key' } };

/**
 * The operation table: every operation the service offers, one row each (see docs/architecture.md,
 * "How to add an operation"). The REST routes and gRPC methods, authorization, the read-only
 * switch, the wire check, metric labels and the tracing filter are all derived from it, and a test
 * fails when a registered route or method has no row or a row no binding. Rows sharing a REST path
 * answer 405 for other methods, with `Allow` listing their methods in row order.
 */
export const OPERATIONS: readonly Operation[] = [
  {
    name: 'Get',
    kind: 'read',
    scope: 'kvs:read',
    key: KEY,
    rest: { methods: ['GET', 'HEAD'], path: KEY_PATH },
    grpc: { path: '/KeyValue/Get', stringFields: { 1: 'key' } },
    metric: 'get',
    traced: true,
  },
  {
    name: 'Put',
    kind: 'write',
    scope: 'kvs:write',
    key: KEY,
    rest: { methods: ['PUT'], path: KEY_PATH },
    grpc: { path: '/KeyValue/Put', stringFields: { 1: 'key', 2: 'value' } },
    metric: 'put',
    traced: true,
  },
  {
    name: 'Delete',
    kind: 'write',
    scope: 'kvs:write',
    key: KEY,
    rest: { methods: ['DELETE'], path: KEY_PATH },
    grpc: { path: '/KeyValue/Delete', stringFields: { 1: 'key' } },
    metric: 'delete',
    traced: true,
  },
  {
    name: 'Watch',
    kind: 'read',
    scope: 'kvs:read',
    // No key source: a watch names a key, a prefix or a range in its query or message, and its
    // handler refuses a single key outside the token's prefixes and clips the others to them.
    rest: { methods: ['GET'], path: '/v1/watch' },
    grpc: { path: '/KeyValue/Watch', stringFields: { 1: 'key', 2: 'key', 5: 'key', 6: 'key' } },
    metric: 'watch',
    traced: true,
    stream: true,
  },
  {
    name: 'Compact',
    kind: 'admin',
    scope: 'kvs:admin',
    rest: { methods: ['POST'], path: '/v1/admin/compact' },
    grpc: { path: '/KvsAdmin/Compact', stringFields: {} },
    // Counted under `other`, as before the table existed: dashboards keep their series.
    metric: 'other',
    traced: true,
  },
  {
    name: 'Metrics',
    kind: 'metrics',
    scope: 'kvs:metrics',
    rest: { methods: ['GET', 'HEAD'], path: '/metrics' },
    metric: 'other',
    traced: false,
  },
  // Data model v2 (issue 17), REST and gRPC. They name many keys, so they have no key source: their
  // handlers clip reads to the token's kvs_prefixes and refuse writes reaching outside them.
  {
    name: 'Range',
    kind: 'read',
    scope: 'kvs:read',
    rest: { methods: ['GET', 'HEAD'], path: '/v1/keys' },
    grpc: { path: '/KeyValue/Range', stringFields: { 1: 'key', 2: 'key', 5: 'key', 6: 'key' } },
    metric: 'range',
    traced: true,
  },
  {
    name: 'DeleteRange',
    kind: 'write',
    scope: 'kvs:write',
    rest: { methods: ['DELETE'], path: '/v1/keys' },
    grpc: { path: '/KeyValue/DeleteRange', stringFields: { 1: 'key', 2: 'key', 3: 'key' } },
    metric: 'delete_range',
    traced: true,
  },
  {
    // A write (refused while read-only) whose compares and gets also need kvs:read (its handler checks).
    name: 'Txn',
    kind: 'write',
    scope: 'kvs:write',
    rest: { methods: ['POST'], path: '/v1/txn' },
    grpc: { path: '/KeyValue/Txn', stringFields: { 1: TXN_COMPARE, 2: TXN_OP, 3: TXN_OP } },
    metric: 'txn',
    traced: true,
  },
  // Leases (etcd's model, docs/ttl-and-leases.md): no key of their own (keys attach through Put).
  // Status reads are not writes, so they go on while the service is read-only; nor is a keepalive
  // with a log of its own (memory only). A shared log's keepalive is a logged record: the store
  // refuses it while read-only (READ_ONLY), as this table cannot tell the two apart.
  lease('LeaseGrant', 'write', { methods: ['POST'], path: '/v1/leases' }, '/Lease/Grant'),
  lease('LeaseKeepAlive', 'read', { methods: ['POST'], path: '/v1/leases/:id/keepalive' }, '/Lease/KeepAlive', true),
  lease('LeaseTimeToLive', 'read', { methods: ['GET'], path: LEASE_PATH }, '/Lease/TimeToLive'),
  lease('LeaseRevoke', 'write', { methods: ['DELETE'], path: LEASE_PATH }, '/Lease/Revoke'),
  // The probes: served before every policy (REST mounts them first; gRPC health skips the policies).
  probe('Livez', { methods: ['GET'], path: '/livez' }),
  probe('Healthz', { methods: ['GET'], path: '/healthz' }),
  probe('Readyz', { methods: ['GET'], path: '/readyz' }),
  probe('HealthCheck', undefined, '/grpc.health.v1.Health/Check'),
  probe('HealthWatch', undefined, '/grpc.health.v1.Health/Watch'),
  probe('HealthList', undefined, '/grpc.health.v1.Health/List'),
  // Reflection describes the API, not the data; KVS_GRPC_REFLECTION=false removes it altogether.
  reflection('ReflectionV1', '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo'),
  reflection('ReflectionV1Alpha', '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'),
  // The OpenAPI document describes the API, not the data: open, like reflection.
  {
    name: 'OpenApi',
    kind: 'meta',
    rest: { methods: ['GET', 'HEAD'], path: '/openapi.json' },
    metric: 'other',
    traced: true,
  },
  // Snapshots (docs/snapshots.md): a consistent backup of the whole store, streamed; it reads
  // every key, so only the operator's scope may take one.
  {
    name: 'Snapshot',
    kind: 'admin',
    scope: 'kvs:admin',
    rest: { methods: ['GET'], path: '/v1/admin/snapshot' },
    grpc: { path: '/KvsAdmin/Snapshot', stringFields: {} },
    metric: 'snapshot',
    traced: true,
  },
  // The web UI (issue 23, docs/ui.md): its status panel, and its static assets, which hold no
  // data (open, like the OpenAPI document; KVS_UI=false makes them 404 NO_SUCH_ROUTE).
  {
    name: 'Status',
    kind: 'read',
    scope: 'kvs:read',
    rest: { methods: ['GET'], path: '/v1/status' },
    metric: 'status',
    traced: true,
  },
  uiAsset('UiIndex', '/ui/'),
  uiAsset('UiAsset', '/ui/:asset'),
];

/**
 * What a request that maps to no row is observed as (an unknown route, a 405, a malformed key
 * path, an unimplemented method): logged and counted under `other`, then refused by its
 * transport before any policy runs. Not a row: nothing serves it.
 */
export const UNROUTED: Operation = { name: 'Unrouted', kind: 'unrouted', metric: 'other', traced: true };

function probe(name: string, rest?: Operation['rest'], grpcPath?: string): Operation {
  const grpc = grpcPath === undefined ? undefined : { path: grpcPath, stringFields: {} };
  return { name, kind: 'probe', rest, grpc, metric: 'other', traced: false };
}

function reflection(name: string, path: string): Operation {
  return { name, kind: 'meta', grpc: { path, stringFields: {} }, metric: 'other', traced: true };
}

/** A lease operation: scope kvs:write whatever its kind; the gRPC KeepAlive is a stream. */
function lease(
  name: string,
  kind: 'read' | 'write',
  rest: Operation['rest'],
  grpcPath: string,
  stream = false,
): Operation {
  const grpc = { path: grpcPath, stringFields: {} };
  return { name, kind, scope: 'kvs:write', rest, grpc, metric: 'lease', traced: true, ...(stream ? { stream } : {}) };
}

/** A static asset of the web UI: open, and not traced (a page load fetches several). */
function uiAsset(name: string, path: string): Operation {
  return { name, kind: 'meta', rest: { methods: ['GET', 'HEAD'], path }, metric: 'ui', traced: false };
}
