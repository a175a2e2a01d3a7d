import { Metadata, type ServerWritableStream } from '@grpc/grpc-js';
import type { KeyValueStore } from '../../core';
import type { KvsAdminHandlers } from '../../api/generated/KvsAdmin';
import type { SnapshotChunk } from '../../api/generated/SnapshotChunk';
import type { SnapshotRequest__Output } from '../../api/generated/SnapshotRequest';
import { drainedOrClosed, streamSnapshot, type SnapshotSink } from '../../application/snapshot/snapshot-stream';
import { toGrpcFailure } from './grpc-status';
import type { Logger } from '../../platform/logging/logger';
import { wireRejectionOf } from './request-wire-check';

/** A SnapshotChunk carries at most this many bytes (the proto's promise), well under any client's message limit. */
const MAX_PIECE_BYTES = 1024 * 1024;

type SnapshotCall = ServerWritableStream<SnapshotRequest__Output, SnapshotChunk>;

/** The KvsAdmin service (proto/kvs_admin.proto): operator RPCs, each one call on the core store. */
export function adminHandlers(store: KeyValueStore, logger: Logger): KvsAdminHandlers {
  return {
    Compact: (call, callback) => {
      const rejection = wireRejectionOf(call.request);
      if (rejection) {
        callback(toGrpcFailure(rejection, logger));
        return;
      }
      store.compact().then(
        (report) =>
          callback(null, {
            bytes_before: report.bytesBefore,
            bytes_after: report.bytesAfter,
            live_bytes: report.liveBytes,
            duration_ms: report.durationMs,
          }),
        (error: unknown) => callback(toGrpcFailure(error, logger)),
      );
    },
    Snapshot: (call: SnapshotCall) => {
      const rejection = wireRejectionOf(call.request);
      if (rejection) {
        call.emit('error', toGrpcFailure(rejection, logger));
        return;
      }
      const view = store.view();
      const metadata = new Metadata();
      metadata.set('kvs-revision', String(view.revision));
      call.sendMetadata(metadata);
      streamSnapshot(view, streamSink(call), logger).then(
        (sent) => {
          if (sent.complete) call.end();
        },
        (error: unknown) => call.emit('error', toGrpcFailure(error, logger)),
      );
    },
  };
}

/** The server stream as a snapshot's sink: pieces of at most MAX_PIECE_BYTES, with back-pressure, until cancelled. */
function streamSink(call: SnapshotCall): SnapshotSink {
  let cancelled = false;
  call.once('cancelled', () => (cancelled = true));
  return {
    write: (bytes) => {
      let room = true;
      for (let at = 0; at < bytes.length; at += MAX_PIECE_BYTES) {
        room = call.write({ data: bytes.subarray(at, at + MAX_PIECE_BYTES) });
      }
      return room;
    },
    drained: () => drainedOrClosed(call, 'cancelled', cancelled),
    get closed() {
      return cancelled;
    },
  };
}
