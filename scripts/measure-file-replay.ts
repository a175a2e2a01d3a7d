/**
 * Measures how fast the file log replays: writes a log of small records, then times
 * readEvents over it. Run: npx tsc -p scripts/tsconfig.measure.json && node /tmp/kvs-measure/scripts/measure-file-replay.js [events]
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTransactionLogger } from '../src/adapters/file-log';

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 1_000_000);
  const dir = await mkdtemp(join(tmpdir(), 'kvs-replay-'));
  const filename = join(dir, 'transactions.log');
  try {
    const writer = new FileTransactionLogger({ filename, sync: 'never' });
    for await (const _ of writer.readEvents());
    const writeStart = process.hrtime.bigint();
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < total; i++) {
      batch.push(
        i % 10 === 9
          ? writer.append({ type: 'delete', key: `key-${i % 10_000}` })
          : writer.append({ type: 'put', key: `key-${i % 10_000}`, value: `value-${i}` }),
      );
      if (batch.length === 10_000) await Promise.all(batch.splice(0));
    }
    await Promise.all(batch);
    await writer.close();
    const writeSeconds = Number(process.hrtime.bigint() - writeStart) / 1e9;
    const { size } = await stat(filename);

    const reader = new FileTransactionLogger({ filename });
    const readStart = process.hrtime.bigint();
    let events = 0;
    const live = new Map<string, string>();
    for await (const event of reader.readEvents()) {
      if (event.type === 'put') live.set(event.key, event.value);
      else live.delete(event.key);
      events++;
    }
    const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
    await reader.close();
    if (events !== total) throw new Error(`replayed ${events} events, expected ${total}`);
    const mib = (size / 1024 / 1024).toFixed(1);
    console.log(`log: ${events} events, ${mib} MiB`);
    console.log(`append (sync=never, 10k in flight): ${Math.round(total / writeSeconds)} events/s`);
    console.log(`replay into a Map: ${readSeconds.toFixed(2)} s = ${Math.round(events / readSeconds)} events/s (${live.size} live keys)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
