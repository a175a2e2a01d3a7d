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
} from '../../core';

/**
 * The owner's transaction log, decorated so that every durable record also goes to the
 * workers' replicas, in revision order: a record is sent once the log has it durably (the
 * append resolved, a late commit of an outcome that was unknown, a record another writer of a
 * shared log committed), never before. Records are sent in batches, one message per worker a
 * turn of the event loop; `flush` sends what is batched at once, so a reply sent after it never
 * overtakes the records it depends on (the IPC channel keeps order).
 */
export class BroadcastingLog implements TransactionLog {
  readonly confirmHead?: TransactionLog['confirmHead'];
  private readonly subscribers = new Set<MessageChannel>();
  private batch: LogRecord[] = [];
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
    this.subscribers.add(channel);
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

  unsubscribe(channel: MessageChannel): void {
    this.subscribers.delete(channel);
  }

  /** Tells every worker that the lease was renewed, after the records before it. */
  leaseRenewed(id: number): void {
    this.flush();
    this.sendAll({ kvs: 'keepalive', id });
  }

  /** Sends the batched records now. */
  flush(): void {
    if (this.batch.length === 0) return;
    const records = this.batch;
    this.batch = [];
    this.sendAll({ kvs: 'records', records });
  }

  readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
    return this.inner.readEvents();
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
    this.batch.push(...records);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private sendAll(message: OwnerMessage): void {
    for (const channel of this.subscribers) channel.send(message);
  }
}
