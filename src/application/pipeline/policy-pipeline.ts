import type { Call } from '../call/call';
import type { Verdict } from '../call/refusal';
import type { Policy } from './policy.port';

/**
 * The policies every call goes through, in order, written once for every transport. A transport
 * adapter calls `admit` when a call starts and, if the key came later, `checkKey` when it is
 * known; it answers the first refusal with its own status and runs the handler otherwise.
 * Policies that answer synchronously keep the call synchronous: the pipeline only returns a
 * promise when one of them does.
 */
export class PolicyPipeline {
  constructor(readonly policies: readonly Policy[] = []) {}

  /** Runs every policy's `admit` (and `checkKey`, when the key is already known), stopping at the first refusal. */
  admit(call: Call): Verdict | Promise<Verdict> {
    return this.admitFrom(0, call);
  }

  /** Runs every policy's `checkKey` once a key arrived after admit. */
  checkKey(call: Call): Verdict {
    for (const policy of this.policies) {
      const verdict = policy.checkKey?.(call);
      if (verdict) return verdict;
    }
    return undefined;
  }

  private admitFrom(first: number, call: Call): Verdict | Promise<Verdict> {
    const { policies } = this;
    for (let i = first; i < policies.length; i++) {
      const policy = policies[i];
      const verdict = policy.admit(call);
      if (verdict instanceof Promise) {
        return verdict.then((settled) => settled ?? this.afterAdmit(i, call));
      }
      if (verdict) return verdict;
      const keyVerdict = call.keyKnown ? policy.checkKey?.(call) : undefined;
      if (keyVerdict) return keyVerdict;
    }
    return undefined;
  }

  /** After policy `i` admitted asynchronously: its key check, then the policies after it. */
  private afterAdmit(i: number, call: Call): Verdict | Promise<Verdict> {
    const keyVerdict = call.keyKnown ? this.policies[i].checkKey?.(call) : undefined;
    return keyVerdict ?? this.admitFrom(i + 1, call);
  }
}
