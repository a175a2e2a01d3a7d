// Baseline: bare node:http with a Map whose writes are durable before their answer: each PUT or
// DELETE is appended to a file and fdatasynced (group commit: one write and one fdatasync for
// every change that arrived while the previous sync ran), as kvs's file log does with
// TLOG_SYNC=always. No framework, no checks, no log lines, no checksums: the floor of a durable write.
import { closeSync, fdatasync, openSync, write } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceListening, BASELINE_HOST } from './announce';
import { mapRoutes, reply } from './map-routes';

const store = new Map<string, string>();
const logFile = process.argv[2];
if (!logFile) throw new Error('usage: node-http-durable-map-server LOG_FILE');
const fd = openSync(logFile, 'a');

/** A change waiting for its sync: applied to the Map and answered once durable. */
interface Pending {
  readonly key: string;
  readonly value: string | undefined;
  readonly res: ServerResponse;
}

let batch: Pending[] = [];
let records: Buffer[] = [];
let syncing = false;

function commit(): void {
  if (syncing || batch.length === 0) return;
  syncing = true;
  const committing = batch;
  const bytes = Buffer.concat(records);
  batch = [];
  records = [];
  write(fd, bytes, (writeError) =>
    fdatasync(fd, (syncError) => {
      const failed = writeError ?? syncError;
      if (failed) throw failed;
      for (const { key, value, res } of committing) {
        if (value === undefined) store.delete(key);
        else store.set(key, value);
        reply(res, value === undefined ? 200 : 201);
      }
      syncing = false;
      commit();
    }),
  );
}

function change(key: string, value: string | undefined, res: ServerResponse): void {
  records.push(Buffer.from(`${value === undefined ? 'D' : 'P'}\t${key}\t${value ?? ''}\n`));
  batch.push({ key, value, res });
  commit();
}

const server = createServer(mapRoutes(store, change));
server.listen(0, BASELINE_HOST, () => announceListening('rest', BASELINE_HOST, (server.address() as AddressInfo).port));
process.on('SIGTERM', () => {
  closeSync(fd);
  process.exit(0);
});
