import {
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { grpcRefusal } from '../../call/refusal';
import type { LoadShedder } from './load-shedder';

/** Health checks are never shed: an orchestrator must be able to tell "busy" from "dead". */
const HEALTH_SERVICE = '/grpc.health.v1.Health/';

/** grpc-js interceptor refusing calls while overloaded; the REST twin is loadSheddingMiddleware. */
export function loadSheddingInterceptor(shedder: LoadShedder): ServerInterceptor {
  return (method: ServerMethodDefinition<unknown, unknown>, call: ServerInterceptingCallInterface) => {
    if (method.path.startsWith(HEALTH_SERVICE)) return new ServerInterceptingCall(call);
    const admission = shedder.admit();
    if ('httpStatus' in admission) {
      return new ServerInterceptingCall(call, {
        start: (next) => next({ onReceiveMetadata: () => call.sendStatus(grpcRefusal(admission)) }),
      });
    }
    return new ServerInterceptingCall(call, {
      start: (next) => next({ onCancel: admission.release }),
      sendStatus: (status, passOn) => {
        admission.release();
        passOn(status);
      },
    });
  };
}
