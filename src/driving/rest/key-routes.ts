import type { IRouter, Request, Response } from 'express';
import type { KeyValueStore } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import type { BodyBudget } from './body-budget';
import { sendError, sendFailure } from './http-status';
import { readTextBody } from './read-body';

const KEY_METHODS = 'GET, HEAD, PUT, DELETE';

/**
 * Adds the book's API to `router`: GET, PUT and DELETE on /v1/key/{key}, the key one
 * percent-encoded segment, PUT bodies held in `bodies` while they arrive. The router must be
 * case-sensitive and strict.
 */
export function addKeyRoutes(router: IRouter, store: KeyValueStore, logger: Logger, bodies: BodyBudget): void {
  router
    .route('/v1/key/:key')
    .get((req: Request<{ key: string }>, res: Response) => {
      let value: string;
      try {
        value = store.get(req.params.key);
      } catch (error) {
        sendFailure(res, error, logger);
        return;
      }
      // res.end rather than res.send: send would hash the body for an ETag on every read.
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(value);
    })
    .put(async (req: Request<{ key: string }>, res: Response) => {
      try {
        const value = await readTextBody(req, store.limits.maxValueBytes, bodies);
        await store.put(req.params.key, value);
        res.status(201).end();
      } catch (error) {
        sendFailure(res, error, logger);
      }
    })
    .delete(async (req: Request<{ key: string }>, res: Response) => {
      try {
        await store.delete(req.params.key);
        res.status(200).end();
      } catch (error) {
        sendFailure(res, error, logger);
      }
    })
    .all((_req: Request, res: Response) => {
      res.setHeader('Allow', KEY_METHODS);
      sendError(res, 'METHOD_NOT_ALLOWED', `method not allowed; allowed: ${KEY_METHODS}`);
    });

  router.all(['/v1/key', '/v1/key/'], (_req: Request, res: Response) => {
    sendError(res, 'INVALID_KEY', 'key must not be empty');
  });
  router.all('/v1/key/*rest', (_req: Request, res: Response) => {
    sendError(res, 'INVALID_KEY', "key must be a single path segment; encode '/' as %2F");
  });
}
