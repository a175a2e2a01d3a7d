import { randomUUID } from 'node:crypto';

/** HTTP header and gRPC metadata key carrying the request id, both ways. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Longest caller-supplied id kept; anything longer is replaced, so a client cannot bloat every log line. */
const MAX_REQUEST_ID_LENGTH = 128;
/** Visible ASCII only: the id is echoed in a response header and must not smuggle control characters. */
const REQUEST_ID_PATTERN = /^[\x21-\x7e]+$/;

/** The caller's request id if it is usable, else a fresh random one. */
export function requestIdFrom(supplied: unknown): string {
  if (typeof supplied === 'string' && supplied.length <= MAX_REQUEST_ID_LENGTH && REQUEST_ID_PATTERN.test(supplied)) {
    return supplied;
  }
  return randomUUID();
}
