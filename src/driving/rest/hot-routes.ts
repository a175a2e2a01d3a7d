import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { Call } from '../../application/call/call';
import type { Operation, OperationTable } from '../../application/operations';
import type { PolicyPipeline } from '../../application/pipeline';
import type { Logger } from '../../platform/logging/logger';
import { sendFailure, sendRefusal } from './http-status';
import { admitRestCall, startRestCall } from './rest-call-adapter';
import type { RouteHandler, RouteInput } from './route-handler';

/** The key routes' template and the prefix of their one path segment. */
const KEY_ROUTE = '/v1/key/:key';
const KEY_PREFIX = '/v1/key/';
/** The watch stream's path. */
const WATCH_ROUTE = '/v1/watch';
/**
 * Characters for which parseurl (express's URL reading) gives up its fast parse for url.parse,
 * whose reading the hot routes do not copy: such URLs are left to express.
 */
const UNUSUAL_URL = /[\t\n\f\r #\u00a0\ufeff]/;

/** A hot route's row and handler. */
interface HotRoute {
  readonly operation: Operation;
  readonly handler: RouteHandler;
}

/**
 * The routes most requests take, GET/PUT/DELETE /v1/key/{key} and GET /v1/watch, served by a
 * node:http request listener in front of express (issue 22: express's per-request machinery was
 * about 80% of a GET's CPU). They run the same pipeline (`startRestCall`, `admitRestCall`: every
 * observer and policy), the same handlers and the same error table as the express routes, which
 * stay registered for the requests handed over: `serve` takes a request only in its plainest form
 * (method, path and query as express would read them: one well-encoded key segment, no unusual
 * characters) and declines everything else before doing anything, so express answers HEAD,
 * malformed key paths, 405s and every other route exactly as before.
 */
export class HotRoutes {
  private readonly keyRoutes = new Map<string, HotRoute>();
  private readonly watch: HotRoute | undefined;

  constructor(
    table: OperationTable,
    private readonly pipeline: PolicyPipeline,
    handlers: Readonly<Record<string, RouteHandler>>,
    private readonly logger: Logger,
  ) {
    // HEAD goes to express, whose headContentLength gives it the length its GET would carry.
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const route = routeOf(table, handlers, method, KEY_ROUTE);
      if (route) this.keyRoutes.set(method, route);
    }
    this.watch = routeOf(table, handlers, 'GET', WATCH_ROUTE);
  }

  /** Serves `req` when it is a plain request of a hot route; false, having done nothing, for express to serve. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url!;
    if (url.startsWith(KEY_PREFIX)) return this.serveKey(req, res, url);
    if (url.startsWith(WATCH_ROUTE) && this.watch && req.method === 'GET') {
      const search = url.indexOf('?');
      if ((search < 0 ? url.length : search) !== WATCH_ROUTE.length || UNUSUAL_URL.test(url)) return false;
      this.run(this.watch, req, res, '', url, search);
      return true;
    }
    return false;
  }

  private serveKey(req: IncomingMessage, res: ServerResponse, url: string): boolean {
    const route = this.keyRoutes.get(req.method!);
    if (route === undefined) return false;
    const search = url.indexOf('?', KEY_PREFIX.length);
    const segment = url.slice(KEY_PREFIX.length, search < 0 ? url.length : search);
    // Empty or several segments: the express fallbacks' INVALID_KEY.
    if (segment === '' || segment.includes('/') || UNUSUAL_URL.test(url)) return false;
    let key = segment;
    if (segment.includes('%')) {
      try {
        key = decodeURIComponent(segment);
      } catch {
        return false; // express's URIError: INVALID_KEY, once the policies have run
      }
    }
    this.run(route, req, res, key, url, search);
    return true;
  }

  /** What the express adapter and route do: the pipeline, then the handler. */
  private run(
    route: HotRoute,
    req: IncomingMessage,
    res: ServerResponse,
    key: string,
    url: string,
    search: number,
  ): void {
    const { pipeline } = this;
    const call = startRestCall(pipeline, req, res, route.operation, key);
    const input = new HotInput(key, url, search, call);
    const verdict = admitRestCall(pipeline, req, res, call);
    if (verdict === undefined) this.handle(route, req, res, input);
    else if (verdict instanceof Promise)
      verdict.then(
        (settled) => (settled ? sendRefusal(res, settled) : this.handle(route, req, res, input)),
        (error: unknown) => this.fail(req, res, error),
      );
    else sendRefusal(res, verdict);
  }

  private handle(route: HotRoute, req: IncomingMessage, res: ServerResponse, input: RouteInput): void {
    try {
      const done = route.handler(req, res, input);
      if (done !== undefined) done.catch((error: unknown) => this.fail(req, res, error));
    } catch (error) {
      this.fail(req, res, error);
    }
  }

  /** What express's error handling does with a handler's error: the error table, or a cut connection once answered. */
  private fail(req: IncomingMessage, res: ServerResponse, error: unknown): void {
    if (res.headersSent) req.socket.destroy();
    else sendFailure(res, error, this.logger);
  }
}

/** The row and handler of `method` on `template`, when the table has that row. */
function routeOf(
  table: OperationTable,
  handlers: Readonly<Record<string, RouteHandler>>,
  method: string,
  template: string,
): HotRoute | undefined {
  const operation = table.byRestRoute(method, template);
  const handler = operation && handlers[operation.name];
  return handler && { operation, handler };
}

/** The query of a URL without one (what express's parser makes of none), shared: handlers only read queries. */
const NO_QUERY: ParsedUrlQuery = Object.freeze(parseQuery(''));

/** A hot request's route input; the query is parsed only when a handler asks for it. */
class HotInput implements RouteInput {
  constructor(
    readonly key: string,
    private readonly url: string,
    private readonly search: number,
    readonly call: Call,
  ) {}

  query(): ParsedUrlQuery {
    return this.search < 0 ? NO_QUERY : parseQuery(this.url.slice(this.search + 1));
  }
}
