import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { KeyValueStore } from '../../core';
import { listenOn, type Frontend, type ListeningAddress } from '../frontend.port';
import { answerExpectContinue, answerParserErrors } from './http-parser-errors';
import { silentLogger, type Logger } from '../../platform/logging/logger';
import type { ServerTls } from '../../platform/tls/server-tls';
import { headContentLength } from '../../platform/http/head-content-length';
import { sendError, sendFailure } from './http-status';
import { inOrderPerConnection } from './in-order-per-connection';
import { addKeyPathErrors, keyHandlers } from './key-routes';
import { adminHandlers } from './admin-routes';
import { addOperationRoutes } from './operation-routes';
import { restCallAdapter } from './rest-call-adapter';
import { OperationTable } from '../../application/operations';
import { PolicyPipeline } from '../../application/pipeline';
import { REST_LIMIT_DEFAULTS, type RestOptions } from './rest.config';
import { BodyBudget } from './body-budget';
import { WatchService } from '../../application/watch/watch-service';
import { ReadConsistency } from '../../application/consistency/read-consistency';
import { watchHandlers } from './watch-routes';
import { rangeHandlers } from './range-routes';
import { txnHandlers } from './txn-routes';
import { openApiHandlers } from './openapi-routes';
import { leaseHandlers } from './lease-routes';

/** How long stop() lets in-flight requests run before cutting their connections. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How often stop() closes keep-alive connections that have gone idle since the last look. */
const IDLE_SWEEP_MS = 50;

/** What the composition root hands the REST frontend besides the store and where to listen. */
export interface RestDependencies {
  /** Where server faults are reported. */
  readonly logger?: Logger;
  /** The probe routes (/livez, /readyz, /healthz), mounted before the middleware: never authenticated or shed. */
  readonly probes?: RequestHandler;
  /**
   * Middleware run before the operation is resolved, in order, seeing every request that is not
   * a probe (tests stand in for an instrumentation with it; the service's observers are the
   * pipeline's).
   */
  readonly middleware?: readonly RequestHandler[];
  /** The operations served (default: the service's table); a request that maps to no row is refused. */
  readonly operations?: OperationTable;
  /**
   * The observers (request logs, metrics, span names) that see every request and the policies
   * (shedding, auth, limits, read-only) it goes through; none by default.
   */
  readonly pipeline?: PolicyPipeline;
  /** Endpoints answered once the policies admitted the call, before the routes (GET /metrics). */
  readonly endpoints?: readonly RequestHandler[];
  /** Serve HTTPS with these certificates (reloaded in place); plain HTTP when unset. */
  readonly tls?: ServerTls;
  /** The watches GET /v1/watch opens (none: every watch is refused). */
  readonly watches?: WatchService;
  /** What min_revision and linearizable reads wait on (default: the store is its own head). */
  readonly reads?: ReadConsistency;
}

/** The REST frontend: the book's HTTP API on express, over one node:http server. */
export class RestFrontend implements Frontend {
  readonly name = 'rest';
  private readonly server: Server;
  private readonly app: express.Express;

  constructor(
    store: KeyValueStore,
    private readonly options: RestOptions,
    {
      logger = silentLogger,
      probes,
      middleware = [],
      tls,
      operations = new OperationTable(),
      pipeline = new PolicyPipeline(),
      endpoints = [],
      watches = WatchService.none(),
      reads = new ReadConsistency(store),
    }: RestDependencies = {},
  ) {
    const limits = { ...REST_LIMIT_DEFAULTS, ...definedOnly(options) };
    const app = express();
    this.app = app;
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(headContentLength);
    // The key routes live on the app's own router rather than a mounted one: one routing pass
    // per request instead of two. That router therefore takes their strict matching rules...
    app.enable('case sensitive routing');
    app.enable('strict routing');
    // ...while the probes keep a lenient match (any case, optional trailing slash) of their own.
    if (probes) app.use(probes);
    if (middleware.length > 0) app.use(...middleware);
    app.use(restCallAdapter(operations, pipeline));
    if (endpoints.length > 0) app.use(...endpoints);
    const bodies = new BodyBudget(limits.maxBodyBytesInFlight);
    addOperationRoutes(app, operations, {
      ...keyHandlers(store, logger, bodies, reads),
      ...adminHandlers(store, logger),
      ...watchHandlers(watches, store.limits, logger),
      ...rangeHandlers(store, logger, reads),
      ...txnHandlers(store, logger, bodies),
      ...openApiHandlers(),
      ...leaseHandlers(store, logger, bodies),
    });
    addKeyPathErrors(app);
    app.use((_req: Request, res: Response) =>
      sendError(res, 'NO_SUCH_ROUTE', 'no such route; the API is /v1/key/{key}'),
    );
    app.use(routingErrorHandler(logger));
    const serverOptions: ServerOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks those timeouts every 30 s by default, which would triple a 10 s limit.
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    };
    const handler = inOrderPerConnection(app);
    this.server = tls === undefined ? createServer(serverOptions, handler) : httpsServer(serverOptions, handler, tls);
    this.server.maxConnections = limits.maxConnections;
    answerParserErrors(this.server);
    answerExpectContinue(this.server, handler, store.limits.maxValueBytes);
  }

  /** Every route with a method handler ('GET /v1/key/:key'), for the operation-table test; `.all` fallbacks excluded. */
  registeredRoutes(): readonly string[] {
    type Layer = { route?: { path: string; stack: { method?: string }[] } };
    const stack = (this.app.router as unknown as { stack: Layer[] }).stack;
    return stack.flatMap(({ route }) =>
      route === undefined
        ? []
        : [...new Set(route.stack.map((layer) => layer.method))]
            .filter((method) => method !== undefined)
            .map((method) => `${method.toUpperCase()} ${route.path}`),
    );
  }

  start(): Promise<ListeningAddress> {
    return listenOn(this.server, this.options.host, this.options.port);
  }

  stop(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      // Keep-alive connections go idle one by one as their in-flight requests finish;
      // sweep them so close() completes without waiting for clients to hang up.
      const sweep = setInterval(() => this.server.closeIdleConnections(), IDLE_SWEEP_MS);
      const deadline = setTimeout(() => this.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      this.server.close(() => {
        clearInterval(sweep);
        clearTimeout(deadline);
        resolve();
      });
    });
  }
}

/** An HTTPS server whose certificates follow the reloads of `tls` without a restart. */
function httpsServer(serverOptions: ServerOptions, handler: RequestListener, tls: ServerTls): Server {
  const server = createHttpsServer(
    { ...serverOptions, ...tls.current(), requestCert: tls.requireClientCertificate, rejectUnauthorized: true },
    handler,
  );
  tls.onReload((material) => server.setSecureContext({ ...material }));
  return server;
}

/** Answers errors raised by express itself, such as a key whose percent-encoding is not UTF-8. */
function routingErrorHandler(logger: Logger) {
  return (error: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    if (error instanceof URIError) {
      sendError(res, 'INVALID_KEY', 'key is not valid percent-encoded UTF-8');
      return;
    }
    sendFailure(res, error, logger);
  };
}

/** The options without the keys set to undefined, so that they do not hide the defaults. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
