// Original file: proto/keyvalue.proto

/**
 * How a compare relates the target to the operand.
 */
export const CompareOp = {
  /**
   * Not an op: refused (INVALID_REQUEST).
   */
  COMPARE_OP_UNSPECIFIED: 'COMPARE_OP_UNSPECIFIED',
  /**
   * ==
   */
  EQUAL: 'EQUAL',
  /**
   * !=
   */
  NOT_EQUAL: 'NOT_EQUAL',
  /**
   * <
   */
  LESS: 'LESS',
  /**
   * >
   */
  GREATER: 'GREATER',
} as const;

/**
 * How a compare relates the target to the operand.
 */
export type CompareOp =
  /**
   * Not an op: refused (INVALID_REQUEST).
   */
  | 'COMPARE_OP_UNSPECIFIED'
  | 0
  /**
   * ==
   */
  | 'EQUAL'
  | 1
  /**
   * !=
   */
  | 'NOT_EQUAL'
  | 2
  /**
   * <
   */
  | 'LESS'
  | 3
  /**
   * >
   */
  | 'GREATER'
  | 4

/**
 * How a compare relates the target to the operand.
 */
export type CompareOp__Output = typeof CompareOp[keyof typeof CompareOp]
