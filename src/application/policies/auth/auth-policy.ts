import type { Call, Principal } from '../../call/call';
import type { Refusal, Verdict } from '../../call/refusal';
import type { Policy } from '../../pipeline/policy.port';
import { isRefusal, type AccessPolicy, type RequestSummary } from './access-policy';

/**
 * Authentication and authorization of every call from its operation's row: open rows (probes,
 * reflection, /metrics unless protected) pass; the others need a valid bearer token with the
 * row's scope, and, for rows with a key, a key inside the token's `kvs_prefixes`. A token
 * verified before is decided synchronously (the hot path); a new one costs one promise.
 */
export class AuthPolicy implements Policy {
  readonly name = 'auth';

  constructor(
    private readonly access: AccessPolicy,
    /** Whether the `metrics` operation needs its scope (KVS_AUTH_PROTECT_METRICS=true). */
    private readonly protectMetrics: boolean,
  ) {}

  admit(call: Call): Verdict | Promise<Verdict> {
    const { operation } = call;
    if (operation.scope === undefined || (operation.kind === 'metrics' && !this.protectMetrics)) return undefined;
    const describe = summary(call);
    const decide = (result: Principal | Refusal): Verdict => {
      if (isRefusal(result)) return result;
      call.principal = result;
      return this.access.authorizeScope(result, operation, describe);
    };
    const authenticated = this.access.authenticate(call.authorization, describe);
    return authenticated instanceof Promise ? authenticated.then(decide) : decide(authenticated);
  }

  checkKey(call: Call): Verdict {
    const { principal } = call;
    if (principal === undefined) return undefined;
    return this.access.authorizeKey(principal, call.operation, call.key, summary(call));
  }
}

function summary(call: Call): () => RequestSummary {
  return () => ({ transport: call.transport, operation: call.operation.name, caller: call.caller });
}
