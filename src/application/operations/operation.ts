import type { Scope } from '../../api/scopes';

/** The scopes kvs knows (declared with the wire contract in api/scopes.ts, which the CLI reads too). */
export type { Scope };

/**
 * What an operation does, which decides the policies it goes through:
 * - `read`, `write`, `admin`: the service's API; `write` is refused while the service is read-only;
 * - `metrics`: the Prometheus scrape (open unless KVS_AUTH_PROTECT_METRICS=true);
 * - `probe`: liveness/readiness checks: never authenticated, shed, limited, logged, counted or traced;
 * - `meta`: describes the API rather than the data (gRPC reflection): open, but shed and limited;
 * - `unrouted`: no row at all (`UNROUTED`): observed, then refused by the transport before any policy.
 */
export type OperationKind = 'read' | 'write' | 'admin' | 'metrics' | 'probe' | 'meta' | 'unrouted';

/** How a REST request reaches the operation: the methods and the express route template. */
export interface RestBinding {
  /** HTTP methods, upper case, e.g. ['GET', 'HEAD']. */
  readonly methods: readonly string[];
  /** The express route template, e.g. '/v1/key/:key' (probes: matched in any case, optional trailing slash). */
  readonly path: string;
}

/** The role of a `string` field of a gRPC request: it picks the error for bytes that are not UTF-8. */
export type StringFieldRole = 'key' | 'value';

/**
 * The `string` fields of a gRPC message by field number, with their roles; a field holding a
 * message (or repeated messages) maps to that message's own string fields.
 */
export interface StringFields {
  readonly [field: number]: StringFieldRole | StringFields;
}

/** How a gRPC call reaches the operation. */
export interface GrpcBinding {
  /** The full method path, '/Service/Method'. */
  readonly path: string;
  /** The request's `string` fields, nested messages' included, checked for UTF-8 before the handler runs. */
  readonly stringFields: StringFields;
}

/** Where the operation's key is: none, or the named REST route parameter and gRPC request field. */
export interface KeySource {
  /** The route parameter of the REST path (`:key`). */
  readonly restParam: string;
  /** The field of the gRPC request message. */
  readonly grpcField: string;
}

/**
 * One operation the service offers: one row of the operation table. Every transport and every
 * policy reads what it needs from here; a request that maps to no row is refused before any
 * policy or handler runs.
 */
export interface Operation {
  /** The operation's name, e.g. 'Get'; handlers are looked up by it. */
  readonly name: string;
  readonly kind: OperationKind;
  /** The scope a token needs; undefined: open (no token needed). */
  readonly scope?: Scope;
  /** Where the key the operation touches comes from (checked against a token's `kvs_prefixes`). */
  readonly key?: KeySource;
  readonly rest?: RestBinding;
  readonly grpc?: GrpcBinding;
  /** The `operation` label of kvs_requests_total and kvs_request_duration_seconds. */
  readonly metric: string;
  /**
   * A long-lived stream (Watch): admitted by the policies like any call, but not counted in
   * flight (KVS_MAX_IN_FLIGHT) for its lifetime; KVS_MAX_WATCHERS bounds the streams instead.
   */
  readonly stream?: boolean;
  /** Whether requests get a trace span (probes and scrapes come every few seconds and would drown the traces). */
  readonly traced: boolean;
}
