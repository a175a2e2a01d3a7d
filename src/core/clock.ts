/** Where the store reads the wall clock (Unix ms): injected, so tests move time by hand. */
export interface Clock {
  now(): number;
}

/** The wall clock of the process. */
export const systemClock: Clock = { now: () => Date.now() };
