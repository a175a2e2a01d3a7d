import type { EnvReader } from '../../config/env-reader';

/** Where the REST frontend listens; the host is shared with the other frontends (KVS_HOST). */
export interface RestOptions {
  readonly host: string;
  readonly port: number;
}

/** Reads KVS_HTTP_PORT (default 8080). */
export function readRestConfig(env: EnvReader): Omit<RestOptions, 'host'> {
  return { port: env.port('KVS_HTTP_PORT', 8080) };
}
