import type { CompactionReport } from './transaction-log.port';
import type { KeySelector } from './range-query';
import type { LeaseStatus } from './lease-table';
import type { TxnRequest, TxnResult } from './txn';
import type {
  DeleteRangeResult,
  DeleteResult,
  LeaseGrantResult,
  LeaseRevokeResult,
  PutOptions,
  PutResult,
  WriteCondition,
} from './key-value-store';

/**
 * The driven port a replica store writes through: the store that owns the log (the owner
 * process of KVS_WORKERS > 1) decides and logs every write, and answers once it is durable.
 * Its errors are the core's (a write it can no longer tell the outcome of: OutcomeUnknownError).
 */
export interface WriteOwner {
  put(key: string, value: string, condition?: WriteCondition, options?: PutOptions): Promise<PutResult>;
  delete(key: string, condition?: WriteCondition): Promise<DeleteResult>;
  deleteRange(selector: KeySelector): Promise<DeleteRangeResult>;
  txn(request: TxnRequest): Promise<TxnResult>;
  grantLease(ttlMs: number): Promise<LeaseGrantResult>;
  /** `mayDelete`: the only keys the revoke may delete (the caller's check on the replica); undefined: any. */
  revokeLease(id: number, mayDelete?: readonly string[]): Promise<LeaseRevokeResult>;
  keepAliveLease(id: number): Promise<LeaseStatus>;
  compact(): Promise<CompactionReport>;
  /**
   * Calls `listener` with every lease the owner renewed (a keepalive through any replica):
   * keepalives are not logged, so this is how every replica keeps a lease, and its keys, alive.
   */
  onLeaseRenewed(listener: (id: number) => void): void;
}
