/** One server-sent event as the watch stream writes it: its fields by name (`id`, `event`, `data`). */
export type SseMessage = Readonly<Partial<Record<'id' | 'event' | 'data', string>>>;

/**
 * Splits a server-sent event stream into its messages as the chunks arrive, for readers that
 * count or time every message (EventSource hides the progress events' ids and is slower).
 * Only the subset kvs writes: `field: value` lines, one data line, a blank line after each.
 */
export class SseMessages {
  private buffered = '';

  /** The messages `chunk` completes, in order. */
  push(chunk: string): SseMessage[] {
    this.buffered += chunk;
    const messages: SseMessage[] = [];
    for (let end = this.buffered.indexOf('\n\n'); end >= 0; end = this.buffered.indexOf('\n\n')) {
      const fields: Record<string, string> = {};
      for (const line of this.buffered.slice(0, end).split('\n')) {
        const colon = line.indexOf(': ');
        if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 2);
      }
      messages.push(fields);
      this.buffered = this.buffered.slice(end + 2);
    }
    return messages;
  }
}

/** Reads a response body until its text includes `marker` or the stream ends; returns the text read. */
export async function readUntil(body: ReadableStream<Uint8Array>, marker: string): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!text.includes(marker)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}
