import type { TransactionLogObserver } from '../../driven/log-observer.port';
import type { KvsMetrics } from './kvs-metrics';

/** A transaction log observer that feeds the log's metrics. */
export function logMetricsObserver(metrics: KvsMetrics): TransactionLogObserver {
  const synced = metrics.logSyncSeconds.labels({ outcome: 'ok' });
  const failed = metrics.logSyncSeconds.labels({ outcome: 'error' });
  return {
    batchStarted(records, bytes) {
      metrics.logBatchRecords.observe(records);
      metrics.logBatchBytes.observe(bytes);
    },
    durabilityWaited: (seconds, succeeded) => (succeeded ? synced : failed).observe(seconds),
    pendingWrites: (count) => metrics.logPendingWrites.set(count),
    sizeBytes: (bytes) => metrics.logSizeBytes.set(bytes),
    compactionFinished({ trigger, outcome, durationMs, bytesBefore, bytesAfter, liveBytes }) {
      metrics.compactions.inc({ trigger, outcome });
      metrics.compactionSeconds.observe(durationMs / 1000);
      if (outcome !== 'succeeded') return;
      metrics.compactionBytesBefore.set(bytesBefore);
      metrics.compactionBytesAfter.set(bytesAfter);
      metrics.liveBytes.set(liveBytes);
    },
  };
}
