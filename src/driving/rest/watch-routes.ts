import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ParsedUrlQuery } from 'node:querystring';
import {
  InvalidRequestError,
  RevisionCompactedError,
  type ChangeEvent,
  type ChangeMessage,
  type Limits,
  type WatchMessage,
} from '../../core';
import {
  authorizedWatchFilter,
  entryOnWire,
  parseRevision,
  type WatchRequest,
} from '../../application/watch/watch-request';
import {
  WatchersExhaustedError,
  type WatchEnd,
  type WatchService,
  type WatchSink,
} from '../../application/watch/watch-service';
import type { Logger } from '../../platform/logging/logger';
import { sendError, sendFailure, sendRefusal } from './http-status';
import type { RouteHandler } from './route-handler';

/** How long a closing stream may take to flush its last event before its connection is cut (a client that stopped reading never would). */
const CLOSE_FLUSH_MS = 1000;

/** The handler of GET /v1/watch: server-sent events, one message per revision (docs/watch.md). */
export function watchHandlers(
  watches: WatchService,
  limits: Limits,
  logger: Logger,
): Readonly<Record<string, RouteHandler>> {
  const encoder = new SseEncoder();
  const corks = new TickCorks();
  return {
    Watch: (req, res, input) => {
      let request: WatchRequest;
      let session;
      try {
        request = watchRequestOf(req, input.query());
        const principal = input.call?.principal;
        const filter = authorizedWatchFilter(request.selector, limits, principal);
        if ('code' in filter) {
          sendRefusal(res, filter);
          return;
        }
        session = watches.open('rest', {
          filter,
          startRevision: request.startRevision,
          expiresAt: principal?.expiresAt,
        });
      } catch (error) {
        refuse(res, error, logger);
        return;
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache');
      // nginx buffers proxied responses unless told not to.
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      req.socket.setNoDelay(true);
      const running = session;
      res.once('close', () => running.cancel());
      void running.run(new SseSink(res, request.prevValue, encoder, corks));
    },
  };
}

/** The watch a query names; the Last-Event-ID header (an EventSource resuming) wins over start_revision. */
function watchRequestOf(req: IncomingMessage, query: ParsedUrlQuery): WatchRequest {
  const text = (name: string): string | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw new InvalidRequestError(`${name} must be given once`);
    return value;
  };
  const lastEventId = req.headers['last-event-id'];
  const startText = text('start_revision');
  let startRevision: number | undefined;
  if (typeof lastEventId === 'string' && lastEventId !== '')
    startRevision = parseRevision(lastEventId, 'Last-Event-ID') + 1;
  else if (startText !== undefined) startRevision = parseRevision(startText, 'start_revision');
  const prevValue = text('prev_value');
  if (prevValue !== undefined && prevValue !== 'true' && prevValue !== 'false')
    throw new InvalidRequestError('prev_value must be true or false');
  return {
    selector: { key: text('key'), prefix: text('prefix'), start: text('start'), end: text('end') },
    startRevision: startRevision || undefined,
    prevValue: prevValue === 'true',
  };
}

function refuse(res: ServerResponse, error: unknown, logger: Logger): void {
  if (error instanceof RevisionCompactedError) {
    res.statusCode = 410;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify({ code: error.code, message: error.message, compact_revision: error.compactRevision }));
  } else if (error instanceof WatchersExhaustedError) {
    sendError(res, 'OVERLOADED', error.message);
  } else {
    sendFailure(res, error, logger);
  }
}

/**
 * Encodes watch messages into the bytes of their SSE message, remembering the last change (per
 * prevValue setting) and the last progress it encoded: the hub offers every watcher of a key or
 * prefix the same message object, and heartbeats go to every idle watcher at one revision, so ten
 * thousand watchers of one key cost one JSON encoding and one UTF-8 conversion per revision, and
 * each socket is handed the same Buffer (node's writes keep a reference; nothing copies it
 * before the kernel does). One entry, not a cache: a revision's watchers are offered it one
 * after another. A message from another source (a watcher catching up from the history) with
 * the same events is recognised by its events.
 */
class SseEncoder {
  private readonly lastChange: [EncodedChange?, EncodedChange?] = [];
  private lastProgress: { readonly revision: number; readonly encoded: Encoded } | undefined;

  encode(message: WatchMessage, prevValue: boolean): Encoded {
    if (message.type === 'progress') {
      if (this.lastProgress?.revision !== message.revision) {
        this.lastProgress = { revision: message.revision, encoded: encoded(sseMessage(message, false)) };
      }
      return this.lastProgress.encoded;
    }
    const slot = prevValue ? 1 : 0;
    const last = this.lastChange[slot];
    if (last !== undefined && (last.message === message || sameChange(last.message, message))) return last.encoded;
    const fresh = encoded(sseMessage(message, prevValue));
    this.lastChange[slot] = { message, encoded: fresh };
    return fresh;
  }
}

/** An SSE message's bytes: framed as one HTTP/1.1 chunk (`<hex length>\r\n<message>\r\n`), and the message alone (a view into the chunk). */
interface Encoded {
  readonly chunk: Buffer;
  readonly message: Buffer;
}

/** Encodes `text` once into the chunk that carries it, the message being the chunk's middle. */
function encoded(text: string): Encoded {
  const length = Buffer.byteLength(text);
  const head = `${length.toString(16)}\r\n`;
  const chunk = Buffer.allocUnsafe(head.length + length + CRLF.length);
  chunk.write(head, 0, 'latin1');
  chunk.write(text, head.length, 'utf8');
  chunk.write(CRLF, head.length + length, 'latin1');
  return { chunk, message: chunk.subarray(head.length, head.length + length) };
}

const CRLF = '\r\n';

/** A change message with its encoding. */
interface EncodedChange {
  readonly message: ChangeMessage;
  readonly encoded: Encoded;
}

/** Whether two change messages carry the same revision and the very same event objects. */
function sameChange(a: ChangeMessage, b: ChangeMessage): boolean {
  return (
    a.revision === b.revision &&
    a.events.length === b.events.length &&
    a.events.every((event, i) => event === b.events[i])
  );
}

/** Writes a watch as server-sent events. */
class SseSink implements WatchSink {
  constructor(
    private readonly res: ServerResponse,
    private readonly prevValue: boolean,
    private readonly encoder: SseEncoder,
    private readonly corks: TickCorks,
  ) {}

  /**
   * On a chunked response whose socket is its own (the headers are on it), each message goes to
   * the socket as the one pre-framed chunk the encoder built: res.write would write the length,
   * the message and CRLF as three buffers, one writev and more bookkeeping per message, which
   * with ten thousand watchers of a key is much of a revision's delivery cost. The bytes on the
   * wire are the same, and so is the backpressure (the socket's buffer, corked as res.write
   * corks it); res.end still writes the last chunk, after these in the socket's order.
   * Otherwise (HTTP/1.0, HEAD, a pipelined request waiting for the socket) res.write frames it.
   */
  send(message: WatchMessage): void | Promise<void> {
    const { res } = this;
    const { chunk, message: bytes } = this.encoder.encode(message, this.prevValue);
    const socket = res.socket;
    if (res.chunkedEncoding && socket !== null && socket.writable) {
      this.corks.cork(socket);
      return socket.write(chunk) ? undefined : drainedOrClosed(socket);
    }
    return res.write(bytes) ? undefined : drainedOrClosed(res);
  }

  close(end: WatchEnd): void {
    const { res } = this;
    if (end.reason === 'shutdown') res.write(sseMessage({ type: 'progress', revision: end.revision }, false));
    else res.write(sseError(end));
    res.end();
    // A client that stopped reading never takes the last event: its connection is cut.
    setTimeout(() => res.destroy(), CLOSE_FLUSH_MS).unref();
  }
}

/**
 * Keeps the sockets written in this turn corked until the next tick, then uncorks them all in
 * one callback. Written at once, ten thousand watchers' messages would all reach the kernel
 * before the response to the write that caused them (written later in the same turn), holding
 * the writer's acknowledgement back by the whole fan-out; corked, they go after it, as
 * res.write's own corking has them go, with one tick for all sockets instead of one each.
 */
class TickCorks {
  private corked: Socket[] = [];
  private readonly uncorkAll = (): void => {
    const sockets = this.corked;
    this.corked = [];
    for (const socket of sockets) socket.uncork();
  };

  /** Corks `socket` until the next tick (once per call: a socket written twice in a turn is uncorked twice). */
  cork(socket: Socket): void {
    if (this.corked.length === 0) process.nextTick(this.uncorkAll);
    socket.cork();
    this.corked.push(socket);
  }
}

/** Resolves once `stream` drains or closes, leaving no listener behind (a slow client blocks many times). */
function drainedOrClosed(stream: EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

/** One SSE message: `id` is the revision (a resume starts after it), `event` change or progress. */
function sseMessage(message: WatchMessage, prevValue: boolean): string {
  if (message.type === 'progress') {
    return `id: ${message.revision}\nevent: progress\ndata: ${JSON.stringify({ revision: message.revision })}\n\n`;
  }
  const events = message.events.map((event) => eventJson(event, prevValue));
  return `id: ${message.revision}\nevent: change\ndata: ${JSON.stringify({ revision: message.revision, events })}\n\n`;
}

function eventJson({ type, entry, previous }: ChangeEvent, prevValue: boolean): Record<string, unknown> {
  const json: Record<string, unknown> = { type, ...entryOnWire(entry) };
  if (prevValue && previous !== undefined) json.prev_entry = entryOnWire(previous);
  return json;
}

/** The `event: error` that ends a stream the server closes for a reason the client must act on. */
function sseError(end: Exclude<WatchEnd, { reason: 'shutdown' }>): string {
  const body =
    end.reason === 'expired'
      ? { code: 'UNAUTHENTICATED', message: 'the token expired; reconnect with a fresh one' }
      : end.error instanceof RevisionCompactedError
        ? { code: end.error.code, message: end.error.message, compact_revision: end.error.compactRevision }
        : { code: 'WATCH_TOO_SLOW', message: end.error.message };
  return `event: error\ndata: ${JSON.stringify(body)}\n\n`;
}
