import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a test sends. */
export interface HttpCall {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** TLS: the CA to trust, and a client certificate for mTLS. */
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/** What came back. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request with node:http or node:https (chosen by the URL), on a fresh connection. */
export function send(url: string, call: HttpCall = {}): Promise<HttpAnswer> {
  const secure = url.startsWith('https:');
  const request = secure ? httpsRequest : httpRequest;
  const options = {
    method: call.method ?? 'GET',
    headers: call.headers,
    agent: false as const,
    // The test certificates name localhost; an IP as SNI server name is deprecated.
    ...(secure ? { ca: call.ca, cert: call.cert, key: call.key, servername: 'localhost' } : {}),
  };
  return new Promise((resolve, reject) => {
    const req = request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(call.body);
  });
}
