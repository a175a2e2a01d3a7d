/** The core's public surface: the store, its port, its events, errors and limits. */
export * from './errors';
export * from './events';
export * from './key-value-store';
export * from './limits';
export * from './log-health';
export type * from './transaction-logger.port';
