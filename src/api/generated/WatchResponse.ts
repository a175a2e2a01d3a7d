// Original file: proto/keyvalue.proto

import type { WatchEvent as _WatchEvent, WatchEvent__Output as _WatchEvent__Output } from './WatchEvent';
import type { Long } from '@grpc/proto-loader';

/**
 * One message of a watch stream: every event of one revision, or a heartbeat.
 */
export interface WatchResponse {
  /**
   * The revision of the events; for a heartbeat, the store revision up to which every change
   * has been delivered.
   */
  'revision'?: (number | string | Long);
  /**
   * The revision's changes to the watched keys, in the write's order (never split).
   */
  'events'?: (_WatchEvent)[];
  /**
   * True for a progress heartbeat (no events), sent to an idle stream every KVS_WATCH_HEARTBEAT_MS.
   */
  'heartbeat'?: (boolean);
}

/**
 * One message of a watch stream: every event of one revision, or a heartbeat.
 */
export interface WatchResponse__Output {
  /**
   * The revision of the events; for a heartbeat, the store revision up to which every change
   * has been delivered.
   */
  'revision': (string);
  /**
   * The revision's changes to the watched keys, in the write's order (never split).
   */
  'events': (_WatchEvent__Output)[];
  /**
   * True for a progress heartbeat (no events), sent to an idle stream every KVS_WATCH_HEARTBEAT_MS.
   */
  'heartbeat': (boolean);
}
