import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { Logger } from '../../platform/logging/logger';
import { toGrpcFailure } from './grpc-status';
import { wireRejectionOf } from './request-wire-check';

/**
 * Runs one unary call's work and answers with its response, or with the status of what it threw
 * (a refused wire check first). Every unary handler of the KeyValue service goes through here.
 */
export function answerUnary<Request extends object, Response>(
  call: ServerUnaryCall<Request, Response>,
  callback: sendUnaryData<Response>,
  logger: Logger,
  work: (request: Request) => Response | Promise<Response>,
): void {
  // A call that is already over must not start a write nobody waits for. A write already
  // handed to the log is not abandoned when the call ends: the log completes it.
  if (call.cancelled || deadlinePassed(call.getDeadline())) {
    callback({ code: status.CANCELLED, details: 'call ended before the server started it' });
    return;
  }
  const rejection = wireRejectionOf(call.request);
  if (rejection) {
    callback(toGrpcFailure(rejection, logger));
    return;
  }
  // Work that answers synchronously (a plain Get) is answered at once: no promise is made, so
  // the read path costs no microtask hops beyond grpc-js's own.
  let response: Response | Promise<Response>;
  try {
    response = work(call.request);
  } catch (error) {
    callback(toGrpcFailure(error, logger));
    return;
  }
  if (response instanceof Promise) {
    response.then(
      (answered) => callback(null, answered),
      (error: unknown) => callback(toGrpcFailure(error, logger)),
    );
  } else {
    callback(null, response);
  }
}

function deadlinePassed(deadline: Date | number): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return at <= Date.now();
}
