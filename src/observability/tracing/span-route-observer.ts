import { trace } from '@opentelemetry/api';
import type { Call } from '../../application/call/call';
import type { Observer } from '../../application/pipeline';
import { KEY_ATTRIBUTE } from './trace-attributes';

/** Stands in for the path of a request that matched no route (it may hold a key all the same). */
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Completes the server span an instrumentation opened when it is current as the call starts,
 * which is the HTTP one (the http instrumentation knows no routes): names it after the route
 * template (`PUT /v1/key/:key`), sets `http.route`, and, unless `traceKeys`, overwrites the
 * instrumentation's `url.path`, which holds the raw key, with the template; with `traceKeys` the
 * key is an attribute of its own. A gRPC call's span starts only once its handler runs, named
 * by the grpc instrumentation after the method: there is nothing to complete. express's
 * instrumentation would do the naming with a span per middleware, far more than needed here.
 */
export class SpanRouteObserver implements Observer {
  readonly name = 'span-route';

  constructor(private readonly traceKeys: boolean) {}

  observe(call: Call): void {
    const span = trace.getActiveSpan();
    if (!span?.isRecording()) return;
    call.atEnd(() => {
      const { route, key } = call;
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${call.method} ${route}`);
      }
      if (this.traceKeys) {
        if (typeof key === 'string') span.setAttribute(KEY_ATTRIBUTE, key);
      } else {
        span.setAttribute('url.path', route ?? UNMATCHED_ROUTE);
      }
    });
  }
}
