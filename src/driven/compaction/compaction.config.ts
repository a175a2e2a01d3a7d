import type { EnvReader } from '../../config/env-reader';
import { DEFAULT_COMPACTION_THRESHOLDS, type CompactionThresholds } from './compaction-runner';

/** The largest minimum accepted: 1 TiB. */
const MAX_MIN_BYTES = 2 ** 40;
const RATIO = /^\s*\d{1,4}(\.\d{1,3})?\s*$/;

/**
 * Reads KVS_COMPACT_MIN_BYTES (an integer, default 64 MiB) and KVS_COMPACT_RATIO (a number from
 * 1 to 1000, default 2): a log compacts by itself once its history exceeds both the minimum and
 * ratio × the live data. Both logs read the same variables.
 */
export function readCompactionThresholds(env: EnvReader): CompactionThresholds {
  const minBytes = env.integer('KVS_COMPACT_MIN_BYTES', DEFAULT_COMPACTION_THRESHOLDS.minBytes, 0, MAX_MIN_BYTES);
  const raw = env.optional('KVS_COMPACT_RATIO');
  if (raw === undefined) return { minBytes, ratio: DEFAULT_COMPACTION_THRESHOLDS.ratio };
  const ratio = RATIO.test(raw) ? Number(raw) : NaN;
  if (!(ratio >= 1 && ratio <= 1000)) {
    throw env.invalid('KVS_COMPACT_RATIO', raw, 'a number from 1 to 1000 (up to 3 decimals), e.g. 2 or 1.5');
  }
  return { minBytes, ratio };
}
