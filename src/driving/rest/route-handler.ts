import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import type { Request, RequestHandler, Response } from 'express';
import type { Call } from '../../application/call/call';
import { callOf } from './rest-call-adapter';

/** What a route's handler reads besides node's request: what express, or the hot routes, parsed of the URL. */
export interface RouteInput {
  /** The decoded `:key` path parameter ('' for a route without one). */
  readonly key: string;
  /**
   * The query as express's default ('simple') parser reads it: node:querystring, a repeated name
   * gives an array. Parsed when asked (a method: call it on the input, not destructured).
   */
  query(): ParsedUrlQuery;
  /** The request's Call, once the pipeline admitted it (undefined when no pipeline ran). */
  readonly call: Call | undefined;
}

/**
 * A REST route's handler written on node's own request and response, so that the hot routes
 * (hot-routes.ts) and express serve it alike. A promise it returns is the request's end.
 */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, input: RouteInput) => void | Promise<void>;

/** The express form of route handlers: the key from `req.params`, the query from `req.query`, the Call from `res.locals`. */
export function onExpress(handlers: Readonly<Record<string, RouteHandler>>): Readonly<Record<string, RequestHandler>> {
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (req: Request, res: Response) =>
        handler(req, res, {
          key: (req.params as Record<string, string | undefined>).key ?? '',
          query: () => req.query as ParsedUrlQuery,
          call: callOf(res),
        }),
    ]),
  );
}
