import { NoSuchKeyError, type KeyValueStore } from '../../core';
import type { KeyValueHandlers } from '../../api/generated/KeyValue';
import type { GetResponse } from '../../api/generated/GetResponse';
import type { Logger } from '../../platform/logging/logger';
import type { WatchService } from '../../application/watch/watch-service';
import type { ReadConsistency } from '../../application/consistency/read-consistency';
import { entryOnWire } from '../../application/watch/watch-request';
import { deleteRangeRefusal, txnRefusal } from '../../application/data-model/key-access';
import { watchHandler } from './watch-handler';
import { answerUnary } from './unary-answer';
import { expiresAtOf } from '../../application/expiry/expires-at';
import { grpcPutOptions } from './lease-handlers';
import { callOfMetadata } from './grpc-call-adapter';
import { HandlerRefusal } from './grpc-status';
import {
  deadlineOf,
  deleteSelectorOf,
  getResponseOf,
  rangeQueryOf,
  readRequirementOf,
  responseOpsOf,
  txnRequestOf,
  writeConditionOf,
} from './data-model-messages';

/**
 * The KeyValue service implementation: each unary RPC is one call on the core store; Watch
 * streams from the watch service. Range, DeleteRange and Txn name many keys, so they authorize
 * them here against the caller's principal (the pipeline checked the row's scope). Get and
 * Range first wait for what `reads` asks (min_revision, linearizable), within the call's deadline.
 */
export function keyValueHandlers(
  store: KeyValueStore,
  watches: WatchService,
  logger: Logger,
  reads: ReadConsistency,
): KeyValueHandlers {
  const principalOf = (call: { metadata: Parameters<typeof callOfMetadata>[0] }) =>
    callOfMetadata(call.metadata)?.principal;
  /** The key's entry at the store's revision, or NOT_FOUND. */
  const read = (key: string): GetResponse => {
    const { entry, revision } = store.read(key);
    if (entry === undefined) throw new NoSuchKeyError(key);
    return getResponseOf(entry, revision, expiresAtOf(store, entry));
  };
  return {
    Get: (call, callback) =>
      answerUnary(call, callback, logger, (request) => {
        const waited = reads.satisfy(readRequirementOf(request), deadlineOf(call));
        return waited === undefined ? read(request.key) : waited.then(() => read(request.key));
      }),
    Put: (call, callback) =>
      answerUnary(call, callback, logger, async (request) => {
        const options = grpcPutOptions(request.ttl_ms, request.lease);
        const { revision } = await store.put(request.key, request.value, writeConditionOf(request), options);
        return { revision };
      }),
    Delete: (call, callback) =>
      answerUnary(call, callback, logger, async (request) => store.delete(request.key, writeConditionOf(request))),
    Watch: watchHandler(watches, store.limits, logger),
    Range: (call, callback) =>
      answerUnary(call, callback, logger, async (request) => {
        const query = rangeQueryOf(request, principalOf(call)?.prefixes);
        await reads.satisfy(readRequirementOf(request), deadlineOf(call));
        const page = store.range(query);
        return {
          entries: page.entries.map(entryOnWire),
          revision: page.revision,
          next_start_after: page.nextStartAfter ?? '',
          more: page.more,
        };
      }),
    DeleteRange: (call, callback) =>
      answerUnary(call, callback, logger, (request) => {
        const selector = deleteSelectorOf(request);
        const refusal = deleteRangeRefusal(selector, store.limits, principalOf(call));
        if (refusal) throw new HandlerRefusal(refusal);
        return store.deleteRange(selector);
      }),
    Txn: (call, callback) =>
      answerUnary(call, callback, logger, async (request) => {
        const txn = txnRequestOf(request);
        const refusal = txnRefusal(txn, principalOf(call));
        if (refusal) throw new HandlerRefusal(refusal);
        const result = await store.txn(txn);
        return { succeeded: result.succeeded, revision: result.revision, results: responseOpsOf(result) };
      }),
  };
}
