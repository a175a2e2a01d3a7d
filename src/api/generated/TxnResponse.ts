// Original file: proto/keyvalue.proto

import type { ResponseOp as _ResponseOp, ResponseOp__Output as _ResponseOp__Output } from './ResponseOp';
import type { Long } from '@grpc/proto-loader';

/**
 * What a transaction answers.
 */
export interface TxnResponse {
  /**
   * Whether every compare held (so the success branch ran).
   */
  'succeeded'?: (boolean);
  /**
   * The transaction's revision when it wrote, else the store revision it read at.
   */
  'revision'?: (number | string | Long);
  /**
   * One result per op of the branch that ran.
   */
  'results'?: (_ResponseOp)[];
}

/**
 * What a transaction answers.
 */
export interface TxnResponse__Output {
  /**
   * Whether every compare held (so the success branch ran).
   */
  'succeeded': (boolean);
  /**
   * The transaction's revision when it wrote, else the store revision it read at.
   */
  'revision': (string);
  /**
   * One result per op of the branch that ran.
   */
  'results': (_ResponseOp__Output)[];
}
