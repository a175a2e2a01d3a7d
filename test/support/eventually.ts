/** How long eventually() polls, and what it says when the condition never holds. */
export interface EventuallyOptions {
  /** Names the awaited state in the error, read when the wait gives up (counters, last values). */
  describe?: () => string;
  /** Gives up after this long; well below jest's timeout, so the error names what was awaited. */
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls until `condition` holds. A wait that never ends fails with a message naming what it
 * waited for, instead of running into jest's timeout with no clue and loops left running.
 */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  { describe = () => 'condition', timeoutMs = 20_000, intervalMs = 20 }: EventuallyOptions = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for ${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
