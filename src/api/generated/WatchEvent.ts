// Original file: proto/keyvalue.proto

import type { EventType as _EventType, EventType__Output as _EventType__Output } from './EventType';
import type { Entry as _Entry, Entry__Output as _Entry__Output } from './Entry';

/**
 * One key's change.
 */
export interface WatchEvent {
  /**
   * Put or delete.
   */
  'type'?: (_EventType);
  /**
   * The key after the change (see Entry for a delete).
   */
  'entry'?: (_Entry | null);
  /**
   * The key before the change, when prev_value was asked for and the key existed.
   */
  'prev_entry'?: (_Entry | null);
}

/**
 * One key's change.
 */
export interface WatchEvent__Output {
  /**
   * Put or delete.
   */
  'type': (_EventType__Output);
  /**
   * The key after the change (see Entry for a delete).
   */
  'entry': (_Entry__Output | null);
  /**
   * The key before the change, when prev_value was asked for and the key existed.
   */
  'prev_entry': (_Entry__Output | null);
}
