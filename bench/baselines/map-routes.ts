// The routes the bare node:http baselines share: /v1/key/{key} served from a Map, no checks.
import type { IncomingMessage, ServerResponse } from 'node:http';

const PREFIX = '/v1/key/';

/** Applies a PUT (value) or DELETE (undefined) to the Map and answers it, at once or once durable. */
export type Change = (key: string, value: string | undefined, res: ServerResponse) => void;

/** The request listener of the key routes on `store`, writes going through `change`. */
export function mapRoutes(store: Map<string, string>, change: Change) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '';
    if (!url.startsWith(PREFIX)) return reply(res, 404);
    const key = decodeURIComponent(url.slice(PREFIX.length));
    switch (req.method) {
      case 'GET': {
        const value = store.get(key);
        if (value === undefined) return reply(res, 404);
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(value);
        return;
      }
      case 'PUT': {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => change(key, Buffer.concat(chunks).toString('utf8'), res));
        return;
      }
      case 'DELETE':
        return change(key, undefined, res);
      default:
        return reply(res, 405);
    }
  };
}

/** Answers `status` with no body. */
export function reply(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.end();
}
