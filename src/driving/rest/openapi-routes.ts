import type { Request, RequestHandler, Response } from 'express';
import { OPENAPI_DOCUMENT } from '../../api/openapi';

/** The handler of GET /openapi.json: the OpenAPI 3.1 document of the REST API, serialized once. */
export function openApiHandlers(): Readonly<Record<string, RequestHandler>> {
  const body = JSON.stringify(OPENAPI_DOCUMENT);
  return {
    OpenApi: (_req: Request, res: Response) => {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache');
      res.end(body);
    },
  };
}
