import type { ErrorObject } from 'ajv/dist/2020';
import { InvalidRequestError, type Compare, type CompareTarget, type TxnOp, type TxnRequest } from '../../core';
import { documentRef, openApiValidator } from './openapi-schemas';
import { leaseIdOf, ttlOf } from './put-options';

/** The body of POST /v1/txn as the OpenAPI document's TxnRequest schema describes it. */
interface TxnBody {
  compare?: { key: string; target: string; op: Compare['op']; value: number | string | boolean }[];
  success?: OpBody[];
  failure?: OpBody[];
}

type OpBody = {
  put?: { key: string; value: string; ttl?: string | number; lease?: string };
  delete?: { key: string };
  get?: { key: string };
};

const TARGETS: Readonly<Record<string, CompareTarget>> = {
  mod_revision: 'modRevision',
  create_revision: 'createRevision',
  version: 'version',
  value: 'value',
  exists: 'exists',
};

// The schema is the published document's, so what the server accepts is what the document says;
// allErrors off: the first problem found is the one the client is told.
const validate = openApiValidator({ allErrors: false }).compile<TxnBody>({
  $ref: documentRef('components', 'schemas', 'TxnRequest'),
});

/**
 * A transaction from its JSON body; InvalidRequestError (400 INVALID_REQUEST) naming where the
 * body first departs from the schema. The core then checks what the schema cannot (a compare
 * operand of the target's type, a key written twice, key and value limits).
 */
export function txnOfBody(text: string): TxnRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new InvalidRequestError('the transaction body is not valid JSON');
  }
  if (!validate(body)) throw new InvalidRequestError(`transaction body: ${describe(validate.errors?.[0])}`);
  return {
    compare: (body.compare ?? []).map(({ key, target, op, value }) => ({
      key,
      target: TARGETS[target],
      op,
      operand: value,
    })),
    success: (body.success ?? []).map(opOf),
    failure: (body.failure ?? []).map(opOf),
  };
}

function opOf(op: OpBody): TxnOp {
  if (op.put !== undefined) {
    const { key, value, ttl, lease } = op.put;
    return {
      type: 'put',
      key,
      value,
      // The same syntax as PUT's ?ttl= and ?lease= (the store refuses both at once).
      ...(ttl === undefined ? {} : { ttlMs: ttlOf(String(ttl)) }),
      ...(lease === undefined ? {} : { lease: leaseIdOf(lease) }),
    };
  }
  if (op.delete !== undefined) return { type: 'delete', key: op.delete.key };
  return { type: 'get', key: op.get!.key };
}

/** One schema error as a sentence: where (a JSON pointer into the body) and what. */
function describe(error: ErrorObject | undefined): string {
  if (error === undefined) return 'not a transaction';
  const where = error.instancePath === '' ? 'the body' : error.instancePath;
  const params = error.params as { allowedValues?: unknown[]; additionalProperty?: string };
  if (params.allowedValues !== undefined) return `${where} must be one of ${params.allowedValues.join(', ')}`;
  if (params.additionalProperty !== undefined) return `${where} has an unknown field ${params.additionalProperty}`;
  // Only an op has a property count: exactly one of its kinds.
  if (error.keyword === 'minProperties' || error.keyword === 'maxProperties') {
    return `${where} must be exactly one of put, delete, get`;
  }
  return `${where} ${error.message ?? 'is not valid'}`;
}
