import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IRouter, Request, Response } from 'express';
import { NoSuchKeyError, PreconditionFailedError, type KeyValueStore, type ReadResult } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import type { BodyBudget } from './body-budget';
import { sendError, sendFailure } from './http-status';
import { readTextBody } from './read-body';
import { etagOf, notModified, setRevisionHeaders, writeCondition } from './revision-headers';
import { putOptionsOf } from './put-options';
import { readRequirementOf } from './read-requirement';
import type { ReadConsistency } from '../../application/consistency/read-consistency';
import type { RouteHandler } from './route-handler';

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
): Readonly<Record<string, RouteHandler>> {
  return {
    Get: (req, res, input) => {
      let waiting: Promise<void> | undefined;
      try {
        waiting = reads.satisfy(readRequirementOf(req, input.query().linearizable));
      } catch (error) {
        sendFailure(res, error, logger);
        return;
      }
      const { key } = input;
      // Most reads ask for nothing and are answered in this very step.
      if (waiting === undefined) answerGet(store, key, req, res, logger);
      else
        waiting.then(
          () => answerGet(store, key, req, res, logger),
          (error: unknown) => sendFailure(res, error, logger),
        );
    },
    Put: async (req, res, input) => {
      try {
        // The body is read first: a refusal must not leave it unread on a kept-alive connection.
        const value = await readTextBody(req, store.limits.maxValueBytes, bodies);
        const { key } = input;
        const { revision, entry } = await store.put(key, value, writeCondition(req), putOptionsOf(input.query()));
        setRevisionHeaders(res, revision, entry);
        res.statusCode = 201;
        res.end();
      } catch (error) {
        sendWriteFailure(res, error, logger);
      }
    },
    Delete: async (req, res, { key }) => {
      try {
        const { revision } = await store.delete(key, writeCondition(req));
        res.setHeader('X-Kvs-Revision', String(revision));
        res.statusCode = 200;
        res.end();
      } catch (error) {
        sendWriteFailure(res, error, logger);
      }
    },
  };
}

/** Answers a GET (or HEAD) of a key from the local store: its value and revision headers, 304, or 404. */
function answerGet(store: KeyValueStore, key: string, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  let read: ReadResult;
  try {
    read = store.read(key);
    if (read.entry === undefined) throw new NoSuchKeyError(key);
  } catch (error) {
    sendFailure(res, error, logger);
    return;
  }
  setRevisionHeaders(res, read.revision, read.entry);
  if (notModified(req, read.entry)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  // res.end rather than res.send: send would hash the body for an ETag on every read.
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(read.entry.value);
}

/** A failed precondition's 412 carries the key's current ETag (none when it is absent). */
function sendWriteFailure(res: ServerResponse, error: unknown, logger: Logger): void {
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
