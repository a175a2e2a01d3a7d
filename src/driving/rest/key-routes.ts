import type { IRouter, Request, RequestHandler, Response } from 'express';
import type { KeyValueStore } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import type { BodyBudget } from './body-budget';
import { sendError, sendFailure } from './http-status';
import { readTextBody } from './read-body';

/**
 * The handlers of the book's API on /v1/key/{key} (the key one percent-encoded segment), by
 * operation name; PUT bodies are held in `bodies` while they arrive.
 */
export function keyHandlers(
  store: KeyValueStore,
  logger: Logger,
  bodies: BodyBudget,
): Readonly<Record<string, RequestHandler>> {
  return {
    Get: (req: Request, res: Response) => {
      let value: string;
      try {
        value = store.get(req.params.key as string);
      } catch (error) {
        sendFailure(res, error, logger);
        return;
      }
      // res.end rather than res.send: send would hash the body for an ETag on every read.
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(value);
    },
    Put: async (req: Request, res: Response) => {
      try {
        const value = await readTextBody(req, store.limits.maxValueBytes, bodies);
        await store.put(req.params.key as string, value);
        res.status(201).end();
      } catch (error) {
        sendFailure(res, error, logger);
      }
    },
    Delete: async (req: Request, res: Response) => {
      try {
        await store.delete(req.params.key as string);
        res.status(200).end();
      } catch (error) {
        sendFailure(res, error, logger);
      }
    },
  };
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
