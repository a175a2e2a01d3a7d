import type { Call } from '../../application/call/call';
import type { Observer } from '../../application/pipeline';
import {
  millisecondsSince,
  requestLogLevel,
  requestMessage,
  type RequestKeyLine,
  type RequestLogLine,
  type RequestLogOptions,
} from './request-log-line';

/** Route reported for requests that matched no route (never the raw URL: it may hold a key). */
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * The request log, one observer for every transport: gives every call a request id (the
 * client's `x-request-id` if usable, else a new one, which the transport returns) and logs one
 * {@link RequestLogLine} when the call ends (a stream's when it ends). pino writes the line
 * directly: all it needs is the call's outcome, which the pipeline hands over.
 */
export class RequestLogObserver implements Observer {
  readonly name = 'request-log';
  private readonly logger: RequestLogOptions['logger'];
  private readonly enabled: () => boolean;
  private readonly traceIdOf: (() => string | undefined) | undefined;

  constructor({ logger, enabled = () => true, traceIdOf }: RequestLogOptions) {
    this.logger = logger;
    this.enabled = enabled;
    this.traceIdOf = traceIdOf;
  }

  observe(call: Call): void {
    // Made even while the flag is off, so clients always get an id to quote.
    void call.requestId;
    if (!this.enabled()) return;
    // An HTTP request's span is current when it starts; a gRPC call's only once its handler runs.
    const traceIdAtStart = this.traceIdOf?.();
    call.readsBytesOut = true;
    call.atEnd(() => this.write(call, traceIdAtStart ?? this.traceIdOf?.()));
  }

  private write(call: Call, traceId: string | undefined): void {
    const outcome = call.outcome!;
    const line: RequestLogLine = {
      event: 'request',
      frontend: call.transport,
      requestId: call.requestId,
      method: call.method,
      route: call.route ?? UNMATCHED_ROUTE,
      status: outcome.status,
      durationMs: millisecondsSince(call.startedAt),
      bytesOut: outcome.bytesOut,
      traceId,
    };
    this.logger[requestLogLevel(outcome.serverFault)](line, requestMessage(line));
    // The key only ever at debug, on a line of its own: the request line's level follows the
    // outcome (info or warn), and a key must never reach those levels.
    if (typeof call.key === 'string' && this.logger.isLevelEnabled('debug')) {
      const keyLine: RequestKeyLine = { event: 'request_key', requestId: call.requestId, key: call.key };
      this.logger.debug(keyLine, 'request key');
    }
  }
}
