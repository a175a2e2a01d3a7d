// Original file: proto/keyvalue.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A key with its value and the revisions that describe its history (etcd's KeyValue).
 */
export interface Entry {
  /**
   * The key.
   */
  'key'?: (string);
  /**
   * Its value ("" in a delete event).
   */
  'value'?: (string);
  /**
   * Revision of the write that created the key's current generation (0 in a delete event).
   */
  'create_revision'?: (number | string | Long);
  /**
   * Revision of the key's last write (in a delete event: the delete's revision).
   */
  'mod_revision'?: (number | string | Long);
  /**
   * Writes since the key was created: 1 after its first put (0 in a delete event).
   */
  'version'?: (number | string | Long);
  /**
   * TTL and leases: the generation's deadline, Unix ms (0: none).
   */
  'expires_at_ms'?: (number | string | Long);
  /**
   * TTL and leases: the lease the generation is attached to (0: none; 0 in a delete event).
   */
  'lease'?: (number | string | Long);
}

/**
 * A key with its value and the revisions that describe its history (etcd's KeyValue).
 */
export interface Entry__Output {
  /**
   * The key.
   */
  'key': (string);
  /**
   * Its value ("" in a delete event).
   */
  'value': (string);
  /**
   * Revision of the write that created the key's current generation (0 in a delete event).
   */
  'create_revision': (string);
  /**
   * Revision of the key's last write (in a delete event: the delete's revision).
   */
  'mod_revision': (string);
  /**
   * Writes since the key was created: 1 after its first put (0 in a delete event).
   */
  'version': (string);
  /**
   * TTL and leases: the generation's deadline, Unix ms (0: none).
   */
  'expires_at_ms': (string);
  /**
   * TTL and leases: the lease the generation is attached to (0: none; 0 in a delete event).
   */
  'lease': (string);
}
