import type { KeyEntry, KeyValueStore } from '../../core';

/**
 * When a key's generation ends (Unix ms; 0: never): its own deadline, or its lease's current
 * one (which keepalives move on). What GetResponse.expires_at_ms and X-Kvs-Expires-At show.
 */
export function expiresAtOf(store: Pick<KeyValueStore, 'leaseStatus'>, entry: KeyEntry): number {
  if (entry.expiresAt !== undefined) return entry.expiresAt;
  if (entry.lease === undefined) return 0;
  try {
    return store.leaseStatus(entry.lease).deadline;
  } catch {
    // The lease ended between the read and now: the key is going with it.
    return 0;
  }
}
