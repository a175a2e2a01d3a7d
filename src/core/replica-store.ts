import { KeyValueStore, type DeleteRangeResult, type DeleteResult, type LeaseGrantResult } from './key-value-store';
import type { LeaseRevokeResult, PutOptions, PutResult, WriteCondition } from './key-value-store';
import type { CommitObserver } from './change-feed';
import type { Clock } from './clock';
import type { LeaseStatus } from './lease-table';
import type { Limits } from './limits';
import type { KeySelector } from './range-query';
import type { CompactionReport, TransactionLog } from './transaction-log.port';
import type { TxnRequest, TxnResult } from './txn';
import type { WriteOwner } from './write-owner.port';

/**
 * A store that follows the history another store owns (a worker of KVS_WORKERS > 1): reads are
 * answered from its own index, fed in revision order by `log` (whose `follow` hands over the
 * owner's durable records), and every write goes to the `owner`, which decides it against the
 * authoritative state and logs it. A write resolves only once this replica has applied the
 * write's revision, so the caller reads its own write here right after; an owner that fails
 * while a write is with it answers OutcomeUnknownError, never "nothing changed".
 */
export class ReplicaStore extends KeyValueStore {
  /** The owner logs every expiry; this replica applies the deletes as records. */
  protected override readonly logsExpiries = false;

  constructor(
    log: TransactionLog,
    private readonly owner: WriteOwner,
    limits?: Limits,
    onCommit?: CommitObserver,
    clock?: Clock,
  ) {
    super(log, limits, onCommit, clock);
    owner.onLeaseRenewed((id) => {
      try {
        this.renewLeaseHere(id);
      } catch {
        // Ended here already (its revoke or expiry record arrived first): nothing to renew.
      }
    });
  }

  override async put(key: string, value: string, condition?: WriteCondition, options?: PutOptions): Promise<PutResult> {
    return this.applied(await this.owner.put(key, value, condition, options));
  }

  override async delete(key: string, condition?: WriteCondition): Promise<DeleteResult> {
    return this.applied(await this.owner.delete(key, condition));
  }

  override async deleteRange(selector: KeySelector): Promise<DeleteRangeResult> {
    return this.applied(await this.owner.deleteRange(selector));
  }

  override async txn(request: TxnRequest): Promise<TxnResult> {
    return this.applied(await this.owner.txn(request));
  }

  override async grantLease(ttlMs: number): Promise<LeaseGrantResult> {
    return this.applied(await this.owner.grantLease(ttlMs));
  }

  /**
   * The replica checks `mayDelete` against the lease's keys it knows and hands the owner the
   * keys it allowed: a key attached meanwhile, which the replica did not check, makes the
   * owner refuse the revoke (fail closed).
   */
  override async revokeLease(id: number, mayDelete?: (key: string) => boolean): Promise<LeaseRevokeResult> {
    const allowed = mayDelete && this.leaseStatus(id).keys.filter(mayDelete);
    return this.applied(await this.owner.revokeLease(id, allowed));
  }

  /**
   * Renews the lease here (so that its keys stay visible on this replica) and at the owner,
   * which alone expires leases and tells every other replica; the answer is this replica's, as
   * keepalives are not logged.
   */
  override keepAliveLease(id: number): Promise<LeaseStatus> {
    const status = this.renewLeaseHere(id);
    // A keepalive the owner cannot take (it is stopping) is the client's next one to retry.
    this.owner.keepAliveLease(id).catch(() => undefined);
    return Promise.resolve(status);
  }

  override compact(): Promise<CompactionReport> {
    return this.owner.compact();
  }

  /** The owner's answer once this replica has applied its revision. */
  private applied<T extends { readonly revision: number }>(result: T): Promise<T> {
    return new Promise((resolve) => this.whenRevision(result.revision, () => resolve(result)));
  }
}
