import type { IRouter, Request, Response } from 'express';
import type { KeyValueStore } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import { sendError, sendFailure } from './http-status';

/**
 * Adds the operator API under /v1/admin/ (scope kvs:admin when authentication is on):
 * POST /v1/admin/compact compacts the transaction log now (or waits for the compaction already
 * running) and answers 200 with what it did, or 503 LOG_UNAVAILABLE if it failed.
 */
export function addAdminRoutes(router: IRouter, store: KeyValueStore, logger: Logger): void {
  router
    .route('/v1/admin/compact')
    .post(async (_req: Request, res: Response) => {
      try {
        const report = await store.compact();
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(report));
      } catch (error) {
        sendFailure(res, error, logger);
      }
    })
    .all((_req: Request, res: Response) => {
      res.setHeader('Allow', 'POST');
      sendError(res, 'METHOD_NOT_ALLOWED', 'method not allowed; allowed: POST');
    });
}
