import {
  ServerInterceptingCall,
  status,
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { grpcCaller, recordSubject } from '../caller-identity';
import { grpcRefusal, type Refusal } from '../refusal';
import { isRefusal, type AccessPolicy, type Principal, type RequestSummary } from './access-policy';
import { grpcRequirement } from './requirements';

/** The outcome of the metadata stage: who is calling, or undefined once the call was refused. */
type Authenticated = { principal: Principal; request: RequestSummary } | undefined;

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
    let authenticated: Promise<Authenticated> = Promise.resolve(undefined);
    const refuse = (refusal: Refusal): undefined => {
      call.sendStatus(grpcRefusal(refusal));
      return undefined;
    };
    const fail = (): void => call.sendStatus({ code: status.INTERNAL, details: 'internal error' });
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata: Metadata, passOn) => {
            const request: RequestSummary = {
              transport: 'grpc',
              operation: method.path,
              caller: grpcCaller(call, metadata),
            };
            const [authorization] = metadata.get('authorization');
            const token = typeof authorization === 'string' ? authorization : undefined;
            authenticated = policy.authenticate(token, request).then((result): Authenticated => {
              if (isRefusal(result)) return refuse(result);
              if (result.subject !== undefined) recordSubject(metadata, result.subject);
              // Without a key to check, the scope decides now; with one, when the message arrives.
              if (requirement.key === undefined) {
                const refusal = policy.authorize(result, requirement, undefined, request);
                if (refusal) return refuse(refusal);
              }
              return { principal: result, request };
            });
            authenticated.then((result) => result && passOn(metadata), fail);
          },
          onReceiveMessage: (message: unknown, passOn) => {
            authenticated.then((result) => {
              if (result === undefined) return;
              if (requirement.key !== undefined) {
                const key = (message as { key?: unknown } | null)?.key;
                const refusal = policy.authorize(
                  result.principal,
                  requirement,
                  typeof key === 'string' ? key : undefined,
                  result.request,
                );
                if (refusal) {
                  refuse(refusal);
                  return;
                }
              }
              passOn(message);
            }, fail);
          },
        }),
    });
  };
}
