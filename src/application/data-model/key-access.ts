import { boundsOf, boundsWithin, keysOf, type KeySelector, type Limits, type TxnRequest } from '../../core';
import type { Principal } from '../call/call';
import type { Refusal } from '../call/refusal';

/**
 * Authorization of the operations that name many keys (Range, DeleteRange, Txn), for every
 * transport: their rows have no single key for the pipeline to check, so their handlers ask here.
 * A read is clipped to the token's `kvs_prefixes` (RangeQuery.within); a write is refused unless
 * every key it can touch lies inside them. No principal (authentication off): no restriction.
 */

/** Whether the principal may touch `key` (inside its prefixes, or it has none). */
export function permitsKey(principal: Principal | undefined, key: string): boolean {
  const prefixes = principal?.prefixes;
  return prefixes === undefined || prefixes.some((prefix) => key.startsWith(prefix));
}

/**
 * What a lease revoke may delete for the principal (KeyValueStore.revokeLease refuses the revoke
 * when the lease holds a key outside it); undefined when it may delete any key.
 */
export function revokableKeys(principal: Principal | undefined): ((key: string) => boolean) | undefined {
  if (principal?.prefixes === undefined) return undefined;
  return (key) => permitsKey(principal, key);
}

/**
 * The refusal when a delete of the selector could remove a key outside the principal's prefixes,
 * else undefined. Throws the core's errors for a bad selector, as the delete itself would.
 */
export function deleteRangeRefusal(
  selector: KeySelector,
  limits: Limits,
  principal: Principal | undefined,
): Refusal | undefined {
  const prefixes = principal?.prefixes;
  if (prefixes === undefined || boundsWithin(boundsOf(selector, limits), prefixes)) return undefined;
  return {
    code: 'PERMISSION_DENIED',
    message: 'this token may not touch every key of the range; stay inside its prefixes',
  };
}

/**
 * The refusal when the principal may not run the transaction, else undefined: every key it names,
 * compares included, must lie inside the prefixes, and compares and gets reveal stored state, so
 * they need kvs:read besides the kvs:write of the row.
 */
export function txnRefusal(txn: TxnRequest, principal: Principal | undefined): Refusal | undefined {
  if (principal === undefined) return undefined;
  const reads = txn.compare.length > 0 || [...txn.success, ...txn.failure].some((op) => op.type === 'get');
  if (reads && !principal.scopes.has('kvs:read')) {
    return { code: 'PERMISSION_DENIED', message: 'a transaction with compares or gets needs scope kvs:read too' };
  }
  if (keysOf(txn).every((key) => permitsKey(principal, key))) return undefined;
  return { code: 'PERMISSION_DENIED', message: 'this token may not touch every key of the transaction' };
}
