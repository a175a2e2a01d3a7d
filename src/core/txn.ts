import { InvalidRequestError } from './errors';
import { compareKeys } from './key-order';
import { checkKey, checkTtl, checkValue, MAX_TXN_OPS, type Limits } from './limits';
import type { KeyEntry } from './ordered-index';

/** What a compare looks at: one of the key's revisions, its value, or whether it is live. */
export type CompareTarget = 'modRevision' | 'createRevision' | 'version' | 'value' | 'exists';

/** How a compare relates the key's target to the operand. */
export type CompareOp = '==' | '!=' | '<' | '>';

/**
 * One condition of a transaction (etcd's Compare). An absent key has revisions and version 0;
 * a value compare on an absent key is false whatever the op; `exists` takes == and != only.
 */
export interface Compare {
  readonly key: string;
  readonly target: CompareTarget;
  readonly op: CompareOp;
  /** A number for the revisions and version, a string for value, a boolean for exists. */
  readonly operand: number | string | boolean;
}

/** One operation of a transaction branch. */
export type TxnOp =
  | {
      readonly type: 'put';
      readonly key: string;
      readonly value: string;
      readonly ttlMs?: number;
      readonly lease?: number;
    }
  | { readonly type: 'delete'; readonly key: string }
  | { readonly type: 'get'; readonly key: string };

/** A transaction: if every compare holds, the success ops run, else the failure ops. */
export interface TxnRequest {
  readonly compare: readonly Compare[];
  readonly success: readonly TxnOp[];
  readonly failure: readonly TxnOp[];
}

/** What one op of the branch that ran did: a get sees the writes of the ops before it. */
export type TxnOpResult =
  | { readonly type: 'put'; readonly revision: number }
  | { readonly type: 'delete'; readonly deleted: boolean }
  | { readonly type: 'get'; readonly entry: KeyEntry | undefined };

/** What a transaction answers. */
export interface TxnResult {
  /** Whether every compare held (so the success branch ran). */
  readonly succeeded: boolean;
  /** The transaction's revision when it wrote, else the store revision it read at. */
  readonly revision: number;
  readonly results: readonly TxnOpResult[];
}

/** Throws InvalidKeyError, InvalidValueError or InvalidRequestError unless the transaction can run. */
export function checkTxn(txn: TxnRequest, limits: Limits): void {
  if (txn.compare.length > MAX_TXN_OPS) throw new InvalidRequestError(`at most ${MAX_TXN_OPS} compares`);
  for (const compare of txn.compare) checkCompare(compare, limits);
  for (const branch of [txn.success, txn.failure]) {
    if (branch.length > MAX_TXN_OPS) throw new InvalidRequestError(`at most ${MAX_TXN_OPS} ops per branch`);
    const written = new Set<string>();
    for (const op of branch) {
      checkKey(op.key, limits);
      if (op.type === 'put') checkValue(op.value, limits);
      if (op.type === 'put' && op.ttlMs !== undefined) checkTtl(op.ttlMs, limits);
      if (op.type === 'get') continue;
      // One revision holds one write per key, as in etcd.
      if (written.has(op.key)) throw new InvalidRequestError('a branch writes the same key twice');
      written.add(op.key);
    }
  }
}

function checkCompare(compare: Compare, limits: Limits): void {
  checkKey(compare.key, limits);
  const { target, op, operand } = compare;
  if (!['==', '!=', '<', '>'].includes(op)) throw new InvalidRequestError(`unknown compare op ${String(op)}`);
  switch (target) {
    case 'modRevision':
    case 'createRevision':
    case 'version':
      if (typeof operand !== 'number' || !Number.isSafeInteger(operand) || operand < 0) {
        throw new InvalidRequestError(`a ${target} compare needs a whole number operand`);
      }
      return;
    case 'value':
      if (typeof operand !== 'string') throw new InvalidRequestError('a value compare needs a string operand');
      checkValue(operand, limits);
      return;
    case 'exists':
      if (typeof operand !== 'boolean') throw new InvalidRequestError('an exists compare needs a boolean operand');
      if (op !== '==' && op !== '!=') throw new InvalidRequestError('an exists compare takes == or != only');
      return;
    default:
      throw new InvalidRequestError(`unknown compare target ${String(target)}`);
  }
}

/** Whether the compare holds for the key's entry (undefined when absent). */
export function compareHolds(compare: Compare, entry: KeyEntry | undefined): boolean {
  const { target, op, operand } = compare;
  if (target === 'exists') return (entry !== undefined) === operand ? op === '==' : op === '!=';
  // Values order as keys do, by their UTF-8 bytes.
  if (target === 'value') return entry !== undefined && holds(compareKeys(entry.value, operand as string), op);
  return holds((entry === undefined ? 0 : entry[target]) - (operand as number), op);
}

/** Whether an ordering (negative, 0, positive: actual against operand) satisfies the op. */
function holds(order: number, op: CompareOp): boolean {
  switch (op) {
    case '==':
      return order === 0;
    case '!=':
      return order !== 0;
    case '<':
      return order < 0;
    case '>':
      return order > 0;
  }
}

/** Every key the transaction names, compares and both branches included. */
export function keysOf(txn: TxnRequest): string[] {
  return [...new Set([...txn.compare, ...txn.success, ...txn.failure].map((item) => item.key))];
}
