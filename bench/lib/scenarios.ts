import type { BaselineKind, Frontend, PeerKind, Protocol, Security, ServerKind, SyncPolicy } from './servers';
import type { Operation } from './workload';

/** One load-driven row of the table. */
export interface LoadRow {
  /** Stable id, matched by --filter: protocol/operation/connections/server[/sync]. */
  readonly id: string;
  readonly protocol: Protocol;
  readonly operation: Operation;
  readonly connections: number;
  readonly server: ServerKind;
  /** The service's TLOG_SYNC (kvs rows only). */
  readonly sync?: SyncPolicy;
  /** A security layer turned on for the row (kvs rows only): TLS, or JWT authentication. */
  readonly security?: Security;
  /** kvs rows only: undefined runs the observability defaults (metrics on, request logs and tracing off). */
  readonly observability?: ObservabilityVariant;
  /** kvs rows only: KVS_WORKERS (undefined: 1, the single process). */
  readonly workers?: number;
}

/**
 * `off`: request logs and metrics switched off; `request-logs`: the defaults plus a log line per
 * request; `tracing`: the defaults plus spans exported over OTLP.
 */
export type ObservabilityVariant = 'off' | 'request-logs' | 'tracing';
/** The rows observability is measured on: what the 0.85× target is stated for. */
const OBSERVABILITY_OPERATION: Operation = 'get-hit';
const OBSERVABILITY_CONNECTIONS = 32;

/** Concurrent connections (REST) or in-flight calls (gRPC) of every scenario. */
export const CONNECTIONS = [1, 32, 256] as const;
const OPERATIONS: readonly Operation[] = ['get-hit', 'get-miss', 'put', 'mix'];
/** The baselines each frontend's rows are compared with; the first is the "bare" one (the floor). */
export const BASELINES: Record<Frontend, readonly BaselineKind[]> = {
  rest: ['node-http', 'express'],
  grpc: ['grpc-js'],
};
/** The floor of a durable write: beside the REST PUT rows, whose bare baseline answers before any disk. */
export const DURABLE_BASELINE: BaselineKind = 'node-http-durable';
/** Peers run at the target concurrency only: what the issue compares, in bounded time. */
export const PEER_CONNECTIONS = 32;

/** A peer's rows: the protocol its load tool speaks, what it measures, which kvs rows it is set against. */
export interface PeerRows {
  readonly protocol: Protocol;
  readonly operations: readonly Operation[];
  readonly comparedWith: readonly Frontend[];
}

/** The peers and their rows: Redis and etcd as the durable-write peers and their reads (redis-benchmark cannot ask for never-written keys). */
export const PEERS: Record<PeerKind, PeerRows> = {
  'go-http': { protocol: 'rest', operations: OPERATIONS, comparedWith: ['rest'] },
  'go-grpc': { protocol: 'grpc', operations: OPERATIONS, comparedWith: ['grpc'] },
  redis: { protocol: 'resp', operations: ['get-hit', 'put'], comparedWith: ['rest', 'grpc'] },
  etcd: { protocol: 'grpc', operations: ['get-hit', 'put'], comparedWith: ['grpc', 'rest'] },
};
/** Security layers measured on their own rows. */
export const SECURITY_LAYERS: readonly Security[] = ['tls', 'jwt'];
/** KVS_WORKERS of the workers rows (docs/workers.md), set against the single process at the target concurrency. */
export const WORKERS = 2;
/** The scenarios the workers rows run: reads served by the workers, durable writes forwarded to the owner. */
export const WORKERS_OPERATIONS: readonly Operation[] = ['get-hit', 'put'];

/** The service's default and durable policy, used by every row unless the row says otherwise. */
export const DEFAULT_SYNC: SyncPolicy = 'always';

/** Every load row, each scenario's baselines just before the service so they share conditions. */
export function loadRows(): LoadRow[] {
  const rows: LoadRow[] = [];
  for (const protocol of ['rest', 'grpc'] as const) {
    for (const operation of OPERATIONS) {
      for (const connections of CONNECTIONS) {
        for (const server of BASELINES[protocol]) rows.push(row(protocol, operation, connections, server));
        if (protocol === 'rest' && operation === 'put')
          rows.push(row(protocol, operation, connections, DURABLE_BASELINE));
        if (connections === PEER_CONNECTIONS) rows.push(...peerRows(protocol, operation));
        rows.push(row(protocol, operation, connections, 'kvs', DEFAULT_SYNC));
        // Right after the single process of the same scenario: its same-run reference.
        if (protocol === 'rest' && connections === PEER_CONNECTIONS && WORKERS_OPERATIONS.includes(operation))
          rows.push(row(protocol, operation, connections, 'kvs', DEFAULT_SYNC, undefined, undefined, WORKERS));
        // Peers whose tool speaks none of our protocols (Redis) run right after the REST rows.
        if (protocol === 'rest' && connections === PEER_CONNECTIONS) rows.push(...peerRows('resp', operation));
      }
    }
    for (const connections of CONNECTIONS) rows.push(row(protocol, 'put', connections, 'kvs', 'interval'));
    // The cost of the security layers, beside the plain get-hit row at the target concurrency.
    for (const security of SECURITY_LAYERS) rows.push(row(protocol, 'get-hit', 32, 'kvs', DEFAULT_SYNC, security));
    for (const variant of ['off', 'request-logs', 'tracing'] as const) {
      rows.push(
        row(protocol, OBSERVABILITY_OPERATION, OBSERVABILITY_CONNECTIONS, 'kvs', DEFAULT_SYNC, undefined, variant),
      );
    }
  }
  return rows;
}

/** The peer rows of one protocol and operation. */
function peerRows(protocol: Protocol, operation: Operation): LoadRow[] {
  return (Object.keys(PEERS) as PeerKind[])
    .filter((peer) => PEERS[peer].protocol === protocol && PEERS[peer].operations.includes(operation))
    .map((peer) => row(protocol, operation, PEER_CONNECTIONS, peer));
}

/** Whether a server is a peer (started by bench/lib/peers.ts). */
export function isPeer(server: ServerKind): server is PeerKind {
  return server in PEERS;
}

/** The row with these settings; its id names every one of them, so equal ids mean the same row. */
export function row(
  protocol: Protocol,
  operation: Operation,
  connections: number,
  server: ServerKind,
  sync?: SyncPolicy,
  security?: Security,
  observability?: ObservabilityVariant,
  workers?: number,
): LoadRow {
  const id = [
    protocol,
    operation,
    connections,
    server,
    ...(sync ? [`sync=${sync}`] : []),
    ...(security ? [security] : []),
    ...(observability ? [`obs=${observability}`] : []),
    ...(workers ? [`workers=${workers}`] : []),
  ].join('/');
  return { id, protocol, operation, connections, server, sync, security, observability, workers };
}
