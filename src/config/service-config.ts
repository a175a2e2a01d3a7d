import type { Limits } from '../core';
import type { EnvReader } from './env-reader';

/** The largest limits accepted: keys must fit in a URL, values in one gRPC message and one log record. */
const MAX_KEY_LIMIT_BYTES = 64 * 1024;
const MAX_VALUE_LIMIT_BYTES = 64 * 1024 * 1024;

/** Settings that are not any one adapter's: which adapters to use and the store's limits. */
export interface ServiceConfig<LoggerName extends string, FrontendName extends string> {
  readonly logger: LoggerName;
  readonly frontends: readonly FrontendName[];
  readonly limits: Limits;
}

/** Reads TLOG_TYPE, FRONTEND_TYPE and the size limits, accepting only the adapter names given. */
export function readServiceConfig<L extends string, F extends string>(
  env: EnvReader,
  loggers: readonly L[],
  frontends: readonly F[],
  defaults: { readonly logger: L; readonly frontends: readonly F[] },
): ServiceConfig<L, F> {
  return {
    logger: env.oneOf('TLOG_TYPE', loggers, defaults.logger),
    frontends: env.listOf('FRONTEND_TYPE', frontends, defaults.frontends),
    limits: {
      maxKeyBytes: env.integer('KVS_MAX_KEY_BYTES', 1024, 1, MAX_KEY_LIMIT_BYTES),
      maxValueBytes: env.integer('KVS_MAX_VALUE_BYTES', 1024 * 1024, 0, MAX_VALUE_LIMIT_BYTES),
    },
  };
}
