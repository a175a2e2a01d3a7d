// Follows a prefix through the SSE watch, read with fetch (so the bearer header goes along) and
// resumed from the last revision seen whenever the stream drops.
import { authorized, errorOf, ApiError, type Entry } from './api';
import { SseParser } from './sse';

/** One change of a watched key: its entry after a put, its key (and last entry) after a delete. */
export interface Change {
  readonly type: 'put' | 'delete';
  readonly entry: Entry;
}

/** What the feed tells the page. */
export interface LiveListener {
  /** The changes of one revision, in order. */
  changed(revision: number, changes: readonly Change[]): void;
  /** The stream's state, for the status panel. */
  state(state: 'live' | 'reconnecting' | 'stopped'): void;
  /** The revision to resume from is compacted, or history was lost: reload what is shown. */
  resync(): void;
  /** The token is missing or expired. */
  refused(error: ApiError): void;
}

const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5000;

/** The watch of one prefix at a time. */
export class LiveFeed {
  private running: AbortController | undefined;

  constructor(private readonly listener: LiveListener) {}

  /** Follows `prefix` from `fromRevision` on, instead of whatever it followed. */
  follow(prefix: string, fromRevision: number): void {
    this.stop();
    const controller = new AbortController();
    this.running = controller;
    void this.run(prefix, fromRevision, controller.signal);
  }

  stop(): void {
    this.running?.abort();
    this.running = undefined;
  }

  private async run(prefix: string, fromRevision: number, signal: AbortSignal): Promise<void> {
    let next = fromRevision;
    let wait = RETRY_FIRST_MS;
    while (!signal.aborted) {
      try {
        const ended = await this.stream(prefix, next, signal, (revision) => {
          next = revision + 1;
          wait = RETRY_FIRST_MS;
        });
        if (ended === 'stop') return;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
          this.listener.state('stopped');
          this.listener.refused(error);
          return;
        }
        if (error instanceof ApiError && error.status === 410) {
          this.listener.resync();
          return;
        }
      }
      if (signal.aborted) return;
      this.listener.state('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(wait * 2, RETRY_MAX_MS);
    }
  }

  /** One connection: resolves when it ends ('again': reconnect; 'stop': a closing error said not to). */
  private async stream(
    prefix: string,
    from: number,
    signal: AbortSignal,
    seen: (revision: number) => void,
  ): Promise<'again' | 'stop'> {
    const params = new URLSearchParams({ prefix, start_revision: String(from) });
    const response = await fetch(`/v1/watch?${params.toString()}`, {
      headers: authorized(),
      signal,
      cache: 'no-store',
    });
    if (!response.ok) throw await errorOf(response);
    this.listener.state('live');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return 'again';
      for (const message of parser.push(value)) {
        if (message.event === 'error') return this.closed(message.data);
        const data = JSON.parse(message.data) as { revision: number; events?: (Entry & { type: 'put' | 'delete' })[] };
        if (message.event === 'change' && data.events !== undefined) {
          const changes = data.events.map(({ type, ...entry }) => ({ type, entry }));
          this.listener.changed(data.revision, changes);
        }
        seen(data.revision);
      }
    }
  }

  /** The server closed the stream with an error event: resync, ask for a token, or reconnect. */
  private closed(data: string): 'again' | 'stop' {
    const { code, message } = JSON.parse(data) as { code: string; message: string };
    if (code === 'REVISION_COMPACTED') {
      this.listener.resync();
      return 'stop';
    }
    if (code === 'UNAUTHENTICATED') {
      this.listener.state('stopped');
      this.listener.refused(new ApiError(401, code, message, null));
      return 'stop';
    }
    return 'again';
  }
}
