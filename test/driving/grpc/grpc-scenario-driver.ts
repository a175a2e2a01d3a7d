import type { Compare } from '../../../src/api/generated/Compare';
import type { RequestOp } from '../../../src/api/generated/RequestOp';
import { KvsClientError, type KvsClient, type KvsWriteOptions } from '../../../src/client/kvs-client';
import type { TxnOp, TxnRequest, WriteCondition } from '../../../src/core';
import type { Capability, Failure, ScenarioDriver, TxnOpOutcome } from '../../contracts/data-model-scenario';

const TARGETS = {
  modRevision: 'MOD_REVISION',
  createRevision: 'CREATE_REVISION',
  version: 'VERSION',
  value: 'VALUE',
  exists: 'EXISTS',
} as const;
const OPS = { '==': 'EQUAL', '!=': 'NOT_EQUAL', '<': 'LESS', '>': 'GREATER' } as const;

/** The shared scenario's driver for the gRPC frontend, over the typed client (every capability). */
export function grpcScenarioDriver(client: KvsClient): ScenarioDriver {
  const attempt = async <T>(work: () => Promise<T>): Promise<T | Failure> => {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof KvsClientError) || error.code === undefined) throw error;
      return error.code === 'PRECONDITION_FAILED'
        ? { ok: false, code: error.code, currentModRevision: error.currentModRevision }
        : { ok: false, code: error.code };
    }
  };
  return {
    capabilities: new Set<Capability>(['key', 'range', 'deleteRange', 'txn']),
    put: (key, value, condition) =>
      attempt(async () => ({
        ok: true as const,
        revision: Number((await client.put(key, value, writeOptions(condition))).revision),
      })),
    get: (key) =>
      attempt(async () => {
        const { revision, ...entry } = await client.getEntry(key);
        return { ok: true as const, revision, ...entry };
      }),
    delete: (key, condition) =>
      attempt(async () => {
        const { revision } = await client.delete(key, writeOptions(condition));
        return { ok: true as const, revision: Number(revision) };
      }),
    range: (query) =>
      attempt(async () => {
        const page = await client.range(query);
        return { ok: true as const, ...page, entries: [...page.entries] };
      }),
    deleteRange: (selector) =>
      attempt(async () => ({
        ok: true as const,
        ...(await client.deleteRange(selector.prefix === '' ? { all: true } : selector)),
      })),
    txn: (request) =>
      attempt(async () => {
        const response = await client.txn(txnMessage(request));
        const ops = response.succeeded ? request.success : request.failure;
        const results = response.results.map((result, i): TxnOpOutcome => {
          if (result.put) return { type: 'put' };
          if (result.delete) return { type: 'delete', deleted: result.delete.deleted };
          const get = result.get!;
          if (get.mod_revision === '0') return { type: 'get' };
          const entry = {
            key: ops[i].key,
            value: get.value,
            createRevision: Number(get.create_revision),
            modRevision: Number(get.mod_revision),
            version: Number(get.version),
          };
          return { type: 'get', entry };
        });
        return { ok: true as const, succeeded: response.succeeded, revision: Number(response.revision), results };
      }),
  };
}

function writeOptions(condition: WriteCondition | undefined): KvsWriteOptions {
  if (condition?.modRevision !== undefined) return { ifRevision: condition.modRevision };
  if (condition?.exists === false) return { ifRevision: 0 };
  return { ifExists: condition?.exists === true };
}

function txnMessage(request: TxnRequest): { compare: Compare[]; success: RequestOp[]; failure: RequestOp[] } {
  return {
    compare: request.compare.map(({ key, target, op, operand }): Compare => {
      const base = { key, target: TARGETS[target], op: OPS[op] };
      if (typeof operand === 'number') return { ...base, number: operand };
      return typeof operand === 'string' ? { ...base, value: operand } : { ...base, exists: operand };
    }),
    success: request.success.map(opMessage),
    failure: request.failure.map(opMessage),
  };
}

function opMessage(op: TxnOp): RequestOp {
  if (op.type === 'put') return { put: { key: op.key, value: op.value } };
  return op.type === 'delete' ? { delete: { key: op.key } } : { get: { key: op.key } };
}
