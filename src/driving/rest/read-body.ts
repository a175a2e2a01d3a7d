import type { IncomingMessage } from 'node:http';
import { InvalidValueError, ValueTooLargeError } from '../../core';
import { ClientGoneError, ServerBusyError, type BodyBudget } from './body-budget';

// Fatal so that bytes which are not UTF-8 are refused rather than silently replaced;
// ignoreBOM so that a leading U+FEFF is kept as part of the value.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a request body of at most `limitBytes` and decodes it as UTF-8 text, holding its bytes
 * in `budget` while it arrives. Rejects with ValueTooLargeError as soon as the declared or
 * received size passes the limit (without reading the rest: the response closes the
 * connection), ServerBusyError when the budget cannot hold the body, ClientGoneError when the
 * client disconnects first, and InvalidValueError for bytes that are not UTF-8.
 */
export function readTextBody(req: IncomingMessage, limitBytes: number, budget: BodyBudget): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > limitBytes) return Promise.reject(new ValueTooLargeError(declared, limitBytes));
  // A declared length is taken up front, so a slow client cannot start more bodies than fit.
  let taken = declared > 0 ? declared : 0;
  if (!budget.tryTake(taken)) return Promise.reject(new ServerBusyError());

  return new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const stop = (error: Error): void => {
      req.off('data', onData);
      reject(error);
    };
    const onData = (chunk: Buffer): void => {
      received += chunk.length;
      if (received > limitBytes) return stop(new ValueTooLargeError(undefined, limitBytes));
      if (received > taken) {
        if (!budget.tryTake(received - taken)) return stop(new ServerBusyError());
        taken = received;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('error', () => stop(new ClientGoneError()));
    req.on('close', () => {
      if (!req.complete) stop(new ClientGoneError());
    });
    req.on('end', () => {
      try {
        resolve(utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)));
      } catch {
        reject(new InvalidValueError('value is not valid UTF-8'));
      }
    });
  }).finally(() => budget.giveBack(taken));
}
