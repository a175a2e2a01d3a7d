import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Middleware giving a HEAD answer the `Content-Length` its GET would carry (RFC 9110 §9.3.2).
 * node:http drops the body of a HEAD answer and with it the length it would have computed, so
 * every route answering HEAD through `res.end(body)` lost the header. Wrapping `end` for HEAD
 * requests only covers every route, present and future, in one place and leaves GET untouched.
 */
export function headContentLength(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  if (req.method === 'HEAD') {
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const [chunk, encoding] = args;
      if (!res.headersSent && !res.hasHeader('content-length')) {
        res.setHeader('Content-Length', bodyLength(chunk, typeof encoding === 'string' ? encoding : undefined));
      }
      return end(...args);
    }) as ServerResponse['end'];
  }
  next();
}

/** Bytes `end(chunk, encoding)` would have sent. */
function bodyLength(chunk: unknown, encoding: string | undefined): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, encoding as BufferEncoding | undefined);
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}
