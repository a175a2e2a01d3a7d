import type { EnvReader } from '../../config/env-reader';

/** Where the runtime flags come from. */
export interface FlagsConfig {
  /** KVS_FLAGS_FILE: a flagd flag file, watched for changes; undefined means every flag keeps its default. */
  readonly file: string | undefined;
}

/** Reads KVS_FLAGS_FILE. */
export function readFlagsConfig(env: EnvReader): FlagsConfig {
  return { file: env.optional('KVS_FLAGS_FILE') };
}
