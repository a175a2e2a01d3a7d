// `npm run bench:data-model`: the data model v2 rows, each in a fresh child process (same run,
// same machine, so the ratios compare like with like):
// - memory: heap per key after GC, 1,000,000 keys (16-byte keys, 100-byte values, flat strings as
//   replay decodes them), in today's store (ordered index with revisions) against a bare Map;
// - range: a 100-key page of 1,000,000 keys, starting at the first key, the middle and near the end;
// - txn: one transaction of 4 writes against 4 single PUTs, durable on the file log (sync=always);
// - rest-range, rest-txn: the same two over REST (GET /v1/keys, POST /v1/txn against PUT
//   /v1/key), one keep-alive client on loopback, requests one after the other: time per request.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyValueStore, type ReplayedRecord, type TransactionLog } from '../src/core';
import { FileTransactionLog } from '../src/driven/file-log';
import { RestFrontend } from '../src/driving/rest';
import { benchKey, benchValue } from './lib/workload';

const KEYS = 1_000_000;

/** A log that replays `count` puts of the bench's keys and takes appends without storing them. */
function syntheticLog(count: number): TransactionLog {
  return {
    async *readEvents(): AsyncIterable<readonly ReplayedRecord[]> {
      for (let start = 0; start < count; start += 10_000) {
        const batch: ReplayedRecord[] = [];
        for (let i = start; i < Math.min(count, start + 10_000); i++) {
          const key = Buffer.from(benchKey(i)).toString('utf8');
          const value = Buffer.from(benchValue(i)).toString('utf8');
          batch.push({ revision: i + 1, writes: [{ type: 'put', key, value, createRevision: i + 1, version: 1 }] });
        }
        yield batch;
      }
    },
    append: async () => undefined,
    close: async () => undefined,
    health: () => 'ok',
    onHealthChange: () => () => undefined,
    attachLiveState: () => undefined,
    compact: () => Promise.reject(new Error('not in this bench')),
  };
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function memoryChild(kind: string): Promise<void> {
  const before = heapAfterGc();
  let holder: unknown;
  if (kind === 'map') {
    const map = new Map<string, string>();
    for (let i = 0; i < KEYS; i++)
      map.set(Buffer.from(benchKey(i)).toString('utf8'), Buffer.from(benchValue(i)).toString('utf8'));
    holder = map;
  } else {
    const store = new KeyValueStore(syntheticLog(KEYS));
    await store.restore();
    holder = store;
  }
  const bytes = heapAfterGc() - before;
  process.stdout.write(JSON.stringify({ bytesPerKey: bytes / KEYS, held: holder !== undefined }));
}

/** Where a page starts: the first key, the middle, near the end. */
const PAGE_POSITIONS = { start: undefined, middle: KEYS / 2, end: KEYS - 150 } as const;

/** Microseconds per call of `run`, after a warm-up of a tenth as many. */
async function microsPer(rounds: number, run: () => unknown): Promise<number> {
  for (let i = 0; i < rounds / 10; i++) await run();
  const began = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await run();
  return Number(process.hrtime.bigint() - began) / rounds / 1000;
}

async function rangeChild(): Promise<void> {
  const store = new KeyValueStore(syntheticLog(KEYS));
  await store.restore();
  const result: Record<string, number> = {};
  for (const [name, index] of Object.entries(PAGE_POSITIONS)) {
    const startAfter = index === undefined ? undefined : benchKey(index);
    result[name] = await microsPer(20_000, () => store.range({ limit: 100, startAfter }));
  }
  process.stdout.write(JSON.stringify(result));
}

/** A REST frontend over `store` on a free loopback port; its base URL and a stop function. */
async function restOver(store: KeyValueStore): Promise<{ url: string; stop: () => Promise<void> }> {
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 });
  const { port } = await frontend.start();
  return { url: `http://127.0.0.1:${port}`, stop: () => frontend.stop() };
}

async function fetchOk(url: string, init?: RequestInit): Promise<void> {
  const answer = await fetch(url, init);
  await answer.arrayBuffer();
  if (answer.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${url}: ${answer.status}`);
}

async function restRangeChild(): Promise<void> {
  const store = new KeyValueStore(syntheticLog(KEYS));
  await store.restore();
  const rest = await restOver(store);
  const result: Record<string, number> = {};
  for (const [name, index] of Object.entries(PAGE_POSITIONS)) {
    const after = index === undefined ? '' : `&start_after=${benchKey(index)}`;
    result[name] = await microsPer(2000, () => fetchOk(`${rest.url}/v1/keys?prefix=&limit=100${after}`));
  }
  // The floor of this client on this machine: one key, same connection, same loop.
  result.oneKey = await microsPer(2000, () => fetchOk(`${rest.url}/v1/key/${benchKey(1)}`));
  await rest.stop();
  process.stdout.write(JSON.stringify(result));
}

const TXN_KEYS = ['a', 'b', 'c', 'd'];

/** A store on a fresh file log (sync=always); dispose() closes it and removes the directory. */
async function durableStore(): Promise<{ store: KeyValueStore; dispose: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-bench-txn-'));
  const log = new FileTransactionLog({ filename: join(dir, 'transactions.log'), sync: 'always' });
  const store = new KeyValueStore(log);
  await store.restore();
  const dispose = async (): Promise<void> => {
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { store, dispose };
}

async function restTxnChild(): Promise<void> {
  const { store, dispose } = await durableStore();
  const rest = await restOver(store);
  const value = benchValue(0);
  const fourPuts = await microsPer(300, async () => {
    for (const key of TXN_KEYS) await fetchOk(`${rest.url}/v1/key/${key}`, { method: 'PUT', body: value });
  });
  const body = JSON.stringify({ success: TXN_KEYS.map((key) => ({ put: { key, value } })) });
  const txn = await microsPer(300, () => fetchOk(`${rest.url}/v1/txn`, { method: 'POST', body }));
  await rest.stop();
  await dispose();
  process.stdout.write(JSON.stringify({ fourPutsMicros: fourPuts, txnMicros: txn }));
}

async function txnChild(): Promise<void> {
  const { store, dispose } = await durableStore();
  const rounds = 300;
  let began = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) for (const key of TXN_KEYS) await store.put(key, benchValue(i));
  const puts = Number(process.hrtime.bigint() - began) / rounds / 1000;
  began = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    await store.txn({
      compare: [],
      success: TXN_KEYS.map((key) => ({ type: 'put', key, value: benchValue(i) })),
      failure: [],
    });
  }
  const txn = Number(process.hrtime.bigint() - began) / rounds / 1000;
  await dispose();
  process.stdout.write(JSON.stringify({ fourPutsMicros: puts, txnMicros: txn }));
}

function txnRow({ txnMicros, fourPutsMicros }: Record<string, number>): string {
  return `${(txnMicros / 1000).toFixed(2)} ms / ${(fourPutsMicros / 1000).toFixed(2)} ms = ${(fourPutsMicros / txnMicros).toFixed(1)}× faster`;
}

function runChild(...args: string[]): Record<string, number> {
  const out = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', __filename, ...args], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as Record<string, number>;
}

async function main(): Promise<void> {
  const [role, kind] = process.argv.slice(2);
  if (role === 'memory') return memoryChild(kind);
  if (role === 'range') return rangeChild();
  if (role === 'txn') return txnChild();
  if (role === 'rest-range') return restRangeChild();
  if (role === 'rest-txn') return restTxnChild();
  const map = runChild('memory', 'map').bytesPerKey;
  const store = runChild('memory', 'store').bytesPerKey;
  const range = runChild('range');
  const txn = runChild('txn');
  const restRange = runChild('rest-range');
  const restTxn = runChild('rest-txn');
  const lines = [
    '| row | figure |',
    '|---|---|',
    `| memory per key, 1M keys, heap after GC: store / Map | ${store.toFixed(0)} B / ${map.toFixed(0)} B = ${(store / map).toFixed(2)}× |`,
    `| range page of 100 of 1M keys: start / middle / end | ${range.start.toFixed(1)} / ${range.middle.toFixed(1)} / ${range.end.toFixed(1)} µs |`,
    `| 4 writes, file log sync=always: one txn / 4 PUTs in a row | ${txnRow(txn)} |`,
    `| REST GET /v1/keys page of 100 of 1M keys: start / middle / end (GET /v1/key of one key) | ${restRange.start.toFixed(0)} / ${restRange.middle.toFixed(0)} / ${restRange.end.toFixed(0)} µs (${restRange.oneKey.toFixed(0)} µs) |`,
    `| REST, 4 writes, file log sync=always: POST /v1/txn / 4 PUT /v1/key in a row | ${txnRow(restTxn)} |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
