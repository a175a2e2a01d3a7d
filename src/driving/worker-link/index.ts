/** The owner's side of the workers' channels (KVS_WORKERS > 1): their snapshots, records and forwarded writes. */
export { BroadcastingLog } from './broadcasting-log';
export { WorkerRequests, type OwnerParts } from './worker-requests';
