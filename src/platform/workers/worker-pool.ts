import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logging/logger';
import { workerChannel, type IpcChannel } from './ipc-channels';

/**
 * What the pool tells its owner of each worker it forks (the first ones and every replacement);
 * the owner calls `listening` with where the worker listens once it does.
 */
export type AttachWorker = (channel: IpcChannel, listening: (where: unknown) => void) => void;

/** A worker that ended before it served: its exit code (2: a configuration mistake, such as a taken port). */
export class WorkerStartError extends Error {
  constructor(readonly exitCode: number) {
    super(`a worker process exited (${exitCode}) before it served`);
  }
}

/** First wait before replacing a dead worker; doubled while replacements die young. */
const RESPAWN_DELAY_MS = 100;
const MAX_RESPAWN_DELAY_MS = 5000;
/** A worker that served this long before it died is replaced at once, not after a longer wait. */
const HEALTHY_LIFETIME_MS = 10_000;

/**
 * The worker processes of KVS_WORKERS > 1 (node:cluster: they share the listening ports, the
 * primary hands them connections in turn). Replaces a worker that dies while the service runs
 * (with a growing delay while replacements keep dying young); `stop` asks every worker to
 * drain (SIGTERM) and resolves once all have exited.
 */
export class WorkerPool {
  private readonly alive = new Map<Worker, { listening: boolean; forkedAt: number }>();
  private stopping = false;
  private started = false;
  private respawnDelayMs = RESPAWN_DELAY_MS;
  private readonly exits: (() => void)[] = [];

  constructor(
    private readonly count: number,
    private readonly attach: AttachWorker,
    private readonly logger: Logger,
  ) {
    // JSON, not 'advanced' (structured clone): measured, advanced took twice the CPU per
    // forwarded write (bench rows workers=2). JSON's one loss, undefined in arrays as null, the
    // owner's side undoes (src/driving/worker-link/worker-requests.ts).
    cluster.setupPrimary({ serialization: 'json' });
  }

  /**
   * Forks the workers; resolves once every one listens, with where the last one said it does;
   * rejects (WorkerStartError) if one exits first.
   */
  start(): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let waiting = this.count;
      for (let i = 0; i < this.count; i++)
        this.fork(
          (where) => {
            waiting--;
            if (waiting === 0) {
              this.started = true;
              resolve(where);
            }
          },
          (code) => reject(new WorkerStartError(code)),
        );
    });
  }

  /** Workers forked and serving now. */
  get serving(): number {
    return [...this.alive.values()].filter((state) => state.listening).length;
  }

  /** Sends every worker `signal` (SIGHUP: reload TLS). */
  signal(signal: NodeJS.Signals): void {
    for (const worker of this.alive.keys()) worker.process.kill(signal);
  }

  /** Drains every worker (SIGTERM: each stops accepting, answers what it has, exits); resolves once none is left. */
  stop(): Promise<void> {
    this.stopping = true;
    for (const worker of this.alive.keys()) worker.process.kill('SIGTERM');
    if (this.alive.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.exits.push(resolve));
  }

  private fork(listening: (where: unknown) => void, failedToStart: (code: number) => void): void {
    const worker = cluster.fork();
    this.logger.info({ event: 'worker_started', pid: worker.process.pid }, `worker ${worker.process.pid} started`);
    const state = { listening: false, forkedAt: Date.now() };
    this.alive.set(worker, state);
    // A channel that closes under a send (the worker just died): its exit is what the pool acts on.
    worker.on('error', (error: Error) =>
      this.logger.debug({ event: 'worker_channel_error', pid: worker.process.pid, err: error }, 'worker channel error'),
    );
    this.attach(workerChannel(worker), (where) => {
      state.listening = true;
      listening(where);
    });
    worker.on('exit', (code, signal) => {
      this.alive.delete(worker);
      const exitCode = code ?? 1;
      if (this.stopping) {
        if (this.alive.size === 0) for (const resolve of this.exits.splice(0)) resolve();
        return;
      }
      if (!this.started) {
        failedToStart(exitCode);
        return;
      }
      this.logger.error(
        { event: 'worker_died', pid: worker.process.pid, code, signal },
        `worker ${worker.process.pid} died (${signal ?? code}); starting a replacement`,
      );
      this.replace(Date.now() - state.forkedAt);
    });
  }

  private replace(livedMs: number): void {
    this.respawnDelayMs =
      livedMs >= HEALTHY_LIFETIME_MS ? RESPAWN_DELAY_MS : Math.min(this.respawnDelayMs * 2, MAX_RESPAWN_DELAY_MS);
    setTimeout(() => {
      if (this.stopping) return;
      this.fork(
        () => this.logger.info({ event: 'worker_replaced', serving: this.serving }, 'replacement worker serving'),
        () => undefined,
      );
    }, this.respawnDelayMs).unref();
  }
}
