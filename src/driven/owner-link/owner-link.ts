import {
  deserializeError,
  isKvsMessage,
  LogUnavailableError,
  OutcomeUnknownError,
  type CompactionReport,
  type DeleteRangeResult,
  type DeleteResult,
  type HeadRevision,
  type KeySelector,
  type LeaseGrantResult,
  type LeaseRevokeResult,
  type LeaseStatus,
  type ListeningFrontend,
  type MessageChannel,
  type OwnerMessage,
  type PutOptions,
  type PutResult,
  type TxnRequest,
  type TxnResult,
  type WorkerMessage,
  type WorkerReply,
  type WorkerRequest,
  type WriteCondition,
  type WriteOp,
  type WriteOwner,
} from '../../core';

/** The owner's messages the replica follows (of a batch, its records; the link answers its replies). */
export type FollowedMessage = Exclude<OwnerMessage, { kvs: 'metrics-request' }>;

/** A request sent and not yet answered. */
interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Whether the request may have changed the store (a write): its loss is then "outcome unknown". */
  readonly write: boolean;
}

/**
 * A worker's end of the channel to the owner process: the owner's store as the replica writes
 * through it (WriteOwner), its head revision (linearizable reads) and its metrics. The other
 * messages (the snapshot, the records, the log's health) go to the listeners of `onMessage`.
 *
 * The requests of one event-loop turn go to the owner as one message (the owner's one event
 * loop pays per message), and its replies come in batches after the records they depend on:
 * the listeners (the replica) apply a batch's records before its replies resolve.
 *
 * When the owner is gone, a write it had been sent is OutcomeUnknownError (it may have been
 * logged: the owner answers only once the record is durable), and a request not yet sent, or
 * made after that, is LogUnavailableError (it was never sent: nothing changed).
 */
export class OwnerLink implements WriteOwner, HeadRevision {
  private readonly pending = new Map<number, Pending>();
  /** Requests of this turn, sent together once its callbacks have run. */
  private unsent: WorkerRequest[] = [];
  private readonly listeners: ((message: FollowedMessage) => void)[] = [];
  private localMetrics: () => Promise<readonly unknown[]> = () => Promise.resolve([]);
  private readonly closeListeners: (() => void)[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly channel: MessageChannel) {
    channel.onMessage((message) => this.received(message));
    channel.onClose(() => this.lost());
  }

  /** Asks the owner for its state: the snapshot, then every record after it, arrive through `onMessage`. */
  hello(): void {
    this.send({ kvs: 'hello' });
  }

  /** Tells the owner that this worker serves, and where. */
  listening(listening: readonly ListeningFrontend[]): void {
    this.send({ kvs: 'listening', listening });
  }

  /** What this worker answers when the owner gathers metrics (prom-client's getMetricsAsJSON). */
  answerMetricsWith(local: () => Promise<readonly unknown[]>): void {
    this.localMetrics = local;
  }

  /** Calls `listener` with the snapshot, the records and the log's health. */
  onMessage(listener: (message: FollowedMessage) => void): void {
    this.listeners.push(listener);
  }

  onLeaseRenewed(listener: (id: number) => void): void {
    this.onMessage((message) => message.kvs === 'keepalive' && listener(message.id));
  }

  /** Calls `listener` once the owner is gone (after the pending requests failed). */
  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  put(key: string, value: string, condition?: WriteCondition, options?: PutOptions): Promise<PutResult> {
    return this.write('put', [key, value, condition, options]);
  }

  delete(key: string, condition?: WriteCondition): Promise<DeleteResult> {
    return this.write('delete', [key, condition]);
  }

  deleteRange(selector: KeySelector): Promise<DeleteRangeResult> {
    return this.write('deleteRange', [selector]);
  }

  txn(request: TxnRequest): Promise<TxnResult> {
    return this.write('txn', [request]);
  }

  grantLease(ttlMs: number): Promise<LeaseGrantResult> {
    return this.write('grantLease', [ttlMs]);
  }

  revokeLease(id: number, mayDelete?: readonly string[]): Promise<LeaseRevokeResult> {
    return this.write('revokeLease', [id, mayDelete]);
  }

  keepAliveLease(id: number): Promise<LeaseStatus> {
    return this.write('keepAliveLease', [id]);
  }

  compact(): Promise<CompactionReport> {
    return this.write('compact', []);
  }

  /** The owner's head revision (its own store's, or the shared log's it confirms). */
  confirm(): Promise<number> {
    return this.request('head', [], false);
  }

  /** The whole service's metrics exposition, gathered by the owner. */
  metrics(): Promise<string> {
    return this.request('metrics', [], false);
  }

  private write<T>(op: WriteOp, args: readonly unknown[]): Promise<T> {
    return this.request(op, args, true);
  }

  private request<T>(op: WriteOp | 'head' | 'metrics', args: readonly unknown[], write: boolean): Promise<T> {
    if (this.closed) return Promise.reject(new LogUnavailableError('the owner process is gone; nothing was sent'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, write });
      if (this.unsent.length === 0) setImmediate(() => this.sendRequests());
      this.unsent.push({ id, op, args } as WorkerRequest);
    });
  }

  private sendRequests(): void {
    const requests = this.unsent;
    this.unsent = [];
    if (requests.length > 0) this.send({ kvs: 'requests', requests });
  }

  private send(message: WorkerMessage): void {
    if (!this.closed) this.channel.send(message);
  }

  private received(message: unknown): void {
    if (!isKvsMessage(message)) return;
    const owned = message as OwnerMessage;
    if (owned.kvs === 'metrics-request') {
      const { id } = owned;
      this.localMetrics().then(
        (metrics) => this.send({ kvs: 'metrics', id, metrics }),
        () => this.send({ kvs: 'metrics', id, metrics: [] }),
      );
      return;
    }
    // A batch's records first: the replica has them before the replies that depend on them.
    for (const listener of this.listeners) listener(owned);
    if (owned.kvs === 'batch') for (const reply of owned.replies) this.answered(reply);
  }

  private answered(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if ('error' in reply) pending.reject(deserializeError(reply.error));
    else pending.resolve(reply.value);
  }

  private lost(): void {
    if (this.closed) return;
    this.closed = true;
    const unsent = new Set(this.unsent.map((request) => request.id));
    this.unsent = [];
    for (const [id, { reject, write }] of this.pending) {
      reject(
        unsent.has(id)
          ? new LogUnavailableError('the owner process ended before the request was sent; nothing changed')
          : write
            ? new OutcomeUnknownError('the owner process ended while it had the write; it may or may not be durable')
            : new LogUnavailableError('the owner process ended before it answered'),
      );
    }
    this.pending.clear();
    for (const listener of this.closeListeners) listener();
  }
}
