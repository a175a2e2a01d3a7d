import type { Request, RequestHandler, Response } from 'express';
import { txnRefusal } from '../../application/data-model/key-access';
import { entryOnWire } from '../../application/watch/watch-request';
import { ValueTooLargeError, type KeyValueStore, type Limits, type TxnOpResult } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import type { BodyBudget } from './body-budget';
import { sendFailure, sendRefusal } from './http-status';
import { readTextBody } from './read-body';
import { callOf } from './rest-call-adapter';
import { sendJson } from './send-json';
import { txnOfBody } from './txn-body';

/**
 * The largest transaction body: room for four maximal values (JSON escapes make a value's
 * text longer than its bytes) and 1 MiB of keys and framing (128 ops of 1 KiB keys each, twice).
 */
export function txnBodyLimit(limits: Limits): number {
  return 4 * limits.maxValueBytes + 1024 * 1024;
}

/**
 * The handler of POST /v1/txn (etcd's Txn as JSON, docs/api.md): a compare that fails answers
 * 200 with `succeeded: false`, not 412; a malformed body is 400 INVALID_REQUEST saying where.
 */
export function txnHandlers(
  store: KeyValueStore,
  logger: Logger,
  bodies: BodyBudget,
): Readonly<Record<string, RequestHandler>> {
  const limit = txnBodyLimit(store.limits);
  return {
    Txn: async (req: Request, res: Response) => {
      try {
        const txn = txnOfBody(await readTxnBody(req, limit, bodies));
        const refusal = txnRefusal(txn, callOf(res)?.principal);
        if (refusal !== undefined) {
          sendRefusal(res, refusal);
          return;
        }
        const { succeeded, revision, results } = await store.txn(txn);
        sendJson(res, 200, { succeeded, revision, results: results.map(resultOnWire) });
      } catch (error) {
        sendFailure(res, error, logger);
      }
    },
  };
}

/** The body's text; a body over the limit is VALUE_TOO_LARGE naming the transaction's limit, not a value's. */
async function readTxnBody(req: Request, limit: number, bodies: BodyBudget): Promise<string> {
  try {
    return await readTextBody(req, limit, bodies);
  } catch (error) {
    if (error instanceof ValueTooLargeError) throw new TxnTooLargeError(limit);
    throw error;
  }
}

/** A transaction body over txnBodyLimit. */
class TxnTooLargeError extends ValueTooLargeError {
  constructor(limit: number) {
    super(undefined, limit);
    this.message = `a transaction body may be at most ${limit} bytes`;
  }
}

function resultOnWire(result: TxnOpResult): Record<string, unknown> {
  switch (result.type) {
    case 'put':
      return { put: { revision: result.revision } };
    case 'delete':
      return { delete: { deleted: result.deleted } };
    case 'get':
      return { get: { item: result.entry === undefined ? null : entryOnWire(result.entry) } };
  }
}
