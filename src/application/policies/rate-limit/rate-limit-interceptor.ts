import {
  ServerInterceptingCall,
  status,
  type Metadata,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { grpcCaller } from '../../call/caller-identity';
import { grpcRefusal } from '../../call/refusal';
import type { CallerRateLimiter } from './caller-rate-limiter';

/** Health checks are never charged: an orchestrator's probes must not eat a caller's budget. */
const HEALTH_SERVICE = '/grpc.health.v1.Health/';

/** grpc-js interceptor charging each call to its caller's bucket; the REST twin is rateLimitMiddleware. */
export function rateLimitInterceptor(limiter: CallerRateLimiter): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    if (method.path.startsWith(HEALTH_SERVICE)) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata: Metadata, passOn) => {
            limiter.take(grpcCaller(call, metadata)).then(
              (refusal) => (refusal ? call.sendStatus(grpcRefusal(refusal)) : passOn(metadata)),
              () => call.sendStatus({ code: status.INTERNAL, details: 'internal error' }),
            );
          },
        }),
    });
  };
}
