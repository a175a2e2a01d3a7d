import { connect } from 'node:net';

/** One HTTP/1.1 response as read off a raw socket. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Sends `bytes` in one write on a fresh connection and reads responses until `count` have
 * arrived or the server closes the connection; resolves with the responses read and whether
 * the server closed. Bodies are delimited by Content-Length or chunked encoding.
 */
export function rawExchange(
  host: string,
  port: number,
  bytes: Buffer | string,
  count: number,
  timeoutMs = 10_000,
): Promise<{ responses: RawResponse[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let received = Buffer.alloc(0);
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ responses: parseResponses(received).responses, closed });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no ${count} responses within ${timeoutMs} ms; got: ${received.toString('latin1')}`));
    }, timeoutMs);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (parseResponses(received).responses.length >= count) finish(false);
    });
    socket.on('error', () => undefined); // a reset after the server closed counts as closed
    socket.on('close', () => finish(true));
  });
}

/** The complete responses at the start of `data`. */
export function parseResponses(data: Buffer): { responses: RawResponse[]; rest: Buffer } {
  const responses: RawResponse[] = [];
  let rest = data;
  for (;;) {
    const headerEnd = rest.indexOf('\r\n\r\n');
    if (headerEnd < 0) break;
    const [statusLine, ...lines] = rest.subarray(0, headerEnd).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const status = Number(statusLine.split(' ')[1]);
    let body = rest.subarray(headerEnd + 4);
    let consumed: number;
    if (headers['transfer-encoding'] === 'chunked') {
      const decoded = decodeChunked(body);
      if (!decoded) break;
      [body, consumed] = decoded;
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (body.length < length) break;
      body = body.subarray(0, length);
      consumed = length;
    }
    responses.push({ status, headers, body: body.toString('utf8') });
    rest = rest.subarray(headerEnd + 4 + consumed);
  }
  return { responses, rest };
}

function decodeChunked(data: Buffer): [Buffer, number] | undefined {
  const parts: Buffer[] = [];
  let position = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', position);
    if (lineEnd < 0) return undefined;
    const size = parseInt(data.subarray(position, lineEnd).toString('latin1'), 16);
    const start = lineEnd + 2;
    if (data.length < start + size + 2) return undefined;
    if (size === 0) return [Buffer.concat(parts), start + 2];
    parts.push(data.subarray(start, start + size));
    position = start + size + 2;
  }
}
