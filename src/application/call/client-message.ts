import { LogUnavailableError, type KvsError } from '../../core';

/**
 * What a client is told about an error: the condition only. A log error's own message carries
 * the server-side detail (a path, an errno, a database error) that must never reach a client,
 * so the frontends send these fixed texts instead and log the detail themselves.
 */
export function clientMessage(error: KvsError): string {
  switch (error.code) {
    case 'LOG_UNAVAILABLE':
      return retryable(error)
        ? 'the transaction log cannot accept writes right now; retry later'
        : 'the transaction log has failed; the service is restarting';
    case 'LOG_OVERLOADED':
      return 'too many writes are waiting for the transaction log; retry later';
    default:
      return error.message;
  }
}

/** Whether a retry of the failed request can succeed without a restart of the service. */
export function retryable(error: KvsError): boolean {
  return !(error instanceof LogUnavailableError) || error.retryable;
}

/** Whether the error's message holds server-side detail that clientMessage hides. */
export function hidesDetail(error: KvsError): boolean {
  return error.code === 'LOG_UNAVAILABLE' || error.code === 'LOG_OVERLOADED';
}
