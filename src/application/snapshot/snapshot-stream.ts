import { setTimeout as sleep } from 'node:timers/promises';
import type { StoreView } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import { encodeSnapshot } from '../../api/snapshot/snapshot-encoder';
import type { EncodableEntry } from '../../api/snapshot/snapshot-format';

/**
 * Milliseconds a snapshot rests after each section per millisecond spent encoding it: the
 * snapshot takes at most a fifth of the event loop (2, a third of it, measured 0.78x durable PUT
 * throughput during snapshots against the 0.8x target).
 */
const REST_PER_ENCODING = 4;

/** Where a snapshot's bytes go (an HTTP response, a gRPC server stream): a writable with back-pressure. */
export interface SnapshotSink {
  /** Queues the bytes; false when the sink's buffer is full: wait for `drained` before writing more. */
  write(bytes: Buffer): boolean;
  /** Resolves once the sink takes more bytes, or once it has closed. */
  drained(): Promise<void>;
  /** True once the peer has gone (cancelled, disconnected): the stream stops. */
  readonly closed: boolean;
}

/** The part of a writable stream (an HTTP response, a gRPC call) that says when it drains or closes. */
interface DrainingStream {
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/** Resolves at the stream's next 'drain' or `closeEvent`, whichever comes first (at once when already closed). */
export function drainedOrClosed(stream: DrainingStream, closeEvent: string, closed: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (closed) return resolve();
    const done = (): void => {
      stream.off('drain', done);
      stream.off(closeEvent, done);
      resolve();
    };
    stream.on('drain', done);
    stream.on(closeEvent, done);
  });
}

/** What a snapshot sent. */
export interface SentSnapshot {
  readonly revision: number;
  readonly keys: number;
  readonly bytes: number;
  /** False when the peer went away before the end. */
  readonly complete: boolean;
}

/**
 * Streams a consistent snapshot of the store (docs/snapshot-format.md) into `sink`, from a view
 * taken by the caller (`store.view()`: copy-on-write, so reads and writes go on and do not show
 * in it), encoded a section at a time. Between sections the event loop turns, and a full sink is
 * waited for, so memory holds about one section and whatever the sink buffers, whatever the
 * store's size, and a slow reader slows only its own snapshot.
 */
export async function streamSnapshot(view: StoreView, sink: SnapshotSink, logger: Logger): Promise<SentSnapshot> {
  const began = performance.now();
  let keys = 0;
  let bytes = 0;
  // Each key's deadline or lease goes with it, and each lease with its TTL (a restore gives it
  // in full again, as every restart does).
  // A lease replay found keys of but no grant (LeaseTable.adoptOrphans: TTL 0) is already over:
  // its keys go as expired long ago, and a restore deletes them as the running service will.
  const takenAt = Date.now();
  const leases = [...view.leases()].filter((lease) => lease.ttlMs > 0);
  const held = new Set(leases.map((lease) => lease.id));
  const entries = function* (): Generator<EncodableEntry> {
    for (const entry of view.entries()) {
      keys++;
      const { expiresAt, lease } = entry;
      if (lease === undefined || held.has(lease)) yield { ...entry, deadlineMs: expiresAt ?? 0, lease: lease ?? 0 };
      else yield { ...entry, deadlineMs: 1, lease: 0 };
    }
  };
  let complete = true;
  let sectionStarted = performance.now();
  const source = { revision: view.revision, leases, entries: entries() };
  for (const buffer of encodeSnapshot(source, takenAt)) {
    if (sink.closed) {
      complete = false;
      break;
    }
    bytes += buffer.length;
    const encodingMs = performance.now() - sectionStarted;
    if (!sink.write(buffer)) await sink.drained();
    // One section is a stretch of synchronous encoding. Pacing, as the compaction's base writer
    // does, but longer: rest four times as long as it took, so a snapshot takes at most about a fifth
    // of the event loop and requests keep the rest (the bench's target is 0.8× the durable PUT
    // throughput without a snapshot). Always a real turn of the loop, even after a drain: a socket
    // whose writes complete at once emits 'drain' on the next tick, and the stream would then
    // never let other sockets' I/O in.
    await sleep(encodingMs * REST_PER_ENCODING);
    sectionStarted = performance.now();
  }
  const sent = { revision: view.revision, keys, bytes, complete: complete && !sink.closed };
  const durationMs = Math.round(performance.now() - began);
  logger.info(
    { event: 'snapshot_sent', ...sent, durationMs },
    sent.complete
      ? `snapshot at revision ${sent.revision} sent: ${keys} keys, ${bytes} bytes in ${durationMs} ms`
      : `snapshot at revision ${sent.revision} abandoned after ${bytes} bytes: the reader went away`,
  );
  return sent;
}
