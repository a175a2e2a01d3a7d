import type { Call } from '../call/call';
import type { Verdict } from '../call/refusal';
import type { Observer } from './observer.port';
import type { Policy } from './policy.port';

/**
 * The observers and policies every call goes through, in order, written once for every
 * transport. A transport adapter calls `observe` when a call starts (every call, even one that
 * maps to no operation), then `admit` and, if the key came later, `checkKey` when it is known;
 * it answers the first refusal with its own status and runs the handler otherwise, and ends the
 * call with its outcome. Policies that answer synchronously keep the call synchronous: the
 * pipeline only returns a promise when one of them does.
 */
export class PolicyPipeline {
  constructor(
    readonly policies: readonly Policy[] = [],
    readonly observers: readonly Observer[] = [],
  ) {}

  /** Whether the pipeline does nothing at all, so a transport can skip building a Call. */
  get isEmpty(): boolean {
    return this.policies.length === 0 && this.observers.length === 0;
  }

  /** Lets every observer watch the call; probes are never observed (orchestrators poll them every few seconds). */
  observe(call: Call): void {
    if (call.operation.kind === 'probe') return;
    for (const observer of this.observers) observer.observe(call);
  }

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
