// Baseline: the same routes on bare node:http with a Map; no framework, no log, no checks.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceListening, BASELINE_HOST } from './announce';
import { mapRoutes, reply } from './map-routes';

const store = new Map<string, string>();
const server = createServer(
  mapRoutes(store, (key, value, res) => {
    if (value === undefined) store.delete(key);
    else store.set(key, value);
    reply(res, value === undefined ? 200 : 201);
  }),
);
server.listen(0, BASELINE_HOST, () => announceListening('rest', BASELINE_HOST, (server.address() as AddressInfo).port));
process.on('SIGTERM', () => process.exit(0));
