import type { Call } from '../call/call';

/**
 * A concern that watches calls and never refuses one (request logs, metrics, tracing), written
 * once for every transport. Observers see every call before the policies do, refused ones and
 * those that map to no row of the table (the `UNROUTED` operation) included; probes excepted.
 */
export interface Observer {
  /** For the start-up log and errors. */
  readonly name: string;
  /**
   * Runs when the call starts, before any policy; `call.atEnd(...)` then runs once the call's
   * `outcome` is known. Synchronous, so an observed call stays as synchronous as an unobserved one.
   */
  observe(call: Call): void;
}
