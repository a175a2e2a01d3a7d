import type { EnvReader } from '../../config/env-reader';

/** How watches are sized and paced. */
export interface WatchConfig {
  /** Bytes of recent revisions kept so that watches may start or resume in the past (KVS_WATCH_HISTORY_BYTES). */
  readonly historyBytes: number;
  /** Bytes one watcher may fall behind before it is dropped with WATCH_TOO_SLOW (KVS_WATCH_BUFFER_BYTES). */
  readonly bufferBytes: number;
  /** An idle watch gets a progress heartbeat this often (KVS_WATCH_HEARTBEAT_MS). */
  readonly heartbeatMs: number;
  /** Watches open at once over both transports; more are refused with OVERLOADED (KVS_MAX_WATCHERS). */
  readonly maxWatchers: number;
}

const MIB = 1024 * 1024;

/** The defaults (docs/watch.md says how to size them). */
export const WATCH_DEFAULTS: WatchConfig = {
  // 64 MiB: at 10 writes/s of 1 KiB values about two hours of history; at 1,000 writes/s a minute.
  historyBytes: 64 * MIB,
  // 1 MiB: a watcher may fall a maximal value behind (or thousands of small ones) before it is dropped.
  bufferBytes: 1 * MIB,
  // 10 s: proxies such as nginx cut streams idle for 60 s.
  heartbeatMs: 10_000,
  // 10,000: the bench targets (10,000 SSE watchers on one process); each costs a connection too.
  maxWatchers: 10_000,
};

/** Reads KVS_WATCH_HISTORY_BYTES, KVS_WATCH_BUFFER_BYTES, KVS_WATCH_HEARTBEAT_MS and KVS_MAX_WATCHERS. */
export function readWatchConfig(env: EnvReader): WatchConfig {
  const defaults = WATCH_DEFAULTS;
  return {
    historyBytes: env.integer('KVS_WATCH_HISTORY_BYTES', defaults.historyBytes, 0, Number.MAX_SAFE_INTEGER),
    bufferBytes: env.integer('KVS_WATCH_BUFFER_BYTES', defaults.bufferBytes, 1024, Number.MAX_SAFE_INTEGER),
    heartbeatMs: env.integer('KVS_WATCH_HEARTBEAT_MS', defaults.heartbeatMs, 100, 3_600_000),
    maxWatchers: env.integer('KVS_MAX_WATCHERS', defaults.maxWatchers, 0, 10_000_000),
  };
}
