import type { LogHealth, TransactionLog } from '../../core';
import type { ReadinessSignal } from '../readiness-signal.port';

/** Why the service is or is not ready, as /readyz reports it. */
export type ReadinessState = 'starting' | 'ready' | 'log-unavailable' | 'log-failed' | 'stopping';

/**
 * Whether the service should get traffic: ready once the log is replayed and the frontends
 * listen, not ready while the transaction log cannot take writes (a full disk, an unreachable
 * database, a failed fsync), and not ready from the moment shutdown begins, for good.
 */
export class Readiness implements ReadinessSignal {
  private phase: 'starting' | 'serving' | 'stopping' = 'starting';
  private readonly listeners = new Set<(ready: boolean) => void>();
  /** The value listeners last heard: the log's health has already changed when its listener runs. */
  private reported = false;

  constructor(private readonly log: Pick<TransactionLog, 'health' | 'onHealthChange'>) {
    log.onHealthChange(() => this.tellListeners());
  }

  /** The replay is done and every frontend listens. */
  serving(): void {
    if (this.phase === 'starting') this.phase = 'serving';
    this.tellListeners();
  }

  /** Shutdown has begun: not ready from now on. */
  stopping(): void {
    this.phase = 'stopping';
    this.tellListeners();
  }

  get state(): ReadinessState {
    if (this.phase !== 'serving') return this.phase;
    return LOG_STATE[this.log.health()];
  }

  get ready(): boolean {
    return this.state === 'ready';
  }

  onChange(listener: (ready: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private tellListeners(): void {
    const ready = this.ready;
    if (ready === this.reported) return;
    this.reported = ready;
    for (const listener of this.listeners) listener(ready);
  }
}

const LOG_STATE: Readonly<Record<LogHealth, ReadinessState>> = {
  ok: 'ready',
  unavailable: 'log-unavailable',
  failed: 'log-failed',
};
