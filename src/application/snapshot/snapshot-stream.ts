import { setImmediate as nextTurn } from 'node:timers/promises';
import type { KeyEntry, StoreView } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import { encodeSnapshot } from '../../api/snapshot/snapshot-encoder';
import type { SnapshotEntry } from '../../api/snapshot/snapshot-format';

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
  const entries = function* (): Generator<SnapshotEntry> {
    for (const entry of view.entries()) {
      keys++;
      yield snapshotEntryOf(entry);
    }
  };
  let complete = true;
  for (const buffer of encodeSnapshot({ revision: view.revision, entries: entries() }, Date.now())) {
    if (sink.closed) {
      complete = false;
      break;
    }
    bytes += buffer.length;
    if (!sink.write(buffer)) await sink.drained();
    // One section is a stretch of synchronous encoding: let requests in between.
    else await nextTurn();
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

/** A store entry as a snapshot holds it. The store keeps no deadlines yet (leases, issue 19): 0 = none. */
function snapshotEntryOf(entry: KeyEntry): SnapshotEntry {
  return { ...entry, deadlineMs: 0 };
}
