// Original file: proto/keyvalue.proto

/**
 * The kind of change.
 */
export const EventType = {
  /**
   * The key was written.
   */
  PUT: 'PUT',
  /**
   * The key was deleted.
   */
  DELETE: 'DELETE',
} as const;

/**
 * The kind of change.
 */
export type EventType =
  /**
   * The key was written.
   */
  | 'PUT'
  | 0
  /**
   * The key was deleted.
   */
  | 'DELETE'
  | 1

/**
 * The kind of change.
 */
export type EventType__Output = typeof EventType[keyof typeof EventType]
