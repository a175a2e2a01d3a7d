// Original file: proto/keyvalue.proto

import type { Compare as _Compare, Compare__Output as _Compare__Output } from './Compare';
import type { RequestOp as _RequestOp, RequestOp__Output as _RequestOp__Output } from './RequestOp';

/**
 * An atomic transaction: if every compare holds, the success ops run, else the failure ops.
 */
export interface TxnRequest {
  /**
   * The conditions, at most 128, all evaluated against durable state.
   */
  'compare'?: (_Compare)[];
  /**
   * The ops run when every compare holds, at most 128, in order; no key written twice.
   */
  'success'?: (_RequestOp)[];
  /**
   * The ops run otherwise, at most 128.
   */
  'failure'?: (_RequestOp)[];
}

/**
 * An atomic transaction: if every compare holds, the success ops run, else the failure ops.
 */
export interface TxnRequest__Output {
  /**
   * The conditions, at most 128, all evaluated against durable state.
   */
  'compare': (_Compare__Output)[];
  /**
   * The ops run when every compare holds, at most 128, in order; no key written twice.
   */
  'success': (_RequestOp__Output)[];
  /**
   * The ops run otherwise, at most 128.
   */
  'failure': (_RequestOp__Output)[];
}
