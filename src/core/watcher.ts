import type { ChangeEvent } from './change-feed';
import { RevisionCompactedError, WatchTooSlowError } from './errors';
import type { WatchHistory } from './watch-history';
import { eventBytes } from './watch-history';

/** Which keys a watcher follows: `includes` decides; `key` is set when it follows exactly one key (the hub indexes those). */
export interface WatchFilter {
  readonly key?: string;
  readonly includes: (key: string) => boolean;
  /**
   * Filters with the same group include exactly the same keys, so the hub evaluates one of them
   * per revision for all their watchers (e.g. every watcher of one prefix); none: evaluated alone.
   */
  readonly group?: string;
}

/** What a watcher's consumer receives. */
export type WatchMessage =
  | {
      readonly type: 'change';
      /** The revision every event shares: one message per revision, never split. */
      readonly revision: number;
      /** The events of that revision on the watched keys, in the write's order. */
      readonly events: readonly ChangeEvent[];
      /** When the hub was given the revision (ms, the hub's clock): the start of delivery lag. */
      readonly committedAt: number;
    }
  | {
      /** A heartbeat: every change up to `revision` on the watched keys has been delivered. */
      readonly type: 'progress';
      readonly revision: number;
    };

/** A change message: what the hub offers a watcher (one object shared by every watcher it goes to). */
export type ChangeMessage = WatchMessage & { readonly type: 'change' };

/** What a watcher needs of its hub. */
export interface WatcherSource {
  readonly history: WatchHistory;
  /** The store revision the hub has seen last. */
  readonly revision: number;
  /** Starts offering the watcher every later revision (it has caught up with the history). */
  attach(watcher: Watcher): void;
  /** Stops offering it anything. */
  detach(watcher: Watcher): void;
}

/** A revision waiting for the consumer, with the bytes it is counted as. */
interface Pending {
  readonly message: ChangeMessage;
  readonly bytes: number;
}

/**
 * One watch: delivers the changes of its keys from its start revision, in revision order, each
 * revision once and whole. It first reads what it missed from the history (catching up, which
 * costs no memory of its own), then is offered each new revision as it commits. What the
 * consumer has not taken yet waits in a buffer of at most `bufferBytes`; a watcher whose
 * buffer would overflow is dropped with WatchTooSlowError, so a slow consumer costs bounded
 * memory and never holds up writes or other watchers. It may resume at `resumeRevision`.
 */
export class Watcher {
  private readonly buffer: Pending[] = [];
  private bufferHead = 0;
  private bufferedBytes = 0;
  /** True while it reads what it missed from the history (its start was at or before the hub's revision). */
  private catchingUp: boolean;
  private ended = false;
  private failure: Error | undefined;
  private waiting: { resolve(message: WatchMessage | undefined): void; reject(error: unknown): void } | undefined;
  private progressDue = false;
  private deliveredSinceTick = false;
  private next: number;
  /** Told at once when the watcher is dropped, so a consumer stuck writing to a slow client can close it. */
  onDrop: ((error: Error) => void) | undefined;

  constructor(
    /** The keys it follows. */
    readonly filter: WatchFilter,
    startRevision: number,
    private readonly bufferBytes: number,
    private readonly source: WatcherSource,
  ) {
    this.next = startRevision;
    this.catchingUp = startRevision <= source.revision;
    if (!this.catchingUp) source.attach(this);
  }

  /** The revision a resume should start at: the one after the last revision delivered (or known complete). */
  get resumeRevision(): number {
    return this.next;
  }

  /** Bytes waiting for the consumer. */
  get buffered(): number {
    return this.bufferedBytes;
  }

  /**
   * The next message; resolves undefined once the watch has ended (closed by the hub or
   * cancelled), rejects with WatchTooSlowError or RevisionCompactedError when it was dropped.
   * Call it again only after the previous call settled.
   */
  receive(): Promise<WatchMessage | undefined> {
    const ready = this.ended ? undefined : this.take();
    if (ready !== undefined) return Promise.resolve(ready);
    // take() may have ended the watch (its place in the history is gone).
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Ends the watch cleanly: from the consumer's side (the client went away) or the hub's (closing). */
  cancel(): void {
    this.finish();
    this.settleWaiting(undefined);
  }

  /** Called by the hub with a committed revision's events that this watcher's filter includes (the message is shared: never changed). */
  offer(message: ChangeMessage): void {
    if (this.ended || message.revision < this.next) return;
    if (this.waiting !== undefined) {
      this.deliver(message);
      this.settleWaiting(message);
      return;
    }
    let bytes = 0;
    for (const event of message.events) bytes += eventBytes(event);
    // An empty buffer takes any one revision, so a transaction larger than the buffer drops nobody.
    if (this.bufferedBytes > 0 && this.bufferedBytes + bytes > this.bufferBytes) {
      this.fail(
        new WatchTooSlowError(
          `the watcher fell more than ${this.bufferBytes} bytes behind; resume from revision ${this.next}`,
        ),
      );
      return;
    }
    this.buffer.push({ message, bytes });
    this.bufferedBytes += bytes;
  }

  /** Heartbeat tick from the hub: a watcher that delivered nothing since the last tick gets a progress message. */
  tick(): void {
    if (this.ended || this.catchingUp) return;
    const idle = !this.deliveredSinceTick && this.bufferedBytes === 0 && this.buffer.length === this.bufferHead;
    this.deliveredSinceTick = false;
    if (!idle) return;
    if (this.waiting === undefined) {
      this.progressDue = true;
      return;
    }
    this.settleWaiting(this.progress());
  }

  /** Drops the watch with `error`; the consumer's next (or pending) receive rejects with it. */
  fail(error: Error): void {
    if (this.ended) return;
    this.finish();
    this.onDrop?.(error);
    if (this.waiting === undefined) {
      this.failure = error;
      return;
    }
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting.reject(error);
  }

  /** The next message that is ready now, if any, advancing the watcher past it. */
  private take(): WatchMessage | undefined {
    if (this.bufferHead < this.buffer.length) {
      const { message, bytes } = this.buffer[this.bufferHead];
      this.buffer[this.bufferHead++] = undefined as unknown as Pending;
      this.bufferedBytes -= bytes;
      if (this.bufferHead === this.buffer.length) {
        this.buffer.length = 0;
        this.bufferHead = 0;
      }
      this.deliver(message);
      return message;
    }
    if (this.catchingUp) {
      const caughtUp = this.catchUp();
      if (caughtUp !== undefined) return caughtUp;
    }
    if (this.progressDue) {
      this.progressDue = false;
      return this.progress();
    }
    return undefined;
  }

  /** The next revision of the history with events on the watched keys; attaches to the hub once there is none. */
  private catchUp(): WatchMessage | undefined {
    const history = this.source.history;
    if (this.next < history.oldestAvailable) {
      this.fail(new RevisionCompactedError(history.oldestAvailable));
      return undefined;
    }
    for (let kept = history.firstFrom(this.next); kept !== undefined; kept = history.firstFrom(this.next)) {
      const { batch, committedAt } = kept;
      const events = batch.events.filter((event) => this.filter.includes(event.entry.key));
      this.next = batch.revision + 1;
      if (events.length > 0) {
        this.deliveredSinceTick = true;
        return { type: 'change', revision: batch.revision, events, committedAt };
      }
    }
    this.catchingUp = false;
    this.source.attach(this);
    return undefined;
  }

  private progress(): WatchMessage {
    const revision = Math.max(this.source.revision, this.next - 1);
    this.next = revision + 1;
    return { type: 'progress', revision };
  }

  private deliver(message: ChangeMessage): void {
    this.next = message.revision + 1;
    this.deliveredSinceTick = true;
  }

  private settleWaiting(message: WatchMessage | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(message);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.buffer.length = 0;
    this.bufferHead = 0;
    this.bufferedBytes = 0;
    this.source.detach(this);
  }
}
