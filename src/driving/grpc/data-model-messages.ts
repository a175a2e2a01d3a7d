import {
  InvalidRequestError,
  type Compare,
  type CompareOp,
  type CompareTarget,
  type KeyEntry,
  type KeySelector,
  type RangeQuery,
  type TxnOp,
  type TxnRequest,
  type TxnResult,
  type WriteCondition,
} from '../../core';
import { parseRevision } from '../../application/watch/watch-request';
import type { ReadRequirement } from '../../application/consistency/read-consistency';
import type { Compare__Output } from '../../api/generated/Compare';
import type { DeleteRangeRequest__Output } from '../../api/generated/DeleteRangeRequest';
import type { GetResponse } from '../../api/generated/GetResponse';
import type { RangeRequest__Output } from '../../api/generated/RangeRequest';
import type { RequestOp__Output } from '../../api/generated/RequestOp';
import type { ResponseOp } from '../../api/generated/ResponseOp';
import type { TxnRequest__Output } from '../../api/generated/TxnRequest';
import { grpcPutOptions } from './lease-handlers';

/**
 * The data model's messages (proto/keyvalue.proto, issue 17) in the core's terms and back.
 * proto3 cannot tell an unset string from "", so "" means "not named" for every selector field;
 * every malformed request becomes InvalidRequestError (INVALID_ARGUMENT), never a server fault.
 */

/** The condition of a Put or Delete: expected_mod_revision (0: absent) or require_exists, not both. */
export function writeConditionOf(message: {
  readonly expected_mod_revision?: string;
  readonly require_exists: boolean;
}): WriteCondition | undefined {
  const expected = message.expected_mod_revision;
  if (expected !== undefined && message.require_exists) {
    throw new InvalidRequestError('name either expected_mod_revision or require_exists, not both');
  }
  if (message.require_exists) return { exists: true };
  if (expected === undefined) return undefined;
  return { modRevision: parseRevision(expected, 'expected_mod_revision') };
}

/**
 * A Get's answer: the value, the key's revisions, its lease and the store revision; an absent key
 * as zeros. `expiresAt` (a Get's, not a transaction's) is the key's deadline, 0 when it has none.
 */
export function getResponseOf(entry: KeyEntry | undefined, revision: number, expiresAt?: number): GetResponse {
  const response: GetResponse = {
    value: entry?.value ?? '',
    create_revision: entry?.createRevision ?? 0,
    mod_revision: entry?.modRevision ?? 0,
    version: entry?.version ?? 0,
    revision,
    lease: entry?.lease ?? 0,
  };
  if (expiresAt !== undefined) response.expires_at_ms = expiresAt;
  return response;
}

/** A Range request as a page query, clipped to `within` (the token's prefixes, when restricted). */
export function rangeQueryOf(message: RangeRequest__Output, within: readonly string[] | undefined): RangeQuery {
  return {
    ...selectorOf(message),
    startAfter: message.start_after || undefined,
    limit: message.limit === 0 ? undefined : message.limit,
    keysOnly: message.keys_only,
    within,
  };
}

/** A DeleteRange request's selector: a prefix, a start/end range, or all (the only way to the empty selector). */
export function deleteSelectorOf(message: DeleteRangeRequest__Output): KeySelector {
  const named = message.prefix !== '' || message.start !== '' || message.end !== '';
  if (message.all) {
    if (named) throw new InvalidRequestError('all deletes every key: name no prefix or range with it');
    return { prefix: '' };
  }
  if (!named) throw new InvalidRequestError('name a prefix, a start/end range, or all = true');
  return selectorOf(message);
}

/** start/end when either is named (with the prefix too if named, which the core refuses), else the prefix. */
function selectorOf(message: { prefix: string; start: string; end: string }): KeySelector {
  const { prefix, start, end } = message;
  if (start === '' && end === '') return { prefix };
  return { prefix: prefix || undefined, start: start || undefined, end: end || undefined };
}

const TARGETS: Readonly<Record<string, CompareTarget>> = {
  MOD_REVISION: 'modRevision',
  CREATE_REVISION: 'createRevision',
  VERSION: 'version',
  VALUE: 'value',
  EXISTS: 'exists',
};

const OPS: Readonly<Record<string, CompareOp>> = { EQUAL: '==', NOT_EQUAL: '!=', LESS: '<', GREATER: '>' };

/** A Txn request in the core's terms (which checks counts, keys, values and operand kinds). */
export function txnRequestOf(message: TxnRequest__Output): TxnRequest {
  return {
    compare: message.compare.map(compareOf),
    success: message.success.map(txnOpOf),
    failure: message.failure.map(txnOpOf),
  };
}

function compareOf(message: Compare__Output): Compare {
  const target = TARGETS[message.target];
  const op = OPS[message.op];
  if (target === undefined) throw new InvalidRequestError('a compare needs a target');
  if (op === undefined) throw new InvalidRequestError('a compare needs an op');
  return { key: message.key, target, op, operand: operandOf(message) };
}

function operandOf(message: Compare__Output): number | string | boolean {
  switch (message.operand) {
    case 'number': {
      const text = message.number ?? '';
      // The core refuses what is not a whole number from 0; here only the text becomes a number.
      return /^-?\d{1,19}$/.test(text) ? Number(text) : NaN;
    }
    case 'value':
      return message.value ?? '';
    case 'exists':
      return message.exists ?? false;
    default:
      throw new InvalidRequestError('a compare needs an operand: number, value or exists');
  }
}

function txnOpOf(message: RequestOp__Output): TxnOp {
  switch (message.op) {
    case 'put': {
      const put = message.put!;
      refuseCondition(put);
      return { type: 'put', key: put.key, value: put.value, ...grpcPutOptions(put.ttl_ms, put.lease) };
    }
    case 'delete': {
      const del = message.delete!;
      refuseCondition(del);
      return { type: 'delete', key: del.key };
    }
    case 'get':
      return { type: 'get', key: message.get!.key };
    default:
      throw new InvalidRequestError('an op needs one of put, delete or get');
  }
}

function refuseCondition(message: { readonly expected_mod_revision?: string; readonly require_exists: boolean }): void {
  if (message.expected_mod_revision !== undefined || message.require_exists) {
    throw new InvalidRequestError('a transaction op takes no condition: state it as a compare');
  }
}

/** The results of a transaction's ops, as ResponseOps. */
export function responseOpsOf(result: TxnResult): ResponseOp[] {
  return result.results.map((op): ResponseOp => {
    switch (op.type) {
      case 'put':
        return { put: { revision: op.revision } };
      case 'delete':
        return { delete: { revision: result.revision, deleted: op.deleted } };
      case 'get':
        return { get: getResponseOf(op.entry, result.revision) };
    }
  });
}

/** What a Get or Range asks of the replica answering it: min_revision (0: nothing) and linearizable. */
export function readRequirementOf(message: {
  readonly min_revision: string;
  readonly linearizable: boolean;
}): ReadRequirement {
  const minRevision = parseRevision(message.min_revision, 'min_revision');
  return { minRevision: minRevision === 0 ? undefined : minRevision, linearizable: message.linearizable };
}

/** A call's deadline in epoch ms (Infinity when the client set none). */
export function deadlineOf(call: { getDeadline(): Date | number }): number {
  const deadline = call.getDeadline();
  return deadline instanceof Date ? deadline.getTime() : deadline;
}
