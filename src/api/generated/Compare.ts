// Original file: proto/keyvalue.proto

import type { CompareTarget as _CompareTarget, CompareTarget__Output as _CompareTarget__Output } from './CompareTarget';
import type { CompareOp as _CompareOp, CompareOp__Output as _CompareOp__Output } from './CompareOp';
import type { Long } from '@grpc/proto-loader';

/**
 * One condition of a transaction (etcd's Compare).
 */
export interface Compare {
  /**
   * The key compared.
   */
  'key'?: (string);
  /**
   * What of the key is compared.
   */
  'target'?: (_CompareTarget);
  /**
   * How it is compared.
   */
  'op'?: (_CompareOp);
  /**
   * For MOD_REVISION, CREATE_REVISION and VERSION: a whole number, at least 0.
   */
  'number'?: (number | string | Long);
  /**
   * For VALUE.
   */
  'value'?: (string);
  /**
   * For EXISTS.
   */
  'exists'?: (boolean);
  /**
   * What it is compared with; its kind must match the target.
   */
  'operand'?: "number"|"value"|"exists";
}

/**
 * One condition of a transaction (etcd's Compare).
 */
export interface Compare__Output {
  /**
   * The key compared.
   */
  'key': (string);
  /**
   * What of the key is compared.
   */
  'target': (_CompareTarget__Output);
  /**
   * How it is compared.
   */
  'op': (_CompareOp__Output);
  /**
   * For MOD_REVISION, CREATE_REVISION and VERSION: a whole number, at least 0.
   */
  'number'?: (string);
  /**
   * For VALUE.
   */
  'value'?: (string);
  /**
   * For EXISTS.
   */
  'exists'?: (boolean);
  /**
   * What it is compared with; its kind must match the target.
   */
  'operand'?: "number"|"value"|"exists";
}
