import type { RequestHandler } from 'express';
import { silentLogger, type Logger } from '../../platform/logging/logger';
import type { KvsMetrics } from './kvs-metrics';

/** Where Prometheus scrapes. */
export const METRICS_PATH = '/metrics';

/**
 * Express middleware answering `GET /metrics` with the Prometheus exposition and passing every
 * other request on. A path check rather than a mounted Router: on the REST port every request
 * passes here, and a Router would add a routing pass to each.
 */
export function metricsEndpoint(
  metrics: KvsMetrics,
  logger: Logger = silentLogger,
  /** The exposition served: this process's, or with KVS_WORKERS > 1 the whole service's. */
  exposition: () => Promise<string> = () => metrics.exposition(),
): RequestHandler {
  return (req, res, next) => {
    if (req.path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      next();
      return;
    }
    exposition().then(
      (text) => {
        res.setHeader('Content-Type', metrics.registry.contentType);
        res.end(text);
      },
      (error: unknown) => {
        logger.error({ event: 'metrics_failed', err: error }, 'metrics: collecting failed');
        res.statusCode = 500;
        res.end('metrics collection failed\n');
      },
    );
  };
}
