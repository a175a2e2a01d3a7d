// Original file: proto/keyvalue.proto

import type { PutResponse as _PutResponse, PutResponse__Output as _PutResponse__Output } from './PutResponse';
import type { DeleteResponse as _DeleteResponse, DeleteResponse__Output as _DeleteResponse__Output } from './DeleteResponse';
import type { GetResponse as _GetResponse, GetResponse__Output as _GetResponse__Output } from './GetResponse';

/**
 * What one op of the branch that ran did, in the op's order.
 */
export interface ResponseOp {
  /**
   * A put: revision is the transaction's.
   */
  'put'?: (_PutResponse | null);
  /**
   * A delete: whether the key was live; revision is the transaction's when it was.
   */
  'delete'?: (_DeleteResponse | null);
  /**
   * A get: the key as the op saw it; mod_revision 0 when it was absent.
   */
  'get'?: (_GetResponse | null);
  /**
   * The answer of the op, of the op's kind.
   */
  'response'?: "put"|"delete"|"get";
}

/**
 * What one op of the branch that ran did, in the op's order.
 */
export interface ResponseOp__Output {
  /**
   * A put: revision is the transaction's.
   */
  'put'?: (_PutResponse__Output | null);
  /**
   * A delete: whether the key was live; revision is the transaction's when it was.
   */
  'delete'?: (_DeleteResponse__Output | null);
  /**
   * A get: the key as the op saw it; mod_revision 0 when it was absent.
   */
  'get'?: (_GetResponse__Output | null);
  /**
   * The answer of the op, of the op's kind.
   */
  'response'?: "put"|"delete"|"get";
}
