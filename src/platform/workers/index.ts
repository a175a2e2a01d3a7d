/** node:cluster for KVS_WORKERS > 1: the worker pool, the IPC channels and the setting. */
export { WorkerPool, WorkerStartError, type AttachWorker } from './worker-pool';
export { primaryChannel, type IpcChannel } from './ipc-channels';
export { readWorkersConfig } from './workers.config';
