import type { KeyValueStore } from '../../core';
import type { KvsAdminHandlers } from '../../api/generated/KvsAdmin';
import { toGrpcFailure } from './grpc-status';
import type { Logger } from '../../platform/logging/logger';
import { wireRejectionOf } from './request-wire-check';

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
  };
}
