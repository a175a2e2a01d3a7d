import {
  clippedFilter,
  InvalidRequestError,
  watchFilterOf,
  type KeyEntry,
  type Limits,
  type WatchFilter,
  type WatchSelector,
} from '../../core';
import type { Principal } from '../call/call';
import type { Refusal } from '../call/refusal';

/** A watch as a transport decoded it. */
export interface WatchRequest {
  readonly selector: WatchSelector;
  /** The first revision to deliver; undefined: after the current one. */
  readonly startRevision?: number;
  /** Whether events carry the key's entry before the change. */
  readonly prevValue: boolean;
}

/**
 * The filter a principal may watch with: a single key outside its `kvs_prefixes` is refused
 * (as Get is), a prefix or range reaching outside them is clipped to them (as Range is: only
 * permitted keys are delivered). Throws the core's errors for a bad selector or key.
 */
export function authorizedWatchFilter(
  selector: WatchSelector,
  limits: Limits,
  principal: Principal | undefined,
): WatchFilter | Refusal {
  const filter = watchFilterOf(selector, limits);
  const prefixes = principal?.prefixes;
  if (prefixes === undefined) return filter;
  const { key } = selector;
  if (key !== undefined && !prefixes.some((prefix) => key.startsWith(prefix))) {
    return { code: 'PERMISSION_DENIED', message: 'this token may not touch this key' };
  }
  return clippedFilter(filter, prefixes);
}

/** A start revision from its text (a query parameter, Last-Event-ID, an int64 field); throws InvalidRequestError. */
export function parseRevision(text: string, what: string): number {
  const revision = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(revision)) throw new InvalidRequestError(`${what} must be a revision (a whole number)`);
  return revision;
}

/** A key's entry with the wire's field names (the proto's Entry, the SSE events' JSON): both transports send this. */
export function entryOnWire(entry: KeyEntry): {
  key: string;
  value: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  expires_at_ms?: number;
  lease?: number;
} {
  const wire: ReturnType<typeof entryOnWire> = {
    key: entry.key,
    value: entry.value,
    create_revision: entry.createRevision,
    mod_revision: entry.modRevision,
    version: entry.version,
  };
  // A generation with a TTL shows its deadline (Unix ms), one attached to a lease the lease's
  // id; each field is absent (0 in proto) otherwise.
  if (entry.expiresAt !== undefined) wire.expires_at_ms = entry.expiresAt;
  if (entry.lease !== undefined) wire.lease = entry.lease;
  return wire;
}
