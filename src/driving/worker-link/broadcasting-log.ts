import {
  OutcomeUnknownError,
  SNAPSHOT_CHUNK_ENTRIES,
  type CompactionReport,
  type LiveState,
  type LogHealth,
  type LogHealthListener,
  type LogRecord,
  type MessageChannel,
  type OwnerMessage,
  type ReplayedRecord,
  type StoreView,
  type TransactionLog,
  type WorkerReply,
} from '../../core';

/**
 * The owner's transaction log, decorated so that every durable record also goes to the
 * workers' replicas, in revision order: a record is sent once the log has it durably (the
 * append resolved, a late commit of an outcome that was unknown, a record another writer of a
 * shared log committed), never before. It also carries the owner's replies to each worker's
 * requests, after the records they depend on: what a turn of the event loop produced (a group
 * commit's records and the answers to its writes) goes to each worker as one `batch` message,
 * records first, since every message costs the owner's one event loop far more than its bytes.
 */
export class BroadcastingLog implements TransactionLog {
  readonly confirmHead?: TransactionLog['confirmHead'];
  /** Every worker subscribed, with the replies to send it in the next batch. */
  private readonly subscribers = new Map<MessageChannel, WorkerReply[]>();
  private records: LogRecord[] = [];
  private pendingReplies = 0;
  private flushScheduled = false;

  constructor(private readonly inner: TransactionLog) {
    // KVS_REPLICAS=shared is refused with workers (the composition): nothing to follow here.
    if (inner.confirmHead) this.confirmHead = () => inner.confirmHead!();
    inner.onHealthChange((health) => this.sendAll({ kvs: 'health', health }));
  }

  /**
   * Sends `channel` the store's state as `view` holds it, then every record after it. Call it in
   * the same turn as the view is taken: a record the store applied by then is in the view.
   */
  subscribe(channel: MessageChannel, view: StoreView): void {
    this.flush();
    this.subscribers.set(channel, []);
    const entries = [...view.entries()];
    const leases = [...view.leases()];
    const health = this.inner.health();
    for (let start = 0; ; start += SNAPSHOT_CHUNK_ENTRIES) {
      const done = start + SNAPSHOT_CHUNK_ENTRIES >= entries.length;
      const chunk = entries.slice(start, start + SNAPSHOT_CHUNK_ENTRIES);
      channel.send({
        kvs: 'snapshot',
        revision: view.revision,
        entries: chunk,
        leases: start === 0 ? leases : [],
        health,
        done,
      } satisfies OwnerMessage);
      if (done) return;
    }
  }

  /** Stops sending to `channel` (its worker is gone): its unsent replies go nowhere. */
  unsubscribe(channel: MessageChannel): void {
    this.pendingReplies -= this.subscribers.get(channel)?.length ?? 0;
    this.subscribers.delete(channel);
  }

  /**
   * Sends `reply` to the worker of `channel` in the next batch, after every record made durable
   * so far (those of the write it answers among them). A worker that never subscribed (a request
   * before its hello) gets it at once.
   */
  reply(channel: MessageChannel, reply: WorkerReply): void {
    const replies = this.subscribers.get(channel);
    if (replies === undefined) {
      channel.send({ kvs: 'batch', records: [], replies: [reply] } satisfies OwnerMessage);
      return;
    }
    replies.push(reply);
    this.pendingReplies++;
    this.scheduleFlush();
  }

  /** Tells every worker that the lease was renewed, after the records before it. */
  leaseRenewed(id: number): void {
    this.sendAll({ kvs: 'keepalive', id });
  }

  /** Sends what is batched (records, and each worker's replies) now. */
  private flush(): void {
    if (this.records.length === 0 && this.pendingReplies === 0) return;
    const records = this.records;
    this.records = [];
    this.pendingReplies = 0;
    for (const [channel, replies] of this.subscribers) {
      if (records.length === 0 && replies.length === 0) continue;
      this.subscribers.set(channel, []);
      channel.send({ kvs: 'batch', records, replies } satisfies OwnerMessage);
    }
  }

  readEvents(historyBytes?: number): AsyncIterable<readonly ReplayedRecord[]> {
    return this.inner.readEvents(historyBytes);
  }

  append(record: LogRecord): Promise<void> {
    return this.inner.append(record).then(
      () => this.push([record]),
      (error: unknown) => {
        // Registered before the store's own wait on the outcome: the workers hear of a late
        // commit no later than the owner's store applies it.
        if (error instanceof OutcomeUnknownError)
          void error.outcome?.then((committed) => committed && this.push([record]));
        throw error;
      },
    );
  }

  close(): Promise<void> {
    this.flush();
    return this.inner.close();
  }

  health(): LogHealth {
    return this.inner.health();
  }

  onHealthChange(listener: LogHealthListener): () => void {
    return this.inner.onHealthChange(listener);
  }

  attachLiveState(live: LiveState): void {
    this.inner.attachLiveState(live);
  }

  compact(): Promise<CompactionReport> {
    return this.inner.compact();
  }

  private push(records: readonly LogRecord[]): void {
    if (this.subscribers.size === 0) return;
    this.records.push(...records);
    this.scheduleFlush();
  }

  /** A flush once this turn's callbacks (a group commit resolves all its appends in one) have run. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** A message to every worker, after what is batched (the channel keeps order). */
  private sendAll(message: OwnerMessage): void {
    this.flush();
    for (const channel of this.subscribers.keys()) channel.send(message);
  }
}
