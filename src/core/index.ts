/** The core's public surface: the store, its port, its events, errors and limits, and the watch hub. */
export * from './errors';
export * from './events';
export * from './key-value-store';
export * from './limits';
export * from './log-health';
export type * from './transaction-logger.port';
export type * from './change-feed';
export * from './watch-filter';
export * from './watch-history';
export * from './watch-hub';
export * from './watcher';
