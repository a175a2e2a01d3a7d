/** The core's public surface: the store, its port, its events, errors and limits, and the watch hub. */
export * from './clock';
export * from './errors';
export * from './events';
export * from './key-order';
export * from './key-value-store';
export * from './lease-table';
export * from './limits';
export * from './log-health';
export * from './ordered-index';
export * from './range-query';
export * from './txn';
export type * from './transaction-log.port';
export { revisionNotAfter } from './transaction-log.port';
export * from './change-feed';
export * from './watch-filter';
export * from './watch-history';
export * from './watch-hub';
export * from './watcher';
