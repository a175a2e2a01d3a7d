import type { Compare } from '../../api/generated/Compare';
import type { CompareOp } from '../../api/generated/CompareOp';
import type { CompareTarget } from '../../api/generated/CompareTarget';
import type { RequestOp } from '../../api/generated/RequestOp';
import type { TxnRequest } from '../../api/generated/TxnRequest';
import type { TxnResponse__Output } from '../../api/generated/TxnResponse';

/**
 * `kvs txn`'s input and output: a transaction in the JSON of REST's POST /v1/txn (issue 17),
 * turned into the Txn message, and the answer turned back into that JSON. Checked strictly
 * here so that a typo is a usage error (exit 2) naming where it is, not a server refusal.
 */

/** A transaction file that is not the documented JSON. */
export class TxnInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TxnInputError';
  }
}

const TARGETS: Readonly<Record<string, CompareTarget>> = {
  mod_revision: 'MOD_REVISION',
  create_revision: 'CREATE_REVISION',
  version: 'VERSION',
  value: 'VALUE',
  exists: 'EXISTS',
};

const OPS: Readonly<Record<string, CompareOp>> = { '==': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' };

type Json = Record<string, unknown>;

/** The Txn message of a JSON transaction; throws TxnInputError naming the first problem. */
export function txnRequestOfJson(text: string): TxnRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new TxnInputError(`the transaction is not JSON: ${(error as Error).message}`);
  }
  const txn = object(parsed, 'the transaction');
  only(txn, ['compare', 'success', 'failure'], 'the transaction');
  return {
    compare: list(txn.compare, 'compare').map((item, i) => compareOf(item, `compare[${i}]`)),
    success: list(txn.success, 'success').map((item, i) => opOf(item, `success[${i}]`)),
    failure: list(txn.failure, 'failure').map((item, i) => opOf(item, `failure[${i}]`)),
  };
}

function compareOf(item: unknown, where: string): Compare {
  const compare = object(item, where);
  only(compare, ['key', 'target', 'op', 'value'], where);
  const target = TARGETS[String(compare.target)];
  if (target === undefined)
    throw new TxnInputError(`${where}.target must be one of ${Object.keys(TARGETS).join(', ')}`);
  const op = OPS[String(compare.op)];
  if (op === undefined) throw new TxnInputError(`${where}.op must be one of ${Object.keys(OPS).join(' ')}`);
  const key = text(compare.key, `${where}.key`);
  const operand = compare.value;
  if (target === 'VALUE') return { key, target, op, value: text(operand, `${where}.value`) };
  if (target === 'EXISTS') {
    if (typeof operand !== 'boolean') throw new TxnInputError(`${where}.value must be true or false`);
    return { key, target, op, exists: operand };
  }
  if (typeof operand !== 'number' || !Number.isSafeInteger(operand) || operand < 0) {
    throw new TxnInputError(`${where}.value must be a whole number from 0`);
  }
  return { key, target, op, number: operand };
}

function opOf(item: unknown, where: string): RequestOp {
  const op = object(item, where);
  const kinds = Object.keys(op);
  if (kinds.length !== 1) throw new TxnInputError(`${where} must hold exactly one of put, delete, get`);
  const [kind] = kinds;
  const body = object(op[kind], `${where}.${kind}`);
  const key = text(body.key, `${where}.${kind}.key`);
  switch (kind) {
    case 'put':
      only(body, ['key', 'value'], `${where}.put`);
      return { put: { key, value: text(body.value, `${where}.put.value`) } };
    case 'delete':
    case 'get':
      only(body, ['key'], `${where}.${kind}`);
      return kind === 'get' ? { get: { key } } : { delete: { key } };
    default:
      throw new TxnInputError(`${where} must hold exactly one of put, delete, get (not ${kind})`);
  }
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TxnInputError(`${where} must be a JSON object`);
  }
  return value as Json;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new TxnInputError(`${where} must be an array`);
  return value;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new TxnInputError(`${where} must be a string`);
  return value;
}

function only(value: Json, names: readonly string[], where: string): void {
  const unknown = Object.keys(value).find((name) => !names.includes(name));
  if (unknown !== undefined) throw new TxnInputError(`${where} has an unknown field "${unknown}"`);
}

/** The answer of a transaction as REST's JSON, and as the lines `kvs txn` prints. */
export function txnOutput(request: TxnRequest, response: TxnResponse__Output): { json: Json; text: string } {
  const ops = (response.succeeded ? request.success : request.failure) ?? [];
  const lines = [`${response.succeeded ? 'succeeded' : 'failed'}, revision ${response.revision}`];
  const results = response.results.map((result, i) => {
    const key = ops[i]?.put?.key ?? ops[i]?.delete?.key ?? ops[i]?.get?.key ?? '';
    if (result.put) {
      lines.push(`put ${key}`);
      return { put: { revision: Number(result.put.revision) } };
    }
    if (result.delete) {
      lines.push(`delete ${key} ${result.delete.deleted ? 'deleted' : 'absent'}`);
      return { delete: { deleted: result.delete.deleted } };
    }
    const get = result.get;
    if (get === undefined || get === null || get.mod_revision === '0') {
      lines.push(`get ${key} absent`);
      return { get: null };
    }
    lines.push(`get ${key} ${get.value}`);
    const entry = {
      key,
      value: get.value,
      create_revision: Number(get.create_revision),
      mod_revision: Number(get.mod_revision),
      version: Number(get.version),
    };
    return { get: entry };
  });
  return {
    json: { succeeded: response.succeeded, revision: Number(response.revision), results },
    text: `${lines.join('\n')}\n`,
  };
}
