// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Asks for the value stored under a key.
 */
export interface GetRequest {
  /**
   * The key to read: non-empty UTF-8, at most the key limit in bytes.
   */
  'key'?: (string);
  /**
   * ---- Read consistency (scale-out, issue 21; docs/scale-out.md) ----
   * Answer from a state at least this recent (read-your-writes across replicas: pass the
   * revision a write answered); 0: whatever this replica has. Ignored in a Txn's get ops.
   */
  'min_revision'?: (number | string | Long);
  /**
   * Answer only once this replica has applied the head revision it confirmed with the log (a
   * read that sees every write acknowledged before it began). Ignored in a Txn's get ops.
   * Either one that cannot be satisfied within the deadline (the call's, at most
   * KVS_MAX_READ_WAIT_MS) is UNAVAILABLE with kvs-error-code REPLICA_BEHIND.
   */
  'linearizable'?: (boolean);
}

/**
 * Asks for the value stored under a key.
 */
export interface GetRequest__Output {
  /**
   * The key to read: non-empty UTF-8, at most the key limit in bytes.
   */
  'key': (string);
  /**
   * ---- Read consistency (scale-out, issue 21; docs/scale-out.md) ----
   * Answer from a state at least this recent (read-your-writes across replicas: pass the
   * revision a write answered); 0: whatever this replica has. Ignored in a Txn's get ops.
   */
  'min_revision': (string);
  /**
   * Answer only once this replica has applied the head revision it confirmed with the log (a
   * read that sees every write acknowledged before it began). Ignored in a Txn's get ops.
   * Either one that cannot be satisfied within the deadline (the call's, at most
   * KVS_MAX_READ_WAIT_MS) is UNAVAILABLE with kvs-error-code REPLICA_BEHIND.
   */
  'linearizable': (boolean);
}
