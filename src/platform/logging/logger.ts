import { pino, type Logger } from 'pino';

/**
 * Adapters report what operators should see through a pino Logger handed to them by the
 * composition root (a child with `{ component }`); they never create or import a global one.
 * Each line carries a stable `event` name besides its message.
 */
export type { Logger };

/** Writes nothing: the default for adapters built outside the composition root (tests, tools). */
export const silentLogger: Logger = pino({ enabled: false });
