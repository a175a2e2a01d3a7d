import { keysOf, withinPrefixes, type KeyBounds, type TxnRequest } from '../../core';
import type { Principal } from '../call/call';
import type { Refusal } from '../call/refusal';
import { forbidden } from '../policies/auth';

/**
 * Authorization of the operations that name many keys in their body or query rather than one
 * in their path (the auth policy checks a row's scope, and the key of a row that has one):
 * a delete of a range and a transaction. Range reads are not refused but clipped to the
 * token's prefixes (`KeyValueStore.range(query, principal.prefixes)`), as watches are.
 */

/**
 * The 403 when `principal` may not delete every key of `bounds` (a selector's, `boundsOf`): the
 * whole range must lie inside its `kvs_prefixes`, so a delete never removes a key the token
 * could not see.
 */
export function authorizeDeleteRange(bounds: KeyBounds, principal: Principal | undefined): Refusal | undefined {
  const prefixes = principal?.prefixes;
  if (prefixes === undefined || withinPrefixes(bounds, prefixes)) return undefined;
  return forbidden('this token may not delete keys outside its prefixes', 'kvs:write');
}

/**
 * The 403 when `principal` may not run `txn`: every key it names (its compares' too) must lie
 * inside the token's `kvs_prefixes`, and compares and gets read, so they need `kvs:read` beside
 * the `kvs:write` the Txn row asks of every transaction.
 */
export function authorizeTxn(txn: TxnRequest, principal: Principal | undefined): Refusal | undefined {
  if (principal === undefined) return undefined;
  const reads = txn.compare.length > 0 || [...txn.success, ...txn.failure].some((op) => op.type === 'get');
  if (reads && !principal.scopes.has('kvs:read')) {
    return forbidden('a transaction with compares or gets needs scope kvs:read', 'kvs:read');
  }
  const { prefixes } = principal;
  if (prefixes === undefined) return undefined;
  const outside = keysOf(txn).some((key) => !prefixes.some((prefix) => key.startsWith(prefix)));
  return outside ? forbidden('this transaction names a key outside the token prefixes', 'kvs:write') : undefined;
}
