import { trace } from '@opentelemetry/api';
import type { Call } from '../../application/call/call';
import type { Observer } from '../../application/pipeline';
import { KEY_ATTRIBUTE, UNMATCHED_ROUTE } from './trace-attributes';

/**
 * Completes the server span an instrumentation opened when it is current as the call starts,
 * which is the HTTP one (the http instrumentation knows no routes): names it after the route
 * template (`PUT /v1/key/:key`), sets `http.route` and `url.path` to the template (the raw path,
 * which holds the key, never reaches the span: see startTracing); with `traceKeys` the key is an
 * attribute of its own. A gRPC call's span starts only once its handler runs, named
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
      span.setAttribute('url.path', route ?? UNMATCHED_ROUTE);
      if (this.traceKeys && typeof key === 'string') span.setAttribute(KEY_ATTRIBUTE, key);
    });
  }
}
