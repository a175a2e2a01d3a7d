/** Milliseconds per unit of a TTL: the units `?ttl=`, `kvs put --ttl` and KVS_MAX_TTL accept. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** What a TTL may look like, for error messages. */
export const DURATION_SYNTAX = 'a whole number with a unit ms, s, m or h (30s, 500ms, 2h); a bare number is seconds';

/**
 * A TTL as clients write it (`30s`, `500ms`, `10m`, `2h`; a bare whole number is seconds), in
 * milliseconds; undefined when it is not one (no sign, no fraction, no spaces, at least 1 ms).
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,15})(ms|s|m|h)?$/.exec(text);
  if (match === null) return undefined;
  const ms = Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
  return Number.isSafeInteger(ms) && ms >= 1 ? ms : undefined;
}

/** A duration in ms as the shortest exact text parseDuration reads back (`90s`, `1500ms`). */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  return `${ms}ms`;
}
