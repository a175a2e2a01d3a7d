import type { ServerDuplexStream } from '@grpc/grpc-js';
import { InvalidRequestError, type KeyValueStore, type PutOptions } from '../../core';
import type { LeaseHandlers } from '../../api/generated/Lease';
import type { LeaseKeepAliveRequest__Output } from '../../api/generated/LeaseKeepAliveRequest';
import type { LeaseKeepAliveResponse } from '../../api/generated/LeaseKeepAliveResponse';
import type { Logger } from '../../platform/logging/logger';
import { revokableKeys } from '../../application/data-model/key-access';
import { callOfMetadata } from './grpc-call-adapter';
import { toGrpcFailure } from './grpc-status';
import { wireRejectionOf } from './request-wire-check';
import { answerUnary } from './unary-answer';

/** An int64 field as the loader gives it (a decimal string); InvalidRequestError beyond 2^53 or below 0. */
export function int64Of(text: string | number, field: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidRequestError(`${field} must be from 0 to 2^53-1`);
  return value;
}

/** What PutRequest.ttl_ms and PutRequest.lease ask of the key's new generation (0: not set). */
export function grpcPutOptions(ttlMs: string, lease: string): PutOptions {
  const ttl = int64Of(ttlMs, 'ttl_ms');
  const id = int64Of(lease, 'lease');
  return { ...(ttl === 0 ? {} : { ttlMs: ttl }), ...(id === 0 ? {} : { lease: id }) };
}

/** The Lease service (etcd's model): each unary RPC one call on the store; KeepAlive renews per message. */
export function leaseHandlers(store: KeyValueStore, logger: Logger): LeaseHandlers {
  return {
    Grant: (call, callback) =>
      answerUnary(call, callback, logger, async ({ ttl_ms }) => {
        const { id, ttlMs, revision } = await store.grantLease(int64Of(ttl_ms, 'ttl_ms'));
        return { id, ttl_ms: ttlMs, revision };
      }),
    Revoke: (call, callback) =>
      answerUnary(call, callback, logger, async ({ id }) => {
        const { revision, deleted } = await store.revokeLease(
          int64Of(id, 'id'),
          revokableKeys(callOfMetadata(call.metadata)?.principal),
        );
        return { revision, deleted };
      }),
    TimeToLive: (call, callback) =>
      answerUnary(call, callback, logger, ({ id }) => {
        const status = store.leaseStatus(int64Of(id, 'id'));
        const remaining = Math.max(0, status.remainingMs);
        return { id: status.id, ttl_ms: status.ttlMs, remaining_ms: remaining, keys: [...status.keys] };
      }),
    KeepAlive: (call) => keepAlive(call, store, logger),
  };
}

/**
 * Answers each keepalive with the renewed lease, in request order (a shared log makes each one
 * a durable write, answered once logged); ends the stream with NOT_FOUND once the lease is gone.
 */
function keepAlive(
  call: ServerDuplexStream<LeaseKeepAliveRequest__Output, LeaseKeepAliveResponse>,
  store: KeyValueStore,
  logger: Logger,
): void {
  let ended = false;
  let answered: Promise<void> = Promise.resolve();
  const renew = async (request: LeaseKeepAliveRequest__Output): Promise<void> => {
    if (ended) return;
    try {
      const rejection = wireRejectionOf(request);
      if (rejection) throw rejection;
      const { id, ttlMs } = await store.keepAliveLease(int64Of(request.id, 'id'));
      if (!ended) call.write({ id, ttl_ms: ttlMs });
    } catch (error) {
      if (ended) return;
      ended = true;
      call.emit('error', toGrpcFailure(error, logger));
    }
  };
  call.on('data', (request: LeaseKeepAliveRequest__Output) => {
    answered = answered.then(() => renew(request));
  });
  call.on('end', () => {
    void answered.then(() => {
      if (!ended) call.end();
    });
  });
  // A client gone mid-stream needs nothing from us.
  call.on('error', () => undefined);
}
