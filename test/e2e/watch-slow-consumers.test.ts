import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { KvsClient } from '../../src/client/kvs-client';
import { eventually } from '../support/eventually';
import { startService, type ServiceProcess } from '../support/service-process';
import { SseMessages } from '../support/sse-messages';
import { useTempDir } from '../support/temp-dir';

// Slow watchers are raw sockets that never read. A paused grpc-js stream is not one: the
// grpc-js client keeps reading the connection into its own memory (on Node 26 it took the
// whole 32 MiB below without the server's buffer filling), so whether it is dropped depends
// on the client, not on the server's bound. The server's bound is per watcher, whatever the
// transport (test/driving/watch/watch-transports.test.ts drops a gRPC client that stops reading).
const SLOW_SSE = 20;
const VALUE = 'v'.repeat(32 * 1024);
/** 32 MiB at most: far more than loopback's socket buffers take for one reader that does not read. */
const MAX_WRITES = 1000;
/** The service's heap is capped, so buffering without bound would end it (out of memory) as well as show in RSS. */
const HEAP_MIB = 128;
/** Its peak RSS may not pass this (about 140 MiB measured; the writes' values are shared by every watcher's buffer). */
const RSS_BOUND_MIB = 300;

function peakRssMiB(pid: number): number {
  const line = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1]) / 1024;
}

/** The revisions a reading SSE watcher of `key` received, in order. */
function readingWatcher(restUrl: string, key: string) {
  const revisions: number[] = [];
  const messages = new SseMessages();
  const request = get(`${restUrl}/v1/watch?key=${key}`, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      for (const message of messages.push(chunk)) if (message.event === 'change') revisions.push(Number(message.id));
    });
  });
  request.on('error', () => undefined);
  return { revisions, close: () => request.destroy() };
}

describe('watchers that stop reading', () => {
  const dir = useTempDir('watch-slow');
  let service: ServiceProcess;
  let client: KvsClient;

  beforeEach(async () => {
    service = await startService({
      TLOG_FILENAME: join(dir.path, 'transactions.log'),
      TLOG_SYNC: 'never',
      KVS_WATCH_BUFFER_BYTES: String(256 * 1024),
      KVS_WATCH_HISTORY_BYTES: String(4 * 1024 * 1024),
      NODE_OPTIONS: `--max-old-space-size=${HEAP_MIB}`,
    });
    client = new KvsClient(service.grpcAddress!);
  });

  afterEach(async () => {
    client.close();
    service.process.kill('SIGTERM');
    await service.exited();
  });

  it('are dropped with WATCH_TOO_SLOW after their bounded buffer; RSS stays bounded; writes and readers go on', async () => {
    const metric = async (pattern: RegExp): Promise<number> =>
      Number(pattern.exec(await (await fetch(`${service.restUrl}/metrics`)).text())?.[1] ?? 0);
    const open = () => metric(/^kvs_watchers\{transport="rest"\} (\d+)/m);
    const dropped = () => metric(/^kvs_watchers_dropped_total\{reason="too_slow"\} (\d+)/m);
    const sockets: Socket[] = [];
    const reader = readingWatcher(service.restUrl!, 'slow');
    try {
      const { port } = new URL(service.restUrl!);
      for (let i = 0; i < SLOW_SSE; i++) {
        const socket = connect(Number(port), '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write('GET /v1/watch?key=slow HTTP/1.1\r\nHost: kvs\r\n\r\n');
        socket.pause(); // never reads a byte
        sockets.push(socket);
      }
      await eventually(async () => (await open()) === SLOW_SSE + 1, { describe: () => 'the SSE watchers open' });
      // Written until every slow watcher is dropped (their socket buffers take a few MiB first), at most MAX_WRITES.
      let writes = 0;
      let count = 0;
      while (count < SLOW_SSE && writes < MAX_WRITES) {
        for (let i = 0; i < 50; i++, writes++) await client.put('slow', VALUE);
        count = await dropped();
      }
      expect(count).toBe(SLOW_SSE);
      // The reader read every write, in order, once.
      await eventually(() => reader.revisions.length >= writes, {
        describe: () => `${reader.revisions.length} of ${writes} revisions read`,
      });
      expect(reader.revisions).toEqual(Array.from({ length: writes }, (_, i) => reader.revisions[0] + i));
      expect(await open()).toBe(1);
      expect(peakRssMiB(service.process.pid!)).toBeLessThan(RSS_BOUND_MIB);
    } finally {
      reader.close();
      for (const socket of sockets) socket.destroy();
    }
  }, 90_000);
});
