import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * On a socket: undefined while no request is being answered, else the requests parsed since,
 * in order (null: none).
 */
const WAITING = Symbol('kvs.waitingRequests');

interface OrderedSocket extends Socket {
  [WAITING]?: { req: IncomingMessage; res: ServerResponse }[] | null;
}

/**
 * Runs the requests of one connection one at a time, in arrival order.
 *
 * node:http parses pipelined requests (several sent in one go, without waiting for answers) and
 * calls the handler for each at once; it only orders the responses. A pipelined GET after a PUT
 * would then read the store before the PUT is durable and answer 404 for the client's own write.
 * RFC 9112 §9.3.2 allows parallel processing only for safe methods, so each request here waits
 * until the previous response on its socket has closed. A connection that does not pipeline
 * (every client but a deliberate one) never waits: its next request arrives after the answer.
 * The state lives on the socket and one listener serves every response, so a request that does
 * not wait allocates nothing here.
 */
export function inOrderPerConnection(handler: RequestListener): RequestListener {
  // 'close' follows 'finish' for every response, and also ends one whose client went away.
  function next(this: ServerResponse): void {
    const socket = this.req.socket as OrderedSocket;
    const following = socket[WAITING]?.shift();
    if (following) dispatch(following.req, following.res);
    else socket[WAITING] = undefined;
  }
  const dispatch = (req: IncomingMessage, res: ServerResponse): void => {
    res.on('close', next);
    handler(req, res);
  };
  return (req, res) => {
    const socket = req.socket as OrderedSocket;
    const waiting = socket[WAITING];
    if (waiting === undefined) {
      socket[WAITING] = null;
      dispatch(req, res);
    } else if (waiting === null) socket[WAITING] = [{ req, res }];
    else waiting.push({ req, res });
  };
}
