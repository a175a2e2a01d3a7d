export { KvsMetrics, type ScrapedState } from './kvs-metrics';
export { logMetricsObserver } from './log-metrics';
export { metricsEndpoint, METRICS_PATH } from './metrics-endpoint';
export { RequestMetricsObserver } from './request-metrics';
export { watchMetrics, type WatchMetricsObserver } from './watch-metrics';
export { expiryMetrics } from './expiry-metrics';
export { serviceExposition, workerPoolMetrics } from './service-metrics';
