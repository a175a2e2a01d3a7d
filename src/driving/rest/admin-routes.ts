import type { Request, RequestHandler, Response } from 'express';
import type { KeyValueStore } from '../../core';
import type { Logger } from '../../platform/logging/logger';
import { drainedOrClosed, streamSnapshot, type SnapshotSink } from '../../application/snapshot/snapshot-stream';
import { sendFailure } from './http-status';

/**
 * The handlers of the operator API under /v1/admin/, by operation name: Compact compacts the
 * transaction log now (or waits for the compaction already running) and answers 200 with what
 * it did, or 503 LOG_UNAVAILABLE if it failed; Snapshot streams a consistent snapshot of the
 * store (docs/snapshots.md), its revision also in X-Kvs-Revision.
 */
export function adminHandlers(store: KeyValueStore, logger: Logger): Readonly<Record<string, RequestHandler>> {
  return {
    Compact: async (_req: Request, res: Response) => {
      try {
        const report = await store.compact();
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(report));
      } catch (error) {
        sendFailure(res, error, logger);
      }
    },
    Snapshot: async (_req: Request, res: Response) => {
      const view = store.view();
      res.setHeader('Content-Type', 'application/octet-stream');
      res.setHeader('Content-Disposition', `attachment; filename="kvs-${view.revision}.snapshot"`);
      res.setHeader('X-Kvs-Revision', String(view.revision));
      try {
        const sent = await streamSnapshot(view, responseSink(res), logger);
        if (sent.complete) res.end();
      } catch (error) {
        // Once bytes are out, a status can no longer be sent: cutting the response short tells
        // the reader, whose snapshot then lacks its end section.
        if (res.headersSent) res.destroy();
        else sendFailure(res, error, logger);
      }
    },
  };
}

/** The response as a snapshot's sink: write with back-pressure until the client hangs up. */
function responseSink(res: Response): SnapshotSink {
  return {
    write: (bytes) => res.write(bytes),
    drained: () => drainedOrClosed(res, 'close', res.destroyed),
    get closed() {
      return res.destroyed;
    },
  };
}
