import { Router, type Request, type Response } from 'express';
import type { Readiness } from './readiness';

/**
 * The HTTP probes, for a load balancer or an orchestrator:
 * - `/livez`: 200 whenever the process answers at all (its event loop turns); restart it if not;
 * - `/readyz`: 200 `{"status":"ready"}` while it should get traffic, else 503 with the reason
 *   (`starting`, `log-unavailable`, `log-failed`, `stale`, `stopping`);
 * - `/healthz`: 200 `ok` while the server answers, as before readiness existed (kept for
 *   compatibility, e.g. the Docker HEALTHCHECK).
 * Paths match in any case, with an optional trailing slash. Mount it before any middleware:
 * probes are never authenticated, limited or shed.
 */
export function probeRouter(readiness: Readiness): Router {
  const router = Router();
  router.get([/^\/livez\/?$/i, /^\/healthz\/?$/i], (_req: Request, res: Response) => {
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end('ok');
  });
  router.get(/^\/readyz\/?$/i, (_req: Request, res: Response) => {
    const status = readiness.state;
    res.statusCode = status === 'ready' ? 200 : 503;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(JSON.stringify({ status }));
  });
  return router;
}
