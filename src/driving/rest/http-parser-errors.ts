import { STATUS_CODES, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RestErrorCode } from '../../api/error-codes';
import { errorBody, HTTP_STATUS_BY_CODE } from './http-status';

/** What Node's parser reports, as the code and message of the documented error body. */
function parserFailure(error: NodeJS.ErrnoException): { code: RestErrorCode; message: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW') return { code: 'HEADERS_TOO_LARGE', message: 'request headers too large' };
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { code: 'REQUEST_TIMEOUT', message: 'the request did not arrive in time' };
  }
  return { code: 'MALFORMED_REQUEST', message: 'malformed HTTP request' };
}

/**
 * Answers what Node's HTTP parser refuses before express sees a request (a malformed request
 * line, oversized headers, a request that timed out) with the same JSON error body as every
 * other error, instead of Node's bare `400 Bad Request`, then closes the connection as Node does.
 */
export function answerParserErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A reset connection, or one a response is already being written to, has nobody to answer.
    const bytesWritten = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
    if (error.code === 'ECONNRESET' || !socket.writable || bytesWritten > 0) {
      socket.destroy();
      return;
    }
    const { code, message } = parserFailure(error);
    const status = HTTP_STATUS_BY_CODE[code];
    const body = errorBody(code, message);
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * `Expect: 100-continue` handling: a request whose declared body exceeds `maxBodyBytes` gets no
 * `100 Continue`; it goes to the app as is, whose body reader answers 413 from the declared
 * length before reading a byte (and policies may refuse it first), so the client never sends
 * the body. Any other request is told to continue. (Without a listener Node sends 100 to all.)
 */
export function answerExpectContinue(server: Server, handler: RequestListener, maxBodyBytes: number): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    if (!(declared > maxBodyBytes)) res.writeContinue();
    handler(req, res);
  });
}
