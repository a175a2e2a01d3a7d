// Original file: proto/keyvalue.proto

import type { Entry as _Entry, Entry__Output as _Entry__Output } from './Entry';
import type { Long } from '@grpc/proto-loader';

/**
 * A page of a range read.
 */
export interface RangeResponse {
  /**
   * The page's entries, in UTF-8 byte order of their keys.
   */
  'entries'?: (_Entry)[];
  /**
   * The store revision the page was read at.
   */
  'revision'?: (number | string | Long);
  /**
   * When more is true, the last key of the page: pass it as start_after for the next page.
   */
  'next_start_after'?: (string);
  /**
   * Whether keys of the range follow this page.
   */
  'more'?: (boolean);
}

/**
 * A page of a range read.
 */
export interface RangeResponse__Output {
  /**
   * The page's entries, in UTF-8 byte order of their keys.
   */
  'entries': (_Entry__Output)[];
  /**
   * The store revision the page was read at.
   */
  'revision': (string);
  /**
   * When more is true, the last key of the page: pass it as start_after for the next page.
   */
  'next_start_after': (string);
  /**
   * Whether keys of the range follow this page.
   */
  'more': (boolean);
}
