import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import {
  keyIfDebug,
  millisecondsSince,
  requestLogLevel,
  requestMessage,
  type RequestLogLine,
  type RequestLogOptions,
} from './request-log-line';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

/** Route reported for requests that matched no route (never the raw URL: it may hold a key). */
const UNMATCHED_ROUTE = '(unmatched)';

/** What the middleware remembers about a request between its start and its response. */
interface RequestStart {
  readonly requestId: string;
  readonly startedAt: number;
  readonly bytesWrittenBefore: number;
  readonly traceId?: string;
}

const START = Symbol('kvs.requestStart');
const LINE = Symbol('kvs.requestLine');
type TrackedRequest = IncomingMessage & { [START]?: RequestStart; [LINE]?: RequestLogLine };

/** Serializer that drops the object: pino then leaves the field out (see asChindings). */
const omit = (): undefined => undefined;

/**
 * Express middleware: gives every request an id (the caller's `X-Request-Id` if usable, else a
 * new one, returned in the response's `X-Request-Id`) and logs one {@link RequestLogLine} when
 * the response is done, through pino-http.
 */
export function restRequestLog({ logger, enabled = () => true, traceIdOf }: RequestLogOptions): RequestHandler {
  const build = (req: TrackedRequest, res: ServerResponse): RequestLogLine => {
    const start = req[START]!;
    const express = req as Request;
    return {
      event: 'request',
      frontend: 'rest',
      requestId: start.requestId,
      method: req.method ?? '',
      // req.route is the matched route, still set once the response is done.
      route: (express.route as { path?: string } | undefined)?.path ?? UNMATCHED_ROUTE,
      status: res.statusCode,
      durationMs: millisecondsSince(start.startedAt),
      bytesOut: (req.socket?.bytesWritten ?? 0) - start.bytesWrittenBefore,
      traceId: start.traceId,
      key: keyIfDebug(logger, (express.params as Record<string, unknown> | undefined)?.key),
    };
  };
  // pino-http asks for the object and then the message: build the line once for both.
  const line = (req: TrackedRequest, res: ServerResponse): RequestLogLine => (req[LINE] ??= build(req, res));
  const httpLogger = pinoHttp({
    logger,
    // pino-http's default serializers copy every header (credentials included) and the raw URL
    // (which holds the key) into a child logger per request; the line is built in full below instead.
    wrapSerializers: false,
    serializers: { req: omit, res: omit },
    customLogLevel: (_req, res) => requestLogLevel(res.statusCode >= 500),
    customSuccessObject: (req, res) => line(req, res),
    customErrorObject: (req, res) => line(req, res),
    customSuccessMessage: (req, res) => requestMessage(line(req, res)),
    customErrorMessage: (req, res) => requestMessage(line(req, res)),
  });

  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    if (!enabled()) {
      next();
      return;
    }
    (req as TrackedRequest)[START] = {
      requestId,
      startedAt: performance.now(),
      bytesWrittenBefore: req.socket?.bytesWritten ?? 0,
      traceId: traceIdOf?.(),
    };
    req.id = requestId;
    httpLogger(req, res, next);
  };
}
