// Baseline: the same routes on bare node:http with a Map; no framework, no log, no checks.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceListening, BASELINE_HOST } from './announce';

const PREFIX = '/v1/key/';
const store = new Map<string, string>();

function handle(req: IncomingMessage, res: ServerResponse): void {
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
      req.on('end', () => {
        store.set(key, Buffer.concat(chunks).toString('utf8'));
        reply(res, 201);
      });
      return;
    }
    case 'DELETE':
      store.delete(key);
      return reply(res, 200);
    default:
      return reply(res, 405);
  }
}

function reply(res: ServerResponse, status: number): void {
  res.statusCode = status;
  res.end();
}

const server = createServer(handle);
server.listen(0, BASELINE_HOST, () => announceListening('rest', BASELINE_HOST, (server.address() as AddressInfo).port));
process.on('SIGTERM', () => process.exit(0));
