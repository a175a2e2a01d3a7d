// A server-sent events parser over text chunks (the WHATWG event-stream format), for the fetch-based
// watch reader: a browser EventSource cannot send an Authorization header. No DOM.

/** One dispatched message. */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
  /** The last `id:` seen on the stream so far (the revision a resume starts after). */
  readonly id: string;
}

/** Splits a text stream into messages; feed it chunks as they arrive, in order. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id = '';

  /** The messages the chunk completes. */
  push(chunk: string): SseMessage[] {
    this.buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for the next chunk.
      if (match === null || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const message = this.line(line);
      if (message !== undefined) messages.push(message);
    }
    return messages;
  }

  private line(line: string): SseMessage | undefined {
    if (line === '') {
      const message =
        this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n'), id: this.id } : undefined;
      this.event = '';
      this.data = [];
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return undefined;
  }
}
