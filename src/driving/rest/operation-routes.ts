import type { IRouter, Request, RequestHandler, Response } from 'express';
import type { OperationTable } from '../../application/operations';
import { sendError } from './http-status';

/**
 * Express serves HEAD with a path's GET handler when HEAD has none: a HEAD the table has no row
 * for would reach that handler having skipped every policy (auth included). It gets `refuse`.
 */
function getOnly(handler: RequestHandler, refuse: RequestHandler): RequestHandler {
  return (req, res, next) => (req.method === 'HEAD' ? refuse(req, res, next) : handler(req, res, next));
}

/** Kinds served outside the routes: the probes by their own router, /metrics by the metrics endpoint. */
const SERVED_ELSEWHERE = new Set(['probe', 'metrics']);

/**
 * Adds one route per REST path of the operation table, each method calling its operation's
 * handler, and 405 with `Allow` (the path's methods in row order) for any other method. Throws
 * at start-up when a row has no handler: an operation is never half-served.
 */
export function addOperationRoutes(
  router: IRouter,
  table: OperationTable,
  handlers: Readonly<Record<string, RequestHandler>>,
): void {
  for (const { path, operations } of table.restPaths()) {
    const rows = [...operations.values()];
    if (rows.every((operation) => SERVED_ELSEWHERE.has(operation.kind))) continue;
    const route = router.route(path);
    const allowed = [...operations.keys()].join(', ');
    const notAllowed = (_req: Request, res: Response): void => {
      res.setHeader('Allow', allowed);
      sendError(res, 'METHOD_NOT_ALLOWED', `method not allowed; allowed: ${allowed}`);
    };
    for (const [method, operation] of operations) {
      const handler = handlers[operation.name];
      if (handler === undefined) throw new Error(`operation ${operation.name} has no REST handler`);
      route[method.toLowerCase() as 'get'](
        method === 'GET' && !operations.has('HEAD') ? getOnly(handler, notAllowed) : handler,
      );
    }
    route.all(notAllowed);
  }
}
