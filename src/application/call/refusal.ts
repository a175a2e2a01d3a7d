import type { GrpcErrorCode, RestErrorCode } from '../../api/error-codes';

/**
 * A request turned away by a policy before it reaches a handler (load shedding, authentication,
 * authorization, rate limiting, read-only), described once for every transport: each turns it
 * into its own status through its error table, so all clients get the same outcome.
 */
export interface Refusal {
  /** A code every transport can send. */
  readonly code: Extract<RestErrorCode, GrpcErrorCode>;
  /** Safe to show the client: never a token, a path or a stack. */
  readonly message: string;
  /** When the client may retry (REST: `Retry-After`). */
  readonly retryAfterSeconds?: number;
  /** The bearer challenge (REST: `WWW-Authenticate`), for authentication and scope refusals. */
  readonly challenge?: string;
}

/** What a policy decides: a refusal, or undefined to let the call go on. */
export type Verdict = Refusal | undefined;
