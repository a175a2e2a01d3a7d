import type { Call } from '../../call/call';
import type { Verdict } from '../../call/refusal';
import type { Policy } from '../../pipeline/policy.port';
import type { CallerRateLimiter } from './caller-rate-limiter';

/** Charges each call to its caller's bucket; probes are never charged (an orchestrator's checks must not eat a budget). */
export class RateLimitPolicy implements Policy {
  readonly name = 'rate-limit';

  constructor(private readonly limiter: CallerRateLimiter) {}

  admit(call: Call): Verdict | Promise<Verdict> {
    if (call.operation.kind === 'probe') return undefined;
    return this.limiter.take(call.caller);
  }
}
