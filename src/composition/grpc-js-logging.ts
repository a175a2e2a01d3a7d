import { setLogger } from '@grpc/grpc-js';
import type { Logger } from '../platform/logging/logger';

/**
 * grpc-js's own log line for a failed bind: the same failure bindAsync hands the gRPC frontend,
 * which the service reports itself (a taken port is a one-line config error), so it goes to debug.
 */
const BIND_FAILURE = /^No address added out of total \d+ resolved/;

/**
 * Sends grpc-js's own log lines (by default `E ...` on stderr) to the service's JSON log, under
 * `component: "grpc-js"`, so stderr carries only the one-line configuration errors.
 */
export function routeGrpcJsLogs(logger: Logger): void {
  const grpcLogger = logger.child({ component: 'grpc-js' });
  const text = (message: unknown, rest: unknown[]): string => [message, ...rest].map(String).join(' ');
  setLogger({
    error: (message?: unknown, ...rest: unknown[]) => {
      const line = text(message, rest);
      if (BIND_FAILURE.test(line)) grpcLogger.debug(line);
      else grpcLogger.error(line);
    },
    info: (message?: unknown, ...rest: unknown[]) => grpcLogger.info(text(message, rest)),
    debug: (message?: unknown, ...rest: unknown[]) => grpcLogger.debug(text(message, rest)),
  });
}
