import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LogHealth } from '../../core';
import { RequestTally } from './request-tally';

/** Request latency buckets (seconds): in-memory reads take well under a millisecond, durable writes a few. */
const REQUEST_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
/** fdatasync / COMMIT buckets (seconds): from a fast NVMe flush to a stalled disk. */
const SYNC_SECONDS_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];
/** Batch sizes up to the file log's 1024-record and the Postgres log's 1000-row limits. */
const BATCH_RECORDS_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];
/** Batch bytes from one small record to the 4 MiB batch limit. */
const BATCH_BYTES_BUCKETS = [64, 256, 1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304];

/** Compaction durations (seconds): a small log in milliseconds, a million live keys in tens of seconds. */
const COMPACTION_SECONDS_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const LOG_STATES: readonly LogHealth[] = ['ok', 'unavailable', 'failed'];

/** What the metrics read from the service when Prometheus scrapes (nothing is counted per write). */
export interface ScrapedState {
  /** Keys in the store. */
  readonly liveKeys: () => number;
  /** UTF-8 bytes of the live keys and values, as the data quota counts them. */
  readonly dataBytes?: () => number;
  /** The data quota (KVS_MAX_DATA_BYTES), when there is one. */
  readonly dataQuotaBytes?: number;
  /** Whether the transaction log takes writes. */
  readonly logHealth: () => LogHealth;
}

/**
 * The service's Prometheus metrics, on a registry of their own (not prom-client's global one,
 * so tests and several instances in one process never share counts).
 */
export class KvsMetrics {
  readonly registry = new Registry();

  /** Where requests are counted (RequestMetricsObserver); the two metrics below read it when collected. */
  readonly requestTally = new RequestTally(REQUEST_SECONDS_BUCKETS);
  readonly requests: Counter<'frontend' | 'operation' | 'code'> = new Counter({
    name: 'kvs_requests_total',
    help: 'Requests answered, by frontend, operation (get, put, delete, other) and outcome code (HTTP status or gRPC status name).',
    labelNames: ['frontend', 'operation', 'code'] as const,
    registers: [this.registry],
    collect: () => this.requestTally.handCounts(this.requests),
  });
  readonly requestSeconds: Histogram<'frontend' | 'operation'> = new Histogram({
    name: 'kvs_request_duration_seconds',
    help: 'Time from a request’s arrival to its answer, by frontend and operation.',
    labelNames: ['frontend', 'operation'] as const,
    buckets: REQUEST_SECONDS_BUCKETS,
    registers: [this.registry],
    collect: () => this.requestTally.handTimes(this.requestSeconds),
  });
  readonly logBatchRecords = new Histogram({
    name: 'kvs_log_append_batch_records',
    help: 'Records per transaction log batch (group commit: one write and one sync per batch).',
    buckets: BATCH_RECORDS_BUCKETS,
    registers: [this.registry],
  });
  readonly logBatchBytes = new Histogram({
    name: 'kvs_log_append_batch_bytes',
    help: 'Bytes per transaction log batch.',
    buckets: BATCH_BYTES_BUCKETS,
    registers: [this.registry],
  });
  readonly logSyncSeconds = new Histogram({
    name: 'kvs_log_sync_duration_seconds',
    help: 'Duration of each durability step: the file log’s fdatasync or the Postgres log’s INSERT and commit.',
    labelNames: ['outcome'] as const,
    buckets: SYNC_SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly logPendingWrites = new Gauge({
    name: 'kvs_log_pending_writes',
    help: 'Writes waiting for the transaction log, queued plus in flight.',
    registers: [this.registry],
  });
  readonly logSizeBytes = new Gauge({
    name: 'kvs_log_size_bytes',
    help: 'Size of the transaction log file in bytes (file log only).',
    registers: [this.registry],
  });
  readonly replaySeconds = new Gauge({
    name: 'kvs_log_replay_duration_seconds',
    help: 'How long the start-up replay of the transaction log took.',
    registers: [this.registry],
  });
  readonly replayEvents = new Gauge({
    name: 'kvs_log_replay_events',
    help: 'Events replayed from the transaction log at start-up.',
    registers: [this.registry],
  });

  readonly compactions = new Counter({
    name: 'kvs_log_compactions_total',
    help: 'Compactions of the transaction log, by trigger (automatic, on-demand) and outcome (succeeded, failed).',
    labelNames: ['trigger', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly compactionSeconds = new Histogram({
    name: 'kvs_log_compaction_duration_seconds',
    help: 'Duration of each compaction of the transaction log, failed ones included.',
    buckets: COMPACTION_SECONDS_BUCKETS,
    registers: [this.registry],
  });
  readonly compactionBytesBefore = new Gauge({
    name: 'kvs_log_compaction_before_bytes',
    help: 'Size of the log history when the last successful compaction began.',
    registers: [this.registry],
  });
  readonly compactionBytesAfter = new Gauge({
    name: 'kvs_log_compaction_after_bytes',
    help: 'Size of the log history right after the last successful compaction.',
    registers: [this.registry],
  });
  readonly liveBytes = new Gauge({
    name: 'kvs_log_live_bytes',
    help: 'Live data (keys and values) as the last successful compaction measured it.',
    registers: [this.registry],
  });

  constructor({ liveKeys, logHealth, dataBytes, dataQuotaBytes }: ScrapedState) {
    new Gauge({
      name: 'kvs_keys',
      help: 'Keys currently stored.',
      registers: [this.registry],
      collect() {
        this.set(liveKeys());
      },
    });
    // etcd's model: the size of the data against its space quota, so an alert can fire before writes are refused.
    new Gauge({
      name: 'kvs_data_bytes',
      help: 'UTF-8 bytes of the live keys and values, as KVS_MAX_DATA_BYTES counts them.',
      registers: [this.registry],
      collect() {
        this.set(dataBytes?.() ?? 0);
      },
    });
    if (dataQuotaBytes !== undefined) {
      new Gauge({
        name: 'kvs_data_quota_bytes',
        help: 'The data quota (KVS_MAX_DATA_BYTES): writes that would take kvs_data_bytes past it are refused with QUOTA_EXCEEDED.',
        registers: [this.registry],
      }).set(dataQuotaBytes);
    }
    new Gauge({
      name: 'kvs_log_state',
      help: 'Whether the transaction log takes writes: 1 for the current state (ok, unavailable, failed), 0 for the others.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const current = logHealth();
        for (const state of LOG_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records the start-up replay. */
  replayed(events: number, seconds: number): void {
    this.replayEvents.set(events);
    this.replaySeconds.set(seconds);
  }

  /** The exposition, in Prometheus text format. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
