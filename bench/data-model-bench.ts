// `npm run bench:data-model`: the data model v2 rows, each in a fresh child process (same run,
// same machine, so the ratios compare like with like):
// - memory: heap per key after GC, 1,000,000 keys (16-byte keys, 100-byte values, flat strings as
//   replay decodes them), in today's store (ordered index with revisions) against a bare Map;
// - range: a 100-key page of 1,000,000 keys, starting at the first key, the middle and near the end;
// - txn: one transaction of 4 writes against 4 single PUTs, durable on the file log (sync=always).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyValueStore, type ReplayedRecord, type TransactionLog } from '../src/core';
import { FileTransactionLog } from '../src/driven/file-log';
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

async function rangeChild(): Promise<void> {
  const store = new KeyValueStore(syntheticLog(KEYS));
  await store.restore();
  const result: Record<string, number> = {};
  const positions = { start: undefined, middle: KEYS / 2, end: KEYS - 150 } as const;
  for (const [name, index] of Object.entries(positions)) {
    const startAfter = index === undefined ? undefined : benchKey(index);
    for (let i = 0; i < 2000; i++) store.range({ limit: 100, startAfter }); // warm-up
    const rounds = 20_000;
    const began = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) store.range({ limit: 100, startAfter });
    result[name] = Number(process.hrtime.bigint() - began) / rounds / 1000;
  }
  process.stdout.write(JSON.stringify(result));
}

async function txnChild(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-bench-txn-'));
  const log = new FileTransactionLog({ filename: join(dir, 'transactions.log'), sync: 'always' });
  const store = new KeyValueStore(log);
  await store.restore();
  const rounds = 300;
  const keys = ['a', 'b', 'c', 'd'];
  let began = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) for (const key of keys) await store.put(key, benchValue(i));
  const puts = Number(process.hrtime.bigint() - began) / rounds / 1000;
  began = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    await store.txn({
      compare: [],
      success: keys.map((key) => ({ type: 'put', key, value: benchValue(i) })),
      failure: [],
    });
  }
  const txn = Number(process.hrtime.bigint() - began) / rounds / 1000;
  await log.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ fourPutsMicros: puts, txnMicros: txn }));
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
  const map = runChild('memory', 'map').bytesPerKey;
  const store = runChild('memory', 'store').bytesPerKey;
  const range = runChild('range');
  const txn = runChild('txn');
  const lines = [
    '| row | figure |',
    '|---|---|',
    `| memory per key, 1M keys, heap after GC: store / Map | ${store.toFixed(0)} B / ${map.toFixed(0)} B = ${(store / map).toFixed(2)}× |`,
    `| range page of 100 of 1M keys: start / middle / end | ${range.start.toFixed(1)} / ${range.middle.toFixed(1)} / ${range.end.toFixed(1)} µs |`,
    `| 4 writes, file log sync=always: one txn / 4 PUTs in a row | ${(txn.txnMicros / 1000).toFixed(2)} ms / ${(txn.fourPutsMicros / 1000).toFixed(2)} ms = ${(txn.fourPutsMicros / txn.txnMicros).toFixed(1)}× faster |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
