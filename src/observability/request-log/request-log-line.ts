import type { Level } from 'pino';
import type { Logger } from '../../platform/logging/logger';

/**
 * What both frontends log once per request, in one shape so one query covers both. Values are
 * never logged, nor keys (keys may be personal data, and they would make every line unique):
 * at debug level a {@link RequestKeyLine} beside it names the key.
 */
export interface RequestLogLine {
  readonly event: 'request';
  /** The transport: 'rest' or 'grpc'. */
  readonly frontend: string;
  readonly requestId: string;
  /** HTTP method, or the RPC's method name. */
  readonly method: string;
  /** The route template (`/v1/key/:key`) or the RPC path (`/KeyValue/Get`); never the raw URL. */
  readonly route: string;
  /** HTTP status, or the gRPC status name. */
  readonly status: number | string;
  readonly durationMs: number;
  /** Bytes sent to the client, headers included (REST only: grpc-js serializes past the interceptors). */
  readonly bytesOut?: number;
  readonly traceId?: string;
}

/** The debug line that names a request's key, joined to its request line by the request id. */
export interface RequestKeyLine {
  readonly event: 'request_key';
  readonly requestId: string;
  readonly key: string;
}

/** What the request-log observer is built with. */
export interface RequestLogOptions {
  /** Where request lines go (a child `{ component: 'request' }` of the root logger). */
  readonly logger: Logger;
  /** Asked once per request; false skips the line (the `request-logging` runtime flag). */
  readonly enabled?: () => boolean;
  /** The active trace's id, when tracing is on; called while the request's span is current. */
  readonly traceIdOf?: () => string | undefined;
}

/**
 * Server faults are logged in full, once, at `error` where they happen; their request line is a
 * `warn`. Client mistakes (4xx, NOT_FOUND, INVALID_ARGUMENT...) are ordinary traffic: `info`.
 */
export function requestLogLevel(serverFault: boolean): Level {
  return serverFault ? 'warn' : 'info';
}

/** Milliseconds since `startedAt` (a performance.now() reading), to the microsecond. */
export function millisecondsSince(startedAt: number): number {
  return Math.round((performance.now() - startedAt) * 1000) / 1000;
}

/** The line's human-readable message, e.g. `GET /v1/key/:key 200 0.412 ms`. */
export function requestMessage(line: RequestLogLine): string {
  return `${line.method} ${line.route} ${line.status} ${line.durationMs} ms`;
}
