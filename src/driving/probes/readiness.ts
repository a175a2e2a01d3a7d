import type { LogHealth, TransactionLog } from '../../core';
import type { ReadinessSignal } from '../readiness-signal.port';

/** Why the service is or is not ready, as /readyz reports it. */
export type ReadinessState = 'starting' | 'ready' | 'log-unavailable' | 'log-failed' | 'stale' | 'stopping';

/** How old a shared replica's view of the history is (the consistency layer's ReplicaStaleness). */
export interface StalenessSignal {
  readonly stale: boolean;
  onChange(listener: (stale: boolean) => void): () => void;
}

/**
 * Whether the service should get traffic: ready once the log is replayed and the frontends
 * listen, and not ready from the moment shutdown begins, for good. In between, a log that is
 * the service's own takes it out while it cannot take writes (a full disk, an unreachable
 * database, a failed fsync). A replica of a shared log (`staleness` given) is taken out only
 * when its view is stale (the head not confirmed for KVS_MAX_STALENESS_MS) or its log failed:
 * a database outage stops every replica's writes alike, and taking them all out at once would
 * stop the reads they can still serve; past the staleness bound they go out.
 */
export class Readiness implements ReadinessSignal {
  private phase: 'starting' | 'serving' | 'stopping' = 'starting';
  private readonly listeners = new Set<(ready: boolean) => void>();
  /** The value listeners last heard: the log's health has already changed when its listener runs. */
  private reported = false;

  constructor(
    private readonly log: Pick<TransactionLog, 'health' | 'onHealthChange'>,
    private readonly staleness?: StalenessSignal,
  ) {
    log.onHealthChange(() => this.tellListeners());
    staleness?.onChange(() => this.tellListeners());
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
    const health = this.log.health();
    if (this.staleness === undefined || health === 'failed') return LOG_STATE[health];
    return this.staleness.stale ? 'stale' : 'ready';
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
