import type { EnvReader } from '../../config/env-reader';

/** Where the REST frontend listens. */
export interface RestOptions {
  readonly host: string;
  readonly port: number;
}

/** Reads KVS_HOST (default 0.0.0.0) and KVS_HTTP_PORT (default 8080). */
export function readRestConfig(env: EnvReader): RestOptions {
  return { host: env.string('KVS_HOST', '0.0.0.0'), port: env.port('KVS_HTTP_PORT', 8080) };
}
