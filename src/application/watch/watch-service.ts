import { RevisionCompactedError, WatchHub, type Watcher, type WatchMessage, type WatchStart } from '../../core';
import type { WatchConfig } from './watch.config';

/** The heartbeat period is split into this many ticks, each for one slice of the watchers. */
const HEARTBEAT_SLICES = 10;

/** The transport a watch runs on (the metrics' label). */
export type WatchTransport = 'rest' | 'grpc';

/** Why a watch ended: the client left, it fell behind or out of the history, its token expired, or the service stops. */
export type WatchEndReason = 'client' | 'too_slow' | 'compacted' | 'expired' | 'shutdown';

/** How a watch ended, as its transport must tell the client (a client that left is told nothing). */
export type WatchEnd =
  | { readonly reason: 'shutdown'; readonly revision: number }
  | { readonly reason: 'too_slow' | 'compacted'; readonly error: Error }
  | { readonly reason: 'expired' };

/** What a transport does with a watch's output. */
export interface WatchSink {
  /** Writes a message; a returned promise holds back the next one until it settles (the socket drained). */
  send(message: WatchMessage): void | Promise<void>;
  /** Ends the stream at once, telling the client how; called once, and never for a client that left. */
  close(end: WatchEnd): void;
}

/** A plain hook for metrics; every method is optional and must not throw. */
export interface WatchObserver {
  watcherOpened?(transport: WatchTransport): void;
  watcherClosed?(transport: WatchTransport, reason: WatchEndReason): void;
  /** A revision's events reached the transport, `lagMs` after the store committed it. */
  delivered?(transport: WatchTransport, events: number, lagMs: number): void;
}

/** Refused because KVS_MAX_WATCHERS watches are open; transports answer OVERLOADED. */
export class WatchersExhaustedError extends Error {
  constructor(readonly maxWatchers: number) {
    super(`${maxWatchers} watches are open, the most this server takes (KVS_MAX_WATCHERS); retry later or elsewhere`);
    this.name = 'WatchersExhaustedError';
  }
}

/** Where a watch starts, which keys it follows, and until when its credentials allow it. */
export interface WatchOpening extends WatchStart {
  /** Epoch ms at which the stream must end (the token's expiry); none when unauthenticated. */
  readonly expiresAt?: number;
}

/**
 * The watches of the whole service, over every transport: opens them against the hub within
 * KVS_MAX_WATCHERS, paces the heartbeats, ends them at token expiry and all at once at shutdown
 * (streams never hold a shutdown for its grace period), and reports them to the metrics.
 */
export class WatchService {
  private readonly sessions = new Set<WatchSession>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly hub: WatchHub,
    private readonly config: WatchConfig,
    private readonly observer: WatchObserver = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** A service that refuses every watch (KVS_MAX_WATCHERS=0): for a frontend built without one. */
  static none(): WatchService {
    const hub = new WatchHub(0, { historyBytes: 0, bufferBytes: 0 });
    return new WatchService(hub, { historyBytes: 0, bufferBytes: 0, heartbeatMs: 60_000, maxWatchers: 0 });
  }

  /**
   * Starts the heartbeats: a tenth of the watchers every tenth of the period, so each watcher
   * still ticks once a period but ten thousand idle ones are not all written to at one instant
   * (measured: about 0.3 s of one core for 10,000 SSE writes, a stall every period for every
   * request on the service).
   */
  start(): void {
    let slice = 0;
    this.heartbeat ??= setInterval(() => {
      this.hub.tick(slice, HEARTBEAT_SLICES);
      slice = (slice + 1) % HEARTBEAT_SLICES;
    }, this.config.heartbeatMs / HEARTBEAT_SLICES);
    this.heartbeat.unref();
  }

  /** Open watches. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Opens a watch; throws RevisionCompactedError for a start before the history,
   * WatchersExhaustedError at the cap, and WatchersExhaustedError after shutdown began.
   */
  open(transport: WatchTransport, opening: WatchOpening): WatchSession {
    if (this.stopped || this.sessions.size >= this.config.maxWatchers) {
      throw new WatchersExhaustedError(this.config.maxWatchers);
    }
    const watcher = this.hub.watch(opening);
    const session = new WatchSession(watcher, transport, opening.expiresAt, this.observer, this.now, () =>
      this.sessions.delete(session),
    );
    this.sessions.add(session);
    this.observer.watcherOpened?.(transport);
    return session;
  }

  /** Ends every watch now (each client is told the service stops) and opens no more. */
  shutdown(): void {
    this.stopped = true;
    clearInterval(this.heartbeat);
    for (const session of [...this.sessions]) session.end({ reason: 'shutdown', revision: this.hub.revision });
  }
}

/** One open watch between the hub and a transport's stream. */
export class WatchSession {
  private sink: WatchSink | undefined;
  private ended: WatchEndReason | undefined;
  private pendingEnd: WatchEnd | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly watcher: Watcher,
    private readonly transport: WatchTransport,
    expiresAt: number | undefined,
    private readonly observer: WatchObserver,
    private readonly now: () => number,
    private readonly forget: () => void,
  ) {
    watcher.onDrop = (error) =>
      this.end({ reason: error instanceof RevisionCompactedError ? 'compacted' : 'too_slow', error });
    if (expiresAt !== undefined) {
      this.expiry = setTimeout(() => this.end({ reason: 'expired' }), Math.max(0, expiresAt - now()));
      this.expiry.unref();
    }
  }

  /** The revision a client should resume at: the one after the last it was sent. */
  get resumeRevision(): number {
    return this.watcher.resumeRevision;
  }

  /**
   * Streams the watch into `sink` until it ends; resolves then (never rejects). The first message
   * is a progress one carrying the revision before the start: the client learns at once that the
   * watch is established and where to resume, so a connection lost before the first change
   * resumes from the watch's own start rather than from a later "current revision" (a gap).
   */
  async run(sink: WatchSink): Promise<void> {
    this.sink = sink;
    if (this.pendingEnd !== undefined) {
      sink.close(this.pendingEnd);
      return;
    }
    const opened = sink.send({ type: 'progress', revision: this.watcher.resumeRevision - 1 });
    if (opened !== undefined) await this.drained(opened);
    while (this.ended === undefined) {
      let message: WatchMessage | undefined;
      try {
        message = await this.watcher.receive();
      } catch {
        // onDrop has ended the session with the error already.
        break;
      }
      if (message === undefined || this.ended !== undefined) break;
      if (message.type === 'change') {
        this.observer.delivered?.(this.transport, message.events.length, this.now() - message.committedAt);
      }
      // Awaited only when the socket is full: a message the socket took costs no extra turn
      // (with ten thousand watchers of one key, each turn saved is ten thousand per revision).
      const written = sink.send(message);
      if (written !== undefined) await this.drained(written);
    }
  }

  /** Waits for the socket to take a message (`written`), or for the watch to end meanwhile. */
  private async drained(written: Promise<void>): Promise<void> {
    await Promise.race([written, new Promise<void>((resolve) => (this.wake = resolve))]);
    this.wake = undefined;
  }

  /** The client went away: forget the watch, tell nobody. */
  cancel(): void {
    this.finish('client');
  }

  /** Ends the watch now and tells the client how (at once, even while a write is waiting for the socket). */
  end(end: WatchEnd): void {
    if (this.ended !== undefined) return;
    this.finish(end.reason);
    if (this.sink === undefined) this.pendingEnd = end;
    else this.sink.close(end);
  }

  private finish(reason: WatchEndReason): void {
    if (this.ended !== undefined) return;
    this.ended = reason;
    clearTimeout(this.expiry);
    this.watcher.onDrop = undefined;
    this.watcher.cancel();
    this.wake?.();
    this.forget();
    this.observer.watcherClosed?.(this.transport, reason);
  }
}
