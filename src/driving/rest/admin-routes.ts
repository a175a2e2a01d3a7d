import type { Request, RequestHandler, Response } from 'express';
import type { KeyValueStore } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import { sendFailure } from './http-status';

/**
 * The handlers of the operator API under /v1/admin/, by operation name: Compact compacts the
 * transaction log now (or waits for the compaction already running) and answers 200 with what
 * it did, or 503 LOG_UNAVAILABLE if it failed.
 */
export function adminHandlers(store: KeyValueStore, logger: Logger): Readonly<Record<string, RequestHandler>> {
  return {
    Compact: async (_req: Request, res: Response) => {
      try {
        const report = await store.compact();
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(report));
      } catch (error) {
        sendFailure(res, error, logger);
      }
    },
  };
}
