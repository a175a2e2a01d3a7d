import {
  isKvsMessage,
  serializeError,
  type HeadRevision,
  type KeyValueStore,
  type ListeningFrontend,
  type MessageChannel,
  type OwnerMessage,
  type WorkerMessage,
  type WorkerRequest,
} from '../../core';
import type { BroadcastingLog } from './broadcasting-log';

/** What answering the workers needs of the owner. */
export interface OwnerParts {
  /** The authoritative store: every forwarded write is decided and logged here. */
  readonly store: KeyValueStore;
  /** Its log, which sends the workers their snapshots and records. */
  readonly log: BroadcastingLog;
  /** What a worker's linearizable read waits for. */
  readonly head: HeadRevision;
  /** The whole service's metrics exposition (the owner's and every worker's). */
  readonly metrics?: () => Promise<string>;
}

/** How long the owner waits for a worker's metrics before the scrape goes on without them. */
const METRICS_WAIT_MS = 2000;

/**
 * The owner's side of every worker's channel: it sends a new worker the snapshot and the
 * records after it, runs the writes workers forward on the owner's store (answering once the
 * store has them durable, after the records they produced), and gathers the workers' metrics.
 */
export class WorkerRequests {
  private readonly channels = new Set<MessageChannel>();
  private readonly metricsWaits = new Map<number, (metrics: readonly unknown[]) => void>();
  private nextMetricsId = 1;

  constructor(private readonly owner: OwnerParts) {}

  /** Serves one worker's channel; `listening` is called once the worker's frontends listen, with where. */
  attach(channel: MessageChannel, listening: (where: readonly ListeningFrontend[]) => void): void {
    this.channels.add(channel);
    channel.onMessage((message) => {
      if (!isKvsMessage(message)) return;
      const sent = message as WorkerMessage;
      if (sent.kvs === 'hello') this.owner.log.subscribe(channel, this.owner.store.view());
      else if (sent.kvs === 'listening') listening(sent.listening);
      else if (sent.kvs === 'metrics') this.metricsWaits.get(sent.id)?.(sent.metrics);
      else for (const request of sent.requests) this.answer(channel, request);
    });
    channel.onClose(() => {
      this.channels.delete(channel);
      this.owner.log.unsubscribe(channel);
    });
  }

  /** The whole service's metrics exposition (empty when metrics are off). */
  serviceMetrics(): Promise<string> {
    return this.owner.metrics?.() ?? Promise.resolve('');
  }

  /** Every worker's metrics (prom-client's getMetricsAsJSON each), those that answer within a bound. */
  async workerMetrics(): Promise<(readonly unknown[])[]> {
    const asked = [...this.channels].map(
      (channel) =>
        new Promise<readonly unknown[]>((resolve) => {
          const id = this.nextMetricsId++;
          const done = (metrics: readonly unknown[]): void => {
            clearTimeout(timer);
            this.metricsWaits.delete(id);
            resolve(metrics);
          };
          const timer = setTimeout(() => done([]), METRICS_WAIT_MS);
          this.metricsWaits.set(id, done);
          channel.send({ kvs: 'metrics-request', id } satisfies OwnerMessage);
        }),
    );
    return Promise.all(asked);
  }

  private answer(channel: MessageChannel, request: WorkerRequest): void {
    // A store method may throw before it returns a promise (a bad key): answered as a rejection.
    // The log sends the reply in its next batch, after the records the write produced.
    const { log } = this.owner;
    new Promise((resolve) => resolve(this.run(request))).then(
      (value) => log.reply(channel, { id: request.id, value }),
      (error: unknown) => log.reply(channel, { id: request.id, error: serializeError(error) }),
    );
  }

  private run(request: WorkerRequest): unknown {
    const { store, head } = this.owner;
    // JSON (the channel's serialization) sends an absent argument as null: it is absent again.
    const args = request.args.map((arg) => arg ?? undefined) as never[];
    switch (request.op) {
      case 'put':
        return store.put(args[0], args[1], args[2], args[3]);
      case 'delete':
        return store.delete(args[0], args[1]);
      case 'deleteRange':
        return store.deleteRange(args[0]);
      case 'txn':
        return store.txn(args[0]);
      case 'grantLease':
        return store.grantLease(args[0]);
      case 'revokeLease': {
        const allowed = args[1] as readonly string[] | undefined;
        const mayDelete = allowed && new Set(allowed);
        return store.revokeLease(args[0], mayDelete && ((key) => mayDelete.has(key)));
      }
      case 'keepAliveLease':
        return store.keepAliveLease(args[0]).then((status) => {
          this.owner.log.leaseRenewed(status.id);
          return status;
        });
      case 'compact':
        return store.compact();
      case 'head':
        return head.confirm();
      case 'metrics':
        return this.serviceMetrics();
    }
  }
}
