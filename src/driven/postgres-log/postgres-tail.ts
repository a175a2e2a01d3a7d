import { Client } from 'pg';
import { describeError } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';
import type { PostgresLogConfig } from './postgres-log.config';
import { connectionSettings } from './postgres-pool';

/** A broken LISTEN connection is opened again after this long. */
const RELISTEN_MS = 500;

/** The channel the writers of `table` notify at each commit (KVS_REPLICAS=shared). */
export function notifyChannel(table: string): string {
  return `kvs_${table}`;
}

/**
 * How a shared replica learns of other writers' commits (KVS_REPLICAS=shared): pushed, by
 * LISTEN on a connection of its own (the writers NOTIFY at commit), and, for a notification that
 * never arrives (a broken connection, an engine without NOTIFY), by a catch-up as soon as the
 * LISTEN connection is back and by a slow poll every KVS_PG_POLL_MS. Each of them calls
 * `catchUp` (the poll says so: it also checks the table's head), which reads the table by
 * revision: a notification carries no data, so a missed or doubled one loses or repeats nothing.
 */
export class PostgresTail {
  private client: Client | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private relistenTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly gone = new WeakSet<Client>();

  constructor(
    private readonly config: PostgresLogConfig,
    private readonly logger: Logger,
    private readonly catchUp: (polled: boolean) => void,
  ) {}

  /** Starts listening and polling. */
  start(): void {
    void this.listen();
    this.pollTimer = setInterval(() => this.catchUp(true), this.config.pollMs);
    this.pollTimer.unref();
  }

  /** Stops listening and polling. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.relistenTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({
      ...connectionSettings(this.config),
      application_name: 'kvs listen',
      statement_timeout: this.config.statementTimeoutMs,
    });
    client.on('notification', () => this.catchUp(false));
    client.on('error', (error) => this.lost(client, describeError(error)));
    client.on('end', () => this.lost(client, 'the connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN "${notifyChannel(this.config.table)}"`);
    } catch (error) {
      this.lost(client, describeError(error));
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    // Whatever was committed while nobody listened.
    this.catchUp(false);
  }

  private lost(client: Client, why: string): void {
    // A broken connection reports both 'error' and 'end': one new connection for it.
    if (this.gone.has(client)) return;
    this.gone.add(client);
    client.end().catch(() => undefined);
    const wasListening = this.client === client;
    if (wasListening) this.client = undefined;
    if (this.stopped || this.relistenTimer !== undefined) return;
    if (wasListening) {
      this.logger.warn(
        { event: 'postgres_listen_lost' },
        `postgres log: the LISTEN connection broke (${why}); polling every ${this.config.pollMs} ms until it is back`,
      );
    }
    this.relistenTimer = setTimeout(() => {
      this.relistenTimer = undefined;
      void this.listen();
    }, RELISTEN_MS);
    this.relistenTimer.unref();
  }
}
