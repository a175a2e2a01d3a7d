// Baseline of the watch rows: bare node:http holding server-sent-event responses, with a Map and
// a revision counter. A PUT /v1/key/{key} hands every watcher of that key (`/v1/watch?key=K`)
// one shared Buffer in the message shape kvs sends, then answers 201; no log, no checks, no
// history, no heartbeats. It is the floor of delivering one write to many sockets from one
// node process: what is left when kvs's own work is taken away.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceListening, BASELINE_HOST } from './announce';
import { reply } from './map-routes';

const KEY_PREFIX = '/v1/key/';
const WATCH_PATH = '/v1/watch';
const watchers = new Map<string, Set<ServerResponse>>();
let revision = 0;

function watch(key: string, res: ServerResponse): void {
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache');
  res.flushHeaders();
  let set = watchers.get(key);
  if (set === undefined) watchers.set(key, (set = new Set()));
  const own = set;
  own.add(res);
  res.on('close', () => own.delete(res));
}

function put(key: string, value: string, res: ServerResponse): void {
  revision += 1;
  const event = { type: 'put', key, value, create_revision: revision, mod_revision: revision, version: 1 };
  const message = Buffer.from(
    `id: ${revision}\nevent: change\ndata: ${JSON.stringify({ revision, events: [event] })}\n\n`,
  );
  for (const watcher of watchers.get(key) ?? []) watcher.write(message);
  reply(res, 201);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://baseline');
  if (req.method === 'GET' && url.pathname === WATCH_PATH) return watch(url.searchParams.get('key') ?? '', res);
  if (req.method !== 'PUT' || !url.pathname.startsWith(KEY_PREFIX)) return reply(res, 404);
  const key = decodeURIComponent(url.pathname.slice(KEY_PREFIX.length));
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => put(key, Buffer.concat(chunks).toString('utf8'), res));
});
server.maxConnections = Infinity;
server.listen(0, BASELINE_HOST, () => announceListening('rest', BASELINE_HOST, (server.address() as AddressInfo).port));
process.on('SIGTERM', () => process.exit(0));
