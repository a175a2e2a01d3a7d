// Original file: proto/keyvalue.proto

/**
 * What a compare looks at.
 */
export const CompareTarget = {
  /**
   * Not a target: refused (INVALID_REQUEST).
   */
  COMPARE_TARGET_UNSPECIFIED: 'COMPARE_TARGET_UNSPECIFIED',
  /**
   * The key's mod_revision (0 when absent); operand: number.
   */
  MOD_REVISION: 'MOD_REVISION',
  /**
   * The key's create_revision (0 when absent); operand: number.
   */
  CREATE_REVISION: 'CREATE_REVISION',
  /**
   * The key's version (0 when absent); operand: number.
   */
  VERSION: 'VERSION',
  /**
   * The key's value, by UTF-8 bytes (false for an absent key, whatever the op); operand: value.
   */
  VALUE: 'VALUE',
  /**
   * Whether the key is live; operand: exists; EQUAL and NOT_EQUAL only.
   */
  EXISTS: 'EXISTS',
} as const;

/**
 * What a compare looks at.
 */
export type CompareTarget =
  /**
   * Not a target: refused (INVALID_REQUEST).
   */
  | 'COMPARE_TARGET_UNSPECIFIED'
  | 0
  /**
   * The key's mod_revision (0 when absent); operand: number.
   */
  | 'MOD_REVISION'
  | 1
  /**
   * The key's create_revision (0 when absent); operand: number.
   */
  | 'CREATE_REVISION'
  | 2
  /**
   * The key's version (0 when absent); operand: number.
   */
  | 'VERSION'
  | 3
  /**
   * The key's value, by UTF-8 bytes (false for an absent key, whatever the op); operand: value.
   */
  | 'VALUE'
  | 4
  /**
   * Whether the key is live; operand: exists; EQUAL and NOT_EQUAL only.
   */
  | 'EXISTS'
  | 5

/**
 * What a compare looks at.
 */
export type CompareTarget__Output = typeof CompareTarget[keyof typeof CompareTarget]
