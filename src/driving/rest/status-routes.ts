import type { Request, RequestHandler, Response } from 'express';
import type { StatusSource } from '../../application/status/service-status';
import { sendError } from './http-status';
import { sendJson } from './send-json';

/** The handler of GET /v1/status: the service at a glance; 404 NO_SUCH_ROUTE on a frontend built without a status source. */
export function statusHandlers(status: StatusSource | undefined): Readonly<Record<string, RequestHandler>> {
  return {
    Status: (_req: Request, res: Response) => {
      if (status === undefined) {
        sendError(res, 'NO_SUCH_ROUTE', 'no such route; the API is /v1/key/{key}');
        return;
      }
      res.setHeader('Cache-Control', 'no-store');
      sendJson(res, 200, status());
    },
  };
}
