import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import type { KeyValueStore } from '../../core';
import type { KeyValueHandlers } from '../../api/generated/KeyValue';
import type { Logger } from '../../platform/logging/logger';
import { answerUnary } from './unary-answer';
import type { WatchService } from '../../application/watch/watch-service';
import { watchHandler } from './watch-handler';
import { expiresAtOf } from '../../application/expiry/expires-at';
import { grpcPutOptions } from './lease-handlers';

/** The KeyValue service implementation: each unary RPC is one call on the core store; Watch streams from the watch service. */
export function keyValueHandlers(store: KeyValueStore, watches: WatchService, logger: Logger): KeyValueHandlers {
  const answer = <Request extends object, Response>(
    call: ServerUnaryCall<Request, Response>,
    callback: sendUnaryData<Response>,
    work: (request: Request) => Response | Promise<Response>,
  ): void => answerUnary(call, callback, logger, work);

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
