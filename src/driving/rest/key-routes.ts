import type { IRouter, Request, RequestHandler, Response } from 'express';
import { NoSuchKeyError, PreconditionFailedError, type KeyValueStore, type ReadResult } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import type { BodyBudget } from './body-budget';
import { sendError, sendFailure } from './http-status';
import { readTextBody } from './read-body';
import { etagOf, notModified, setRevisionHeaders, writeCondition } from './revision-headers';
import { putOptionsOf } from './put-options';
import { readRequirementOf } from './read-requirement';
import type { ReadConsistency } from '../../application/consistency/read-consistency';

/**
 * The handlers of the book's API on /v1/key/{key} (the key one percent-encoded segment), by
 * operation name; PUT bodies are held in `bodies` while they arrive, and a GET waits for what
 * `reads` asks (X-Kvs-Min-Revision, ?linearizable=true) before it reads the local store.
 */
export function keyHandlers(
  store: KeyValueStore,
  logger: Logger,
  bodies: BodyBudget,
  reads: ReadConsistency,
): Readonly<Record<string, RequestHandler>> {
  return {
    Get: (req: Request, res: Response) => {
      let waiting: Promise<void> | undefined;
      try {
        waiting = reads.satisfy(readRequirementOf(req, req.query.linearizable));
      } catch (error) {
        sendFailure(res, error, logger);
        return;
      }
      // Most reads ask for nothing and are answered in this very step.
      if (waiting === undefined) answerGet(store, req, res, logger);
      else
        waiting.then(
          () => answerGet(store, req, res, logger),
          (error: unknown) => sendFailure(res, error, logger),
        );
    },
    Put: async (req: Request, res: Response) => {
      try {
        // The body is read first: a refusal must not leave it unread on a kept-alive connection.
        const value = await readTextBody(req, store.limits.maxValueBytes, bodies);
        const key = req.params.key as string;
        const { revision, entry } = await store.put(key, value, writeCondition(req), putOptionsOf(req));
        setRevisionHeaders(res, revision, entry);
        res.status(201).end();
      } catch (error) {
        sendWriteFailure(res, error, logger);
      }
    },
    Delete: async (req: Request, res: Response) => {
      try {
        const { revision } = await store.delete(req.params.key as string, writeCondition(req));
        res.setHeader('X-Kvs-Revision', String(revision));
        res.status(200).end();
      } catch (error) {
        sendWriteFailure(res, error, logger);
      }
    },
  };
}

/** Answers a GET (or HEAD) of a key from the local store: its value and revision headers, 304, or 404. */
function answerGet(store: KeyValueStore, req: Request, res: Response, logger: Logger): void {
  let read: ReadResult;
  try {
    read = store.read(req.params.key as string);
    if (read.entry === undefined) throw new NoSuchKeyError(req.params.key as string);
  } catch (error) {
    sendFailure(res, error, logger);
    return;
  }
  setRevisionHeaders(res, read.revision, read.entry);
  if (notModified(req, read.entry)) {
    res.status(304).end();
    return;
  }
  // res.end rather than res.send: send would hash the body for an ETag on every read.
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(read.entry.value);
}

/** A failed precondition's 412 carries the key's current ETag (none when it is absent). */
function sendWriteFailure(res: Response, error: unknown, logger: Logger): void {
  if (error instanceof PreconditionFailedError && error.currentModRevision > 0) {
    res.setHeader('ETag', etagOf(error.currentModRevision));
  }
  sendFailure(res, error, logger);
}

/** The answers to key paths that are not one segment: INVALID_KEY, as before any policy. */
export function addKeyPathErrors(router: IRouter): void {
  router.route(['/v1/key', '/v1/key/']).all((_req: Request, res: Response) => {
    sendError(res, 'INVALID_KEY', 'key must not be empty');
  });
  router.route('/v1/key/*rest').all((_req: Request, res: Response) => {
    sendError(res, 'INVALID_KEY', "key must be a single path segment; encode '/' as %2F");
  });
}
