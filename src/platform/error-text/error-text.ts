/** Turning whatever was thrown into text and codes for the server's own log (never for clients). */

/** The errno or driver code (e.g. "EIO", "28P01") of an error, if it has one. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A one-line description of any thrown value. Node's system errors already start with their
 * code ("ENOSPC: no space left on device, write"), so the code is not added again; an
 * AggregateError from a dual-stack connect has no message of its own, so its parts are joined.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.message) return error.message;
  if (error instanceof AggregateError) return error.errors.map(describeError).join('; ');
  return errorCode(error) ?? error.name;
}
