// Part of the composition root: the watch hub and service, fed by the store and the log's compactions.
import { WatchHub, type CommitObserver, type KeyValueStore, type RebaseObserver, type ReplayObserver } from '../core';
import { WatchService } from '../application/watch/watch-service';
import { readWatchConfig } from '../application/watch/watch.config';
import { combineLogObservers, type TransactionLogObserver } from '../driven/log-observer.port';
import type { EnvReader } from '../config/env-reader';
import type { KvsMetrics } from '../observability/metrics';
import { watchMetrics } from '../observability/metrics';

/** The watch machinery as the container wires it. */
export interface WatchParts {
  readonly service: WatchService;
  /** What the store is given: every committed revision goes to the hub. */
  readonly observe: CommitObserver;
  /** What the store is given for a shared log's rebase: watchers that would miss revisions end. */
  readonly rebased: RebaseObserver;
  /** The log observer with the hub's compaction hook added. */
  readonly logObserver: TransactionLogObserver;
  /** What the store's restore is given: the history is seeded from the replay. */
  readonly replay: ReplayObserver;
  /** Called once the store is restored: watches start after it by default, and the heartbeats begin. */
  readonly restored: (store: KeyValueStore) => void;
}

/** Reads the watch configuration and builds the hub and service; `store` is read lazily (the container builds it later). */
export function buildWatches(
  env: EnvReader,
  logObserver: TransactionLogObserver,
  metrics: KvsMetrics | undefined,
  store: () => KeyValueStore,
): WatchParts {
  const config = readWatchConfig(env);
  const hub = new WatchHub(0, { historyBytes: config.historyBytes, bufferBytes: config.bufferBytes });
  const service = new WatchService(hub, config, metrics ? watchMetrics(metrics.registry) : {});
  // A compaction rewrites the log to its live state: the changes before it are gone from the
  // log, and watches can no longer start before it either (etcd's compaction, docs/watch.md).
  const compactions: TransactionLogObserver = {
    compactionFinished: ({ outcome }) => {
      if (outcome === 'succeeded') hub.compact(store().revision + 1);
    },
  };
  return {
    service,
    observe: hub.observe,
    rebased: hub.rebased,
    logObserver: combineLogObservers(logObserver, compactions),
    replay: hub.seeding(),
    restored: (restoredStore) => {
      hub.startAt(restoredStore.revision);
      service.start();
    },
  };
}
