/** A worker's link to the owner process (KVS_WORKERS > 1): the owner's store as a writer, and its history as a log. */
export { OwnerLink } from './owner-link';
export { ReplicaLog } from './replica-log';
