import {
  ServerInterceptingCall,
  status,
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { grpcCaller, recordSubject } from '../../call/caller-identity';
import { grpcRefusal, type Refusal } from '../../call/refusal';
import { isRefusal, type AccessPolicy, type Principal, type RequestSummary } from './access-policy';
import { grpcRequirement } from './requirements';

/** The outcome of the metadata stage: the caller's principal, or undefined once the call was refused. */
type Authenticated = Principal | undefined;

/**
 * grpc-js server interceptor enforcing the access policy; the REST twin is authMiddleware.
 * The token is checked when the metadata arrives and the key prefix when the request message
 * does. grpc-js may hand the message to this listener while the token is still being verified
 * (it only holds back forwarding it), so the message check waits for the token's outcome.
 */
export function authInterceptor(policy: AccessPolicy): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    const requirement = grpcRequirement(method.path);
    if (requirement.open) return new ServerInterceptingCall(call);
    let describe = (): RequestSummary => ({ transport: 'grpc', operation: method.path, caller: 'unknown' });
    let authenticated: Authenticated | Promise<Authenticated>;
    const refuse = (refusal: Refusal): undefined => {
      call.sendStatus(grpcRefusal(refusal));
      return undefined;
    };
    const fail = (): void => call.sendStatus({ code: status.INTERNAL, details: 'internal error' });
    /** After the metadata stage: runs `then` with the principal once known, synchronously when it already is. */
    const whenAuthenticated = (then: (principal: Principal) => void): void => {
      if (authenticated instanceof Promise) authenticated.then((result) => result && then(result), fail);
      else if (authenticated !== undefined) then(authenticated);
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata: Metadata, passOn) => {
            describe = () => ({ transport: 'grpc', operation: method.path, caller: grpcCaller(call, metadata) });
            const [authorization] = metadata.get('authorization');
            const token = typeof authorization === 'string' ? authorization : undefined;
            const decide = (result: Principal | Refusal): Authenticated => {
              if (isRefusal(result)) return refuse(result);
              if (result.subject !== undefined) recordSubject(metadata, result.subject);
              // Without a key to check, the scope decides now; with one, when the message arrives.
              if (requirement.key === undefined) {
                const refusal = policy.authorize(result, requirement, undefined, describe);
                if (refusal) return refuse(refusal);
              }
              return result;
            };
            const result = policy.authenticate(token, describe);
            authenticated = result instanceof Promise ? result.then(decide) : decide(result);
            whenAuthenticated(() => passOn(metadata));
          },
          onReceiveMessage: (message: unknown, passOn) => {
            whenAuthenticated((principal) => {
              if (requirement.key !== undefined) {
                const key = (message as { key?: unknown } | null)?.key;
                const keyText = typeof key === 'string' ? key : undefined;
                const refusal = policy.authorize(principal, requirement, keyText, describe);
                if (refusal) {
                  refuse(refusal);
                  return;
                }
              }
              passOn(message);
            });
          },
        }),
    });
  };
}
