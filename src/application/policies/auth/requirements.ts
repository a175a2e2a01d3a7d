/**
 * The scope table: which scope each operation needs. One place for both frontends.
 *
 * | operation                                              | scope        |
 * |--------------------------------------------------------|--------------|
 * | REST GET/HEAD /v1/key/{key}, gRPC KeyValue/Get          | kvs:read     |
 * | REST PUT/DELETE /v1/key/{key}, gRPC KeyValue/Put/Delete | kvs:write    |
 * | REST /v1/admin/*, any method of a gRPC service "*Admin" | kvs:admin    |
 * | /metrics when KVS_AUTH_PROTECT_METRICS=true             | kvs:metrics  |
 * | probes, grpc.health.v1, reflection, /metrics otherwise  | open         |
 * | anything else                                           | a valid token|
 */

/** The scopes kvs knows. Write does not imply read: a token needs both to do both. */
export type Scope = 'kvs:read' | 'kvs:write' | 'kvs:admin' | 'kvs:metrics';

/** What a request needs before it may go on. */
export type Requirement =
  | { readonly open: true }
  | {
      readonly open: false;
      /** The scope needed; undefined means any valid token (paths that only answer errors). */
      readonly scope?: Scope;
      /** The key the request touches, checked against the token's `kvs_prefixes`. */
      readonly key?: KeySource;
    };

/**
 * Where the key is: in the REST path (`{ value }`), in the gRPC request message, known only
 * once it arrives ('message'), or in a path whose percent-encoding is broken ('undecodable').
 */
export type KeySource = { readonly value: string } | 'message' | 'undecodable';

const OPEN: Requirement = { open: true };
const ANY_TOKEN: Requirement = { open: false };
const PROBES = new Set(['/livez', '/readyz', '/healthz']);
const KEY_PATH = /^\/v1\/key\/([^/]+)$/;

/** What a REST request needs; `path` is the URL path without the query string. */
export function restRequirement(method: string, path: string, protectMetrics: boolean): Requirement {
  if (PROBES.has(path.toLowerCase().replace(/\/$/, ''))) return OPEN;
  if (path === '/metrics') return protectMetrics ? { open: false, scope: 'kvs:metrics' } : OPEN;
  if (path.startsWith('/v1/admin/')) return { open: false, scope: 'kvs:admin' };
  const match = KEY_PATH.exec(path);
  if (match === null) return ANY_TOKEN;
  const scope = keyScope(method);
  if (scope === undefined) return ANY_TOKEN; // answered 405 by the routes
  return { open: false, scope, key: decodeKey(match[1]) };
}

/** What a gRPC call needs; `path` is "/Service/Method". */
export function grpcRequirement(path: string): Requirement {
  const [, service = '', method = ''] = path.split('/');
  if (service === 'grpc.health.v1.Health') return OPEN;
  // Reflection describes the API, not the data; KVS_GRPC_REFLECTION=false removes it altogether.
  if (service.startsWith('grpc.reflection.')) return OPEN;
  if (service.endsWith('Admin')) return { open: false, scope: 'kvs:admin' };
  if (service === 'KeyValue') {
    if (method === 'Get') return { open: false, scope: 'kvs:read', key: 'message' };
    if (method === 'Put' || method === 'Delete') return { open: false, scope: 'kvs:write', key: 'message' };
  }
  return ANY_TOKEN;
}

function keyScope(method: string): Scope | undefined {
  if (method === 'GET' || method === 'HEAD') return 'kvs:read';
  if (method === 'PUT' || method === 'DELETE') return 'kvs:write';
  return undefined;
}

function decodeKey(segment: string): KeySource {
  try {
    return { value: decodeURIComponent(segment) };
  } catch {
    return 'undecodable';
  }
}
