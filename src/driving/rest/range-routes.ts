import type { Request, RequestHandler, Response } from 'express';
import { deleteRangeRefusal } from '../../application/data-model/key-access';
import { entryOnWire } from '../../application/watch/watch-request';
import { InvalidRequestError, type KeyEntry, type KeySelector, type KeyValueStore, type RangeQuery } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import { sendFailure, sendRefusal } from './http-status';
import { QueryParams } from './query-params';
import { callOf } from './rest-call-adapter';
import { sendJson } from './send-json';
import { readRequirementOf } from './read-requirement';
import type { ReadConsistency } from '../../application/consistency/read-consistency';

const SELECTOR = ['prefix', 'start', 'end'] as const;
const RANGE_PARAMETERS = [...SELECTOR, 'start_after', 'limit', 'keys_only', 'linearizable'];
const DELETE_PARAMETERS = [...SELECTOR, 'all'];

/**
 * The handlers of /v1/keys by operation name: Range (GET, a page of keys in UTF-8 byte order,
 * clipped to the token's prefixes) and DeleteRange (DELETE, one revision; only inside the
 * token's prefixes). Both take exactly one of a prefix or a start/end range. A range waits for
 * what `reads` asks (X-Kvs-Min-Revision, ?linearizable=true) before it reads the local store.
 */
export function rangeHandlers(
  store: KeyValueStore,
  logger: Logger,
  reads: ReadConsistency,
): Readonly<Record<string, RequestHandler>> {
  return {
    Range: (req: Request, res: Response) => {
      let query: RangeQuery;
      let waiting: Promise<void> | undefined;
      try {
        const params = new QueryParams(req, RANGE_PARAMETERS);
        query = {
          ...selectorOf(params),
          startAfter: params.text('start_after'),
          limit: params.count('limit'),
          keysOnly: params.flag('keys_only'),
          within: callOf(res)?.principal?.prefixes,
        };
        waiting = reads.satisfy(readRequirementOf(req, params.text('linearizable')));
      } catch (error) {
        sendFailure(res, error, logger);
        return;
      }
      // Most reads ask for nothing and are answered in this very step.
      if (waiting === undefined) answerRange(store, query, res, logger);
      else
        waiting.then(
          () => answerRange(store, query, res, logger),
          (error: unknown) => sendFailure(res, error, logger),
        );
    },
    DeleteRange: async (req: Request, res: Response) => {
      try {
        const params = new QueryParams(req, DELETE_PARAMETERS);
        const selector = deletedSelectorOf(params);
        const refusal = deleteRangeRefusal(selector, store.limits, callOf(res)?.principal);
        if (refusal !== undefined) {
          sendRefusal(res, refusal);
          return;
        }
        const { revision, deleted } = await store.deleteRange(selector);
        sendJson(res, 200, { revision, deleted });
      } catch (error) {
        sendFailure(res, error, logger);
      }
    },
  };
}

/** Answers a range from the local store. */
function answerRange(store: KeyValueStore, query: RangeQuery, res: Response, logger: Logger): void {
  try {
    const page = store.range(query);
    sendJson(res, 200, {
      revision: page.revision,
      items: page.entries.map((entry) => itemOf(entry, query.keysOnly === true)),
      next_start_after: page.nextStartAfter ?? null,
    });
  } catch (error) {
    sendFailure(res, error, logger);
  }
}

/** The selector of a query: exactly one of a prefix or a start/end range. */
function selectorOf(params: QueryParams): KeySelector {
  const prefix = params.text('prefix');
  const start = params.text('start');
  const end = params.text('end');
  if ((prefix !== undefined) === (start !== undefined || end !== undefined)) {
    throw new InvalidRequestError('name exactly one of a prefix or a start/end range');
  }
  return { prefix, start, end };
}

/**
 * What a delete names: a selector, or `all=true` alone for every key. A selector naming every
 * key (the empty prefix, an open range) needs `all=true` beside it, so no slip deletes the store.
 */
function deletedSelectorOf(params: QueryParams): KeySelector {
  const all = params.flag('all') === true;
  if (all && SELECTOR.every((name) => params.text(name) === undefined)) return { prefix: '' };
  const selector = selectorOf(params);
  const everything = !selector.prefix && !selector.start && selector.end === undefined;
  if (everything && !all) throw new InvalidRequestError('a delete of every key needs all=true');
  if (!everything && all) throw new InvalidRequestError('all=true deletes every key: name no narrower selector');
  return selector;
}

/** A range item: the entry with the wire's field names, without its value for keys_only. */
function itemOf(entry: KeyEntry, keysOnly: boolean): Record<string, unknown> {
  const item = entryOnWire(entry);
  if (!keysOnly) return item;
  const { value: _left, ...rest } = item;
  return rest;
}
