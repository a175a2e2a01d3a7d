import { status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import type { KeyValueStore } from '../../core';
import type { KeyValueHandlers } from '../../api/generated/KeyValue';
import { toGrpcFailure } from './grpc-status';
import type { Logger } from '../../platform/logging/logger';
import { wireRejectionOf } from './request-wire-check';
import type { WatchService } from '../../application/watch/watch-service';
import { watchHandler } from './watch-handler';
import { expiresAtOf } from '../../application/expiry/expires-at';
import { grpcPutOptions } from './lease-handlers';

/** The KeyValue service implementation: each unary RPC is one call on the core store; Watch streams from the watch service. */
export function keyValueHandlers(store: KeyValueStore, watches: WatchService, logger: Logger): KeyValueHandlers {
  function answer<Request extends object, Response>(
    call: ServerUnaryCall<Request, Response>,
    callback: sendUnaryData<Response>,
    work: (request: Request) => Response | Promise<Response>,
  ): void {
    // A call that is already over must not start a write nobody waits for. A write already
    // handed to the log is not abandoned when the call ends: the log completes it.
    if (call.cancelled || deadlinePassed(call.getDeadline())) {
      callback({ code: status.CANCELLED, details: 'call ended before the server started it' });
      return;
    }
    const rejection = wireRejectionOf(call.request);
    Promise.resolve()
      .then(() => {
        if (rejection) throw rejection;
        return work(call.request);
      })
      .then(
        (response) => callback(null, response),
        (error: unknown) => callback(toGrpcFailure(error, logger)),
      );
  }

  return {
    Get: (call, callback) =>
      answer(call, callback, ({ key }) => {
        const entry = store.getEntry(key);
        return { value: entry.value, expires_at_ms: expiresAtOf(store, entry) };
      }),
    Put: (call, callback) =>
      answer(call, callback, async ({ key, value, ttl_ms, lease }) => {
        await store.put(key, value, undefined, grpcPutOptions(ttl_ms, lease));
        return {};
      }),
    Delete: (call, callback) =>
      answer(call, callback, async ({ key }) => {
        await store.delete(key);
        return {};
      }),
    Watch: watchHandler(watches, store.limits, logger),
  };
}

function deadlinePassed(deadline: Date | number): boolean {
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  return at <= Date.now();
}
