import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Delivery lag buckets (seconds): a live watcher in well under a millisecond, one catching up in seconds. */
const LAG_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/** Why a watch ended, as the metrics label it (the application's WatchEndReason). */
type EndReason = 'client' | 'too_slow' | 'compacted' | 'expired' | 'shutdown';

/** The watch observer the metrics give the watch service (the shape of the application's WatchObserver). */
export interface WatchMetricsObserver {
  watcherOpened(transport: string): void;
  watcherClosed(transport: string, reason: EndReason): void;
  delivered(transport: string, events: number, lagMs: number): void;
}

/**
 * The watch metrics, on the service's registry: open watchers by transport, events delivered,
 * watchers ended by the server by reason (a client that leaves is not counted), and the lag
 * from a revision's commit to its hand-over to the transport.
 */
export function watchMetrics(registry: Registry): WatchMetricsObserver {
  const watchers = new Gauge({
    name: 'kvs_watchers',
    help: 'Watch streams open, by transport (rest: server-sent events, grpc: Watch).',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const delivered = new Counter({
    name: 'kvs_watch_events_delivered_total',
    help: 'Change events handed to watch streams, by transport.',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const dropped = new Counter({
    name: 'kvs_watchers_dropped_total',
    help: 'Watch streams the server ended, by reason (too_slow, compacted, expired, shutdown).',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'kvs_watch_delivery_lag_seconds',
    help: 'Time from a revision’s commit to its hand-over to a watch stream, by transport.',
    labelNames: ['transport'] as const,
    buckets: LAG_SECONDS_BUCKETS,
    registers: [registry],
  });
  for (const transport of ['rest', 'grpc']) watchers.set({ transport }, 0);
  return {
    watcherOpened: (transport) => watchers.inc({ transport }),
    watcherClosed(transport, reason) {
      watchers.dec({ transport });
      if (reason !== 'client') dropped.inc({ reason });
    },
    delivered(transport, events, lagMs) {
      delivered.inc({ transport }, events);
      lag.observe({ transport }, lagMs / 1000);
    },
  };
}
