import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Runs the requests of one connection one at a time, in arrival order.
 *
 * node:http parses pipelined requests (several sent in one go, without waiting for answers) and
 * calls the handler for each at once; it only orders the responses. A pipelined GET after a PUT
 * would then read the store before the PUT is durable and answer 404 for the client's own write.
 * RFC 9112 §9.3.2 allows parallel processing only for safe methods, so each request here waits
 * until the previous response on its socket has closed. A connection that does not pipeline
 * (every client but a deliberate one) never waits: its next request arrives after the answer.
 */
export function inOrderPerConnection(handler: RequestListener): RequestListener {
  // Per busy socket, the requests parsed while an earlier one was still being answered.
  const waiting = new WeakMap<Socket, (() => void)[]>();
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    // 'close' follows 'finish' for every response, and also ends one whose client went away.
    res.once('close', () => {
      const queue = waiting.get(req.socket);
      const next = queue?.shift();
      if (next) next();
      else waiting.delete(req.socket);
    });
    handler(req, res);
  };
  return (req, res) => {
    const queue = waiting.get(req.socket);
    if (queue) {
      queue.push(() => dispatch(req, res));
      return;
    }
    waiting.set(req.socket, []);
    dispatch(req, res);
  };
}
