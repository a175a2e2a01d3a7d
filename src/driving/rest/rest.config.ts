import type { EnvReader } from '../../config/env-reader';

/** Where the REST frontend listens (the host is shared with the other frontends: KVS_HOST) and how much a client may hold. */
export interface RestOptions {
  readonly host: string;
  readonly port: number;
  /** Bytes of request bodies being received at once, over all connections; beyond it new bodies get 503. */
  readonly maxBodyBytesInFlight?: number;
  /** Connections open at once; further ones are closed as they arrive. */
  readonly maxConnections?: number;
  /** Longest a client may take to send a request's headers. */
  readonly headersTimeoutMs?: number;
  /** Longest a client may take to send a whole request, body included. */
  readonly requestTimeoutMs?: number;
  /** Whether the web UI is served at /ui/ (KVS_UI; off unless asked for). */
  readonly ui?: boolean;
}

/** The REST frontend's settings from the environment: its options but the shared host. */
export type RestConfig = Omit<RestOptions, 'host'>;

/** The resource limits a RestFrontend applies when its options leave them out. */
export const REST_LIMIT_DEFAULTS = {
  // 64 MiB: a small container's worth; 64 maximal (1 MiB) values at once, 300 slow clients no longer 300 MiB.
  maxBodyBytesInFlight: 64 * 1024 * 1024,
  maxConnections: 1024,
  // Node's defaults (60 s, 300 s) let a slow client hold a connection, and its body, for minutes.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
} as const;

/** Reads KVS_HTTP_PORT (default 8080), KVS_UI (default true) and the limits KVS_MAX_BODY_BYTES_IN_FLIGHT, KVS_MAX_CONNECTIONS, KVS_HEADERS_TIMEOUT_MS, KVS_REQUEST_TIMEOUT_MS. */
export function readRestConfig(env: EnvReader): RestConfig {
  const defaults = REST_LIMIT_DEFAULTS;
  const headersTimeoutMs = env.integer('KVS_HEADERS_TIMEOUT_MS', defaults.headersTimeoutMs, 100, 600_000);
  const requestTimeoutMs = env.integer('KVS_REQUEST_TIMEOUT_MS', defaults.requestTimeoutMs, 100, 3_600_000);
  // node:http refuses a headers timeout longer than the request timeout.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw env.invalid(
      'KVS_HEADERS_TIMEOUT_MS',
      String(headersTimeoutMs),
      `at most KVS_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
    );
  }
  return {
    port: env.port('KVS_HTTP_PORT', 8080),
    maxBodyBytesInFlight: env.integer(
      'KVS_MAX_BODY_BYTES_IN_FLIGHT',
      defaults.maxBodyBytesInFlight,
      1024,
      Number.MAX_SAFE_INTEGER,
    ),
    maxConnections: env.integer('KVS_MAX_CONNECTIONS', defaults.maxConnections, 1, 1_000_000),
    headersTimeoutMs,
    requestTimeoutMs,
    ui: env.oneOf('KVS_UI', ['true', 'false'], 'true') === 'true',
  };
}
