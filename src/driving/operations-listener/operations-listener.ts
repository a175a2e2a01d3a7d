import { createServer, type Server } from 'node:http';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { headContentLength } from '../../platform/http/head-content-length';
import { listenOn, type Frontend, type ListeningAddress } from '../frontend.port';

/** Where the operations listener listens and what it serves. */
export interface OperationsListenerOptions {
  readonly host: string;
  readonly port: number;
  /** The operator endpoints (metrics, probes), each an express handler or router, tried in order. */
  readonly handlers: readonly RequestHandler[];
}

/**
 * The optional operations listener (KVS_ADMIN_PORT; not the KvsAdmin API, which the frontends serve): metrics and probes on a port of their own,
 * so they stay available with FRONTEND_TYPE=grpc and can be kept off the public port. It
 * serves no keys. It starts before the log is replayed, so probes can report "not ready yet".
 */
export class OperationsListener implements Frontend {
  readonly name = 'admin';
  private readonly server: Server;

  constructor(private readonly options: OperationsListenerOptions) {
    const app = express();
    app.disable('x-powered-by');
    app.set('etag', false);
    app.use(headContentLength);
    if (options.handlers.length > 0) app.use(...options.handlers);
    app.use((_req: Request, res: Response) => {
      res.statusCode = 404;
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end('not found\n');
    });
    this.server = createServer(app);
  }

  start(): Promise<ListeningAddress> {
    return listenOn(this.server, this.options.host, this.options.port);
  }

  /** Stops at once: scrapes and probes are short and safe to cut. */
  stop(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
