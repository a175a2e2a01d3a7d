import { Metadata, status, type ServerWritableStream } from '@grpc/grpc-js';
import { KVS_ERROR_CODE_METADATA } from '../../api/error-codes';
import type { WatchRequest__Output } from '../../api/generated/WatchRequest';
import type { WatchResponse } from '../../api/generated/WatchResponse';
import type { WatchEvent } from '../../api/generated/WatchEvent';
import { RevisionCompactedError, type Limits, type WatchMessage, type WatchSelector } from '../../core';
import {
  authorizedWatchFilter,
  entryOnWire,
  parseRevision,
  type WatchRequest,
} from '../../application/watch/watch-request';
import {
  WatchersExhaustedError,
  type WatchEnd,
  type WatchService,
  type WatchSink,
  type WatchSession,
} from '../../application/watch/watch-service';
import type { Logger } from '../../platform/logging/logger';
import { grpcRefusal, toGrpcFailure, type GrpcFailure } from './grpc-status';
import { callOfMetadata } from './grpc-call-adapter';
import { wireRejectionOf } from './request-wire-check';

/** Trailing metadata of a REVISION_COMPACTED failure: the oldest revision a watch can start at. */
export const COMPACT_REVISION_METADATA = 'kvs-compact-revision';

type WatchCall = ServerWritableStream<WatchRequest__Output, WatchResponse>;

/** The KeyValue.Watch handler: a server stream, one WatchResponse per revision (docs/watch.md). */
export function watchHandler(watches: WatchService, limits: Limits, logger: Logger): (call: WatchCall) => void {
  return (call: WatchCall) => {
    let request: WatchRequest;
    let session: WatchSession;
    try {
      const rejection = wireRejectionOf(call.request);
      if (rejection) throw rejection;
      request = watchRequestOf(call.request);
      const principal = callOfMetadata(call.metadata)?.principal;
      const filter = authorizedWatchFilter(request.selector, limits, principal);
      if ('code' in filter) {
        call.emit('error', grpcRefusal(filter));
        return;
      }
      session = watches.open('grpc', { filter, startRevision: request.startRevision, expiresAt: principal?.expiresAt });
    } catch (error) {
      call.emit('error', failureOf(error, logger));
      return;
    }
    call.once('cancelled', () => session.cancel());
    void session.run(new GrpcWatchSink(call, request.prevValue, logger));
  };
}

/** The selector of a request: proto3 cannot tell an unset string from "", so key, then start/end, else prefix ("" = all keys). */
function watchRequestOf(message: WatchRequest__Output): WatchRequest {
  const { key, prefix, start, end } = message;
  let selector: WatchSelector;
  if (key !== '')
    selector = { key, prefix: prefix === '' ? undefined : prefix, start: start || undefined, end: end || undefined };
  else if (start !== '' || end !== '')
    selector = { start: start || undefined, end: end || undefined, prefix: prefix || undefined };
  else selector = { prefix };
  const startRevision = parseRevision(String(message.start_revision), 'start_revision');
  return { selector, startRevision: startRevision || undefined, prevValue: message.prev_value };
}

function failureOf(error: unknown, logger: Logger): GrpcFailure {
  if (error instanceof WatchersExhaustedError) return withCode(status.UNAVAILABLE, 'OVERLOADED', error.message);
  const failure = toGrpcFailure(error, logger);
  if (error instanceof RevisionCompactedError)
    failure.metadata?.set(COMPACT_REVISION_METADATA, String(error.compactRevision));
  return failure;
}

function withCode(code: status, kvsCode: string, details: string): GrpcFailure {
  const metadata = new Metadata();
  metadata.set(KVS_ERROR_CODE_METADATA, kvsCode);
  return { code, details, metadata };
}

/** Writes a watch to a grpc-js server stream. */
class GrpcWatchSink implements WatchSink {
  constructor(
    private readonly call: WatchCall,
    private readonly prevValue: boolean,
    private readonly logger: Logger,
  ) {}

  send(message: WatchMessage): void | Promise<void> {
    if (this.call.write(responseOf(message, this.prevValue))) return undefined;
    return new Promise((resolve) => {
      this.call.once('drain', resolve);
      this.call.once('cancelled', resolve);
    });
  }

  close(end: WatchEnd): void {
    this.call.emit('error', endStatus(end, this.logger));
  }
}

function endStatus(end: WatchEnd, logger: Logger): GrpcFailure {
  switch (end.reason) {
    case 'shutdown':
      return {
        code: status.UNAVAILABLE,
        details: `the server is shutting down; resume from revision ${end.revision + 1}`,
      };
    case 'expired':
      return withCode(status.UNAUTHENTICATED, 'UNAUTHENTICATED', 'the token expired; reconnect with a fresh one');
    default:
      return failureOf(end.error, logger);
  }
}

function responseOf(message: WatchMessage, prevValue: boolean): WatchResponse {
  if (message.type === 'progress') return { revision: message.revision, heartbeat: true, events: [] };
  const events = message.events.map(({ type, entry, previous }): WatchEvent => ({
    type: type === 'put' ? 'PUT' : 'DELETE',
    entry: entryOnWire(entry),
    prev_entry: prevValue && previous !== undefined ? entryOnWire(previous) : undefined,
  }));
  return { revision: message.revision, events };
}
