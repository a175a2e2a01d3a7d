import { trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';
import { KEY_ATTRIBUTE } from './trace-attributes';

/** Stands in for the path of a request that matched no route (it may hold a key all the same). */
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Express middleware completing the HTTP server span that the http instrumentation opened:
 * names it after the route template (`PUT /v1/key/:key`), sets `http.route`, and, unless
 * `traceKeys`, overwrites the instrumentation's `url.path`, which holds the raw key, with the
 * template. With `traceKeys` the key is an attribute of its own. express's instrumentation
 * would do the naming with a span per middleware, far more than needed here.
 */
export function restSpanRoute(traceKeys: boolean): RequestHandler {
  return (req, res, next) => {
    const span = trace.getActiveSpan();
    if (span?.isRecording()) {
      res.once('finish', () => {
        const route = (req.route as { path?: string } | undefined)?.path;
        if (route) {
          span.setAttribute('http.route', route);
          span.updateName(`${req.method} ${route}`);
        }
        const key = (req.params as Record<string, unknown> | undefined)?.key;
        if (traceKeys) {
          if (typeof key === 'string') span.setAttribute(KEY_ATTRIBUTE, key);
        } else {
          span.setAttribute('url.path', route ?? UNMATCHED_ROUTE);
        }
      });
    }
    next();
  };
}
