import type { Call } from '../call/call';
import type { Verdict } from '../call/refusal';

/**
 * One concern every request goes through, whatever its transport (shedding, authentication,
 * rate limits, read-only...). Policies read the transport-neutral Call and answer a Verdict;
 * they never see express or grpc-js. See docs/architecture.md, "How to add a policy".
 */
export interface Policy {
  /** For the start-up log and errors. */
  readonly name: string;
  /**
   * Runs when the call starts, before its body or message is read. Answer synchronously
   * whenever possible: a promise costs the call a hop through the microtask queue.
   */
  admit(call: Call): Verdict | Promise<Verdict>;
  /** Runs once the call's key is known (at once for REST, when the message arrives for gRPC). */
  checkKey?(call: Call): Verdict;
}
