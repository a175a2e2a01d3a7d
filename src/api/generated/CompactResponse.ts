// Original file: proto/kvs_admin.proto

import type { Long } from '@grpc/proto-loader';

/**
 * What the compaction did. Sizes are bytes of the log's own storage.
 */
export interface CompactResponse {
  'bytes_before'?: (number | string | Long);
  'bytes_after'?: (number | string | Long);
  'live_bytes'?: (number | string | Long);
  'duration_ms'?: (number | string | Long);
}

/**
 * What the compaction did. Sizes are bytes of the log's own storage.
 */
export interface CompactResponse__Output {
  'bytes_before': (string);
  'bytes_after': (string);
  'live_bytes': (string);
  'duration_ms': (string);
}
