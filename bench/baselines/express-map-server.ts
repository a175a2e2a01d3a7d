// Baseline: a minimal, idiomatic express app with a Map (express defaults, res.send, express.text).
import type { AddressInfo } from 'node:net';
import express from 'express';
import { announceListening, BASELINE_HOST } from './announce';

const store = new Map<string, string>();
const app = express();

app.get('/v1/key/:key', (req, res) => {
  const value = store.get(req.params.key);
  if (value === undefined) res.sendStatus(404);
  else res.send(value);
});
app.put('/v1/key/:key', express.text({ type: '*/*' }), (req, res) => {
  store.set(req.params.key, req.body as string);
  res.sendStatus(201);
});
app.delete('/v1/key/:key', (req, res) => {
  store.delete(req.params.key);
  res.sendStatus(200);
});

const server = app.listen(0, BASELINE_HOST, () =>
  announceListening('rest', BASELINE_HOST, (server.address() as AddressInfo).port),
);
process.on('SIGTERM', () => process.exit(0));
