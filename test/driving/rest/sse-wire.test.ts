import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { startInProcessService, type InProcessService } from '../../support/in-process-service';
import { eventually } from '../../support/eventually';
import { SseMessages, type SseMessage } from '../../support/sse-messages';
import { makeTestCertificates, type TestCertificates } from '../../support/test-certificates';

// The SSE writer frames each message as an HTTP/1.1 chunk itself and writes it to the socket
// (watch-routes.ts): these tests read the raw bytes off the connection, over TCP and TLS, and
// decode them strictly, so a framing mistake that a lenient client would mask fails here.

/** A response read off the wire: its head, its body's chunks, and whether the last chunk came. */
interface Wire {
  readonly head: string;
  readonly chunks: readonly Buffer[];
  /** The zero-length chunk and its blank line arrived: the response ended properly. */
  readonly complete: boolean;
  /** Bytes after the end of the response (none is expected: the stream is the connection's last response). */
  readonly after: number;
}

/** Decodes a chunked HTTP/1.1 response as far as it has arrived; throws on any malformed framing. */
function decodeChunked(raw: Buffer): Wire | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const head = raw.subarray(0, headEnd).toString('latin1');
  const chunks: Buffer[] = [];
  let at = headEnd + 4;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    if (lineEnd < 0) return { head, chunks, complete: false, after: 0 };
    const sizeLine = raw.subarray(at, lineEnd).toString('latin1');
    if (!/^[0-9a-f]+$/i.test(sizeLine)) throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)} at ${at}`);
    const size = parseInt(sizeLine, 16);
    const dataStart = lineEnd + 2;
    if (size === 0) {
      // No trailers: the last chunk is followed by the blank line at once.
      if (raw.length < dataStart + 2) return { head, chunks, complete: false, after: 0 };
      if (raw.subarray(dataStart, dataStart + 2).toString('latin1') !== '\r\n') throw new Error('bad last chunk');
      return { head, chunks, complete: true, after: raw.length - dataStart - 2 };
    }
    if (raw.length < dataStart + size + 2) return { head, chunks, complete: false, after: 0 };
    if (raw.subarray(dataStart + size, dataStart + size + 2).toString('latin1') !== '\r\n') {
      throw new Error(`chunk of ${size} bytes at ${at} is not followed by CRLF`);
    }
    chunks.push(raw.subarray(dataStart, dataStart + size));
    at = dataStart + size + 2;
  }
}

/** The SSE messages of a decoded body. */
function messagesOf(wire: Wire): SseMessage[] {
  return new SseMessages().push(Buffer.concat(wire.chunks).toString('utf8'));
}

/** A watch request written by hand on its own connection; everything the server sends is kept as bytes. */
class RawWatch {
  private received: Buffer[] = [];

  private constructor(readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => this.received.push(chunk));
  }

  static async open(service: InProcessService, query: string, certs: TestCertificates | undefined, version = '1.1') {
    const { port } = new URL(service.restUrl);
    const socket =
      certs === undefined
        ? tcpConnect(Number(port), '127.0.0.1')
        : tlsConnect({ port: Number(port), host: '127.0.0.1', ca: certs.ca.cert, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      socket.once(certs === undefined ? 'connect' : 'secureConnect', resolve);
      socket.once('error', reject);
    });
    socket.write(`GET /v1/watch?${query} HTTP/${version}\r\nHost: kvs\r\n\r\n`);
    return new RawWatch(socket);
  }

  get bytes(): Buffer {
    return Buffer.concat(this.received);
  }

  /** Waits until the decoded response satisfies `done`; returns it. */
  async until(done: (wire: Wire) => boolean, what: string): Promise<Wire> {
    let wire: Wire | undefined;
    await eventually(() => (wire = decodeChunked(this.bytes)) !== undefined && done(wire), {
      describe: () => `${what}; ${this.bytes.length} bytes so far`,
    });
    return wire!;
  }

  close(): void {
    this.socket.destroy();
  }
}

const changes = (wire: Wire): number => messagesOf(wire).filter((m) => m.event === 'change').length;

describe.each([
  ['TCP', false],
  ['TLS', true],
])('the SSE byte stream over %s', (_name, secure) => {
  let certs: TestCertificates | undefined;
  let service: InProcessService;
  let watch: RawWatch | undefined;

  beforeAll(() => {
    certs = secure ? makeTestCertificates() : undefined;
  });

  afterAll(() => certs?.remove());

  beforeEach(async () => {
    service = await startInProcessService({
      KVS_WATCH_BUFFER_BYTES: String(64 * 1024 * 1024),
      ...(certs ? { KVS_TLS_CERT_FILE: certs.server.certFile, KVS_TLS_KEY_FILE: certs.server.keyFile } : {}),
    });
  });

  afterEach(async () => {
    watch?.close();
    watch = undefined;
    await service.stop();
  });

  it('is valid chunked HTTP/1.1 through several changes and the shutdown progress, then the last chunk', async () => {
    watch = await RawWatch.open(service, 'key=wire', certs);
    await watch.until((wire) => wire.chunks.length > 0, 'the opening progress');
    const values = ['one', 'dos ñ', 'drei ✓ 三', 'x'.repeat(70_000)];
    for (const value of values) await service.store.put('wire', value);
    await watch.until((wire) => changes(wire) === values.length, 'every change');
    service.watches.service.shutdown();
    const wire = await watch.until((w) => w.complete, 'the end of the response');

    expect(wire.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(wire.head).toMatch(/\r\ntransfer-encoding: chunked(\r\n|$)/i);
    expect(wire.head).toMatch(/\r\ncontent-type: text\/event-stream; charset=utf-8(\r\n|$)/i);
    expect(wire.after).toBe(0);
    const messages = messagesOf(wire);
    expect(messages.map((m) => m.event)).toEqual(['progress', 'change', 'change', 'change', 'change', 'progress']);
    const revision = service.store.revision;
    expect(messages.slice(1, 5).map((m) => JSON.parse(m.data!).events[0].value)).toEqual(values);
    expect(messages.slice(1, 5).map((m) => Number(m.id))).toEqual([3, 2, 1, 0].map((back) => revision - back));
    expect(messages[5]).toEqual({ id: String(revision), event: 'progress', data: JSON.stringify({ revision }) });
  });

  it('ends with the error event and the last chunk when the server drops the watch', async () => {
    watch = await RawWatch.open(service, 'key=wire', certs);
    await watch.until((wire) => wire.chunks.length > 0, 'the opening progress');
    await service.store.put('wire', 'before');
    await watch.until((wire) => changes(wire) === 1, 'the change');
    // A shared log's rebase past the watcher's position ends it with REVISION_COMPACTED.
    service.watches.service.hub.rebased(service.store.revision + 1);
    const wire = await watch.until((w) => w.complete, 'the end of the response');

    expect(wire.after).toBe(0);
    const messages = messagesOf(wire);
    expect(messages.map((m) => m.event)).toEqual(['progress', 'change', 'error']);
    expect(JSON.parse(messages[2].data!)).toMatchObject({ code: 'REVISION_COMPACTED' });
  });

  it('holds back while the client stops reading and delivers everything in order once it reads again', async () => {
    watch = await RawWatch.open(service, 'key=wire', certs);
    await watch.until((wire) => wire.chunks.length > 0, 'the opening progress');
    watch.socket.pause();
    // More than loopback's socket buffers hold, so the writer waits for the socket to drain.
    const writes = 200;
    const value = 'v'.repeat(64 * 1024);
    for (let i = 0; i < writes; i++) await service.store.put('wire', value);
    const last = service.store.revision;
    watch.socket.resume();
    await watch.until((wire) => changes(wire) === writes, 'every change');
    service.watches.service.shutdown();
    const wire = await watch.until((w) => w.complete, 'the end of the response');

    const ids = messagesOf(wire)
      .filter((m) => m.event === 'change')
      .map((m) => Number(m.id));
    expect(ids).toEqual(Array.from({ length: writes }, (_, i) => last - writes + 1 + i));
    expect(wire.after).toBe(0);
  });

  it('ends the watch when the client goes away', async () => {
    watch = await RawWatch.open(service, 'key=wire', certs);
    await watch.until((wire) => wire.chunks.length > 0, 'the opening progress');
    expect(service.watches.service.size).toBe(1);
    watch.close();
    await eventually(() => service.watches.service.size === 0, { describe: () => 'the watch to end' });
  });

  it('sends an HTTP/1.0 client the messages unframed, ending with the connection', async () => {
    watch = await RawWatch.open(service, 'key=wire', certs, '1.0');
    await eventually(() => watch!.bytes.includes('event: progress'), { describe: () => 'the opening progress' });
    await service.store.put('wire', 'plain');
    await eventually(() => watch!.bytes.includes('event: change'), { describe: () => 'the change' });
    const ended = new Promise((resolve) => watch!.socket.once('end', resolve));
    service.watches.service.shutdown();
    await ended;

    const text = watch.bytes.toString('utf8');
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    expect(head).not.toMatch(/transfer-encoding/i);
    const messages = new SseMessages().push(text.slice(head.length + 4));
    expect(messages.map((m) => m.event)).toEqual(['progress', 'change', 'progress']);
    expect(JSON.parse(messages[1].data!).events[0].value).toBe('plain');
  });
});
