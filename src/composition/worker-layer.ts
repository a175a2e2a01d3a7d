// Part of the composition root: the processes of KVS_WORKERS > 1 (docs/workers.md).
import cluster from 'node:cluster';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { ownHead, type HeadRevision, type KeyValueStore, type TransactionLog } from '../core';
import { OwnerLink, ReplicaLog } from '../driven/owner-link';
import { BroadcastingLog, WorkerRequests } from '../driving/worker-link';
import { serviceExposition, workerPoolMetrics, type KvsMetrics } from '../observability/metrics';
import type { Logger } from '../platform/logging/logger';
import { primaryChannel, WorkerPool } from '../platform/workers';

/**
 * Which process this is: the one process of KVS_WORKERS=1; with more, the owner (the cluster's
 * primary: it holds the log and forks the workers) or one of the workers (they serve clients).
 */
export type ProcessRole = 'single' | 'owner' | 'worker';

/** The role of this process, given KVS_WORKERS. */
export function processRole(workers: number): ProcessRole {
  if (cluster.isWorker) return 'worker';
  return workers > 1 ? 'owner' : 'single';
}

/** A worker's link to the owner, and the owner's history as the worker's log. */
export interface WorkerSide {
  readonly link: OwnerLink;
  readonly log: ReplicaLog;
  /** What /metrics serves on a worker: the whole service's, gathered by the owner. */
  readonly exposition: (metrics: KvsMetrics) => () => Promise<string>;
}

/** Connects a worker to the owner; the owner starts sending the snapshot at once. */
export function connectToOwner(): WorkerSide {
  const link = new OwnerLink(primaryChannel());
  return {
    link,
    log: new ReplicaLog(link),
    exposition: (metrics) => {
      link.answerMetricsWith(() => metrics.registry.getMetricsAsJSON());
      return () => link.metrics();
    },
  };
}

/** The owner's parts: its log sends the workers their records; the pool forks and replaces them. */
export interface OwnerSide {
  readonly requests: WorkerRequests;
  readonly pool: WorkerPool;
}

/** The owner's log: the adapter's, decorated to send every durable record to the workers. */
export function broadcasting(log: TransactionLog): BroadcastingLog {
  return new BroadcastingLog(log);
}

/** The head a linearizable read waits for: a shared log's, confirmed with its database; else the store's own. */
export function headOf(log: TransactionLog, store: KeyValueStore): HeadRevision {
  return log.confirmHead ? { confirm: () => log.confirmHead!() } : ownHead(store);
}

/** What the owner serves its workers with. */
export interface OwnerSideOptions {
  readonly workers: number;
  readonly store: KeyValueStore;
  readonly log: BroadcastingLog;
  readonly metrics?: KvsMetrics;
  /** Whether a per-caller rate limit is on: the owner then keeps every caller's bucket. */
  readonly rateLimited: boolean;
  readonly logger: Logger;
}

/** Builds the owner's side: the answers to the workers and the pool that forks them. */
export function buildOwnerSide({ workers, store, log, metrics, rateLimited, logger }: OwnerSideOptions): OwnerSide {
  // rate-limiter-flexible's master answers the workers' RateLimiterCluster on the cluster channel.
  if (rateLimited) new RateLimiterClusterMaster();
  const requests: WorkerRequests = new WorkerRequests({
    store,
    log,
    head: headOf(log, store),
    metrics: metrics && (async () => serviceExposition(metrics.registry, await requests.workerMetrics())),
  });
  const pool = new WorkerPool(
    workers,
    (channel, listening) => requests.attach(channel, listening),
    logger.child({ component: 'workers' }),
  );
  if (metrics) workerPoolMetrics(metrics.registry, () => pool.serving);
  return { requests, pool };
}
