import { availableParallelism } from 'node:os';
import type { EnvReader } from '../../config/env-reader';

/** The most serving processes KVS_WORKERS accepts: each holds a copy of the data. */
const MAX_WORKERS = 256;

/**
 * Reads KVS_WORKERS: how many serving processes (1: the single process of old; `auto`: one per
 * core the process may use). `cores` is the machine's, injectable for tests.
 */
export function readWorkersConfig(env: EnvReader, cores = availableParallelism()): number {
  const raw = env.string('KVS_WORKERS', '1').trim();
  if (raw === 'auto') return Math.min(cores, MAX_WORKERS);
  const count = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_WORKERS) {
    throw env.invalid('KVS_WORKERS', raw, `an integer from 1 to ${MAX_WORKERS}, or auto (one per available core)`);
  }
  return count;
}
