import { AggregatorRegistry, Gauge, type MetricObjectWithValues, type MetricValue, type Registry } from 'prom-client';

/**
 * The metrics that describe the one store and its log, not a process: with KVS_WORKERS > 1 every
 * worker's replica has them too, and summing would count the data once per process, so the
 * owner's alone are kept.
 */
const OWNER_ONLY = new Set([
  'kvs_keys',
  'kvs_data_bytes',
  'kvs_data_quota_bytes',
  'kvs_log_state',
  'kvs_leases',
  'kvs_keys_with_ttl',
  'kvs_log_replay_duration_seconds',
  'kvs_log_replay_events',
]);

type MetricsJson = readonly MetricObjectWithValues<MetricValue<string>>[];

/**
 * The whole service's exposition with KVS_WORKERS > 1: the owner's registry and every worker's
 * (each as prom-client's getMetricsAsJSON), aggregated by prom-client's AggregatorRegistry:
 * counters and histograms summed over the processes (requests, CPU seconds, memory), the
 * store's own gauges as the owner has them.
 */
export async function serviceExposition(owner: Registry, workers: readonly (readonly unknown[])[]): Promise<string> {
  const own = await owner.getMetricsAsJSON();
  const others = workers.map((metrics) => (metrics as MetricsJson).filter(({ name }) => !OWNER_ONLY.has(name)));
  return AggregatorRegistry.aggregate([own, ...others] as MetricObjectWithValues<MetricValue<string>>[][]).metrics();
}

/** kvs_workers_serving on the owner's registry: the worker processes serving now. */
export function workerPoolMetrics(registry: Registry, serving: () => number): void {
  new Gauge({
    name: 'kvs_workers_serving',
    help: 'Worker processes serving clients now (KVS_WORKERS > 1).',
    registers: [registry],
    collect() {
      this.set(serving());
    },
  });
}
