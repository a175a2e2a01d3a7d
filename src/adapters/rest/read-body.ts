import type { IncomingMessage } from 'node:http';
import { InvalidValueError, ValueTooLargeError } from '../../core';

// Fatal so that bytes which are not UTF-8 are refused rather than silently replaced;
// ignoreBOM so that a leading U+FEFF is kept as part of the value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a request body of at most `limitBytes` and decodes it as UTF-8 text.
 * Rejects with ValueTooLargeError as soon as the declared or received size passes the limit
 * (without buffering the rest), and with InvalidValueError for bytes that are not UTF-8.
 */
export function readTextBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) return Promise.reject(new ValueTooLargeError(declared, limitBytes));

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limitBytes) {
        req.off('data', onData);
        req.resume(); // Drain the rest so the connection stays usable.
        reject(new ValueTooLargeError(undefined, limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)));
      } catch {
        reject(new InvalidValueError('value is not valid UTF-8'));
      }
    });
  });
}
