import type { Worker } from 'node:cluster';

/** One end of a node:cluster IPC channel, as the worker protocol uses it. */
export interface IpcChannel {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the other end is gone. */
  onClose(listener: () => void): void;
}

/**
 * A send whose channel closed under it (the other process just died) reports to this callback
 * instead of emitting 'error', which nothing would handle: the close itself is what matters,
 * and `onClose` hears of it.
 */
const ignoreClosedChannel = (): void => undefined;

/** The primary's end of a worker's channel; sends after the worker is gone are dropped. */
export function workerChannel(worker: Worker): IpcChannel {
  return {
    send: (message) => {
      if (worker.isConnected()) worker.send(message as never, undefined, ignoreClosedChannel);
    },
    onMessage: (listener) => worker.on('message', listener),
    onClose: (listener) => worker.once('disconnect', listener),
  };
}

/** A worker's end of its channel to the primary; sends after the primary is gone are dropped. */
export function primaryChannel(): IpcChannel {
  return {
    send: (message) => {
      if (process.connected) process.send?.(message, undefined, undefined, ignoreClosedChannel);
    },
    onMessage: (listener) => process.on('message', listener),
    onClose: (listener) => process.once('disconnect', listener),
  };
}
