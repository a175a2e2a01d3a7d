// Load-generator process of the watch row: opens the SSE and gRPC watchers of one key, writes it
// at a fixed rate and measures, for every write, the time from its acknowledgement to its receipt
// by each watcher. Prints one JSON line (WatchLoadResult) and exits.
import { Agent, get, request } from 'node:http';
import { KvsClient } from '../../src/client/kvs-client';
import type { WatchResponse__Output } from '../../src/api/generated/WatchResponse';

/** What the harness asks for (argv[2], JSON). */
export interface WatchLoadSpec {
  readonly restPort: number;
  readonly grpcPort: number;
  readonly sseWatchers: number;
  readonly grpcWatchers: number;
  /** gRPC channels the streams are spread over (streams share HTTP/2 connections, as real clients do). */
  readonly grpcChannels: number;
  readonly writesPerSecond: number;
  readonly writes: number;
}

/** What it prints. */
export interface WatchLoadResult {
  readonly writes: number;
  readonly watchers: number;
  /** Deliveries seen / expected (writes × watchers). */
  readonly delivered: number;
  readonly expected: number;
  /** Milliseconds from a write's acknowledgement to its receipt by a watcher (0 when it arrived before the ack). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The same from the moment the write was sent. */
  readonly p99FromSendMs: number;
  readonly connectSeconds: number;
}

const KEY = 'bench-watch';
const now = (): number => performance.timeOrigin + performance.now();

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as WatchLoadSpec;
  /** receipts[i]: when each watcher received write i (value `${i}`); warm-up writes are value 0. */
  const receipts: number[][] = [];
  const warm = new Set<number>();
  const receiverOf =
    (watcher: number) =>
    (value: string): void => {
      const index = Number(value);
      if (index === 0) warm.add(watcher);
      else (receipts[index] ??= []).push(now());
    };
  const started = now();
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const sse = Array.from({ length: spec.sseWatchers }, (_, i) => openSse(spec.restPort, agent, receiverOf(i)));
  await Promise.all(sse);
  const clients = Array.from({ length: spec.grpcChannels }, () => new KvsClient(`127.0.0.1:${spec.grpcPort}`));
  const streams = Array.from({ length: spec.grpcWatchers }, (_, i) => {
    const stream = clients[i % clients.length].watch({ key: KEY });
    const receive = receiverOf(spec.sseWatchers + i);
    stream.on('data', (response: WatchResponse__Output) => {
      for (const event of response.events) receive(event.entry?.value ?? '');
    });
    stream.on('error', () => undefined);
    return stream;
  });
  const watchers = spec.sseWatchers + spec.grpcWatchers;
  // Warm-up writes (value 0) until every watcher has seen one: then all are connected and live.
  while (warm.size < watchers) {
    await put(spec.restPort, agent, '0');
    await sleep(200);
  }
  const connectSeconds = (now() - started) / 1000;
  const sent: number[] = [];
  const acked: number[] = [];
  const interval = 1000 / spec.writesPerSecond;
  for (let i = 1; i <= spec.writes; i++) {
    const due = started + connectSeconds * 1000 + i * interval;
    await sleep(Math.max(0, due - now()));
    sent[i] = now();
    await put(spec.restPort, agent, String(i));
    acked[i] = now();
  }
  // Every write by index: a write no watcher has received yet is a hole in `receipts`, which
  // slice().some() would skip (the last write was once counted missing that way).
  const incomplete = (): boolean => {
    for (let i = 1; i <= spec.writes; i++) if ((receipts[i]?.length ?? 0) < watchers) return true;
    return false;
  };
  const deadline = now() + 5000;
  while (now() < deadline && incomplete()) await sleep(20);
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  for (let i = 1; i <= spec.writes; i++) {
    for (const at of receipts[i] ?? []) {
      fromAck.push(Math.max(0, at - acked[i]));
      fromSend.push(at - sent[i]);
    }
  }
  fromAck.sort((a, b) => a - b);
  fromSend.sort((a, b) => a - b);
  const quantile = (values: number[], q: number): number =>
    values[Math.min(values.length - 1, Math.floor(q * values.length))] ?? NaN;
  const result: WatchLoadResult = {
    writes: spec.writes,
    watchers,
    delivered: fromAck.length,
    expected: spec.writes * watchers,
    p50Ms: quantile(fromAck, 0.5),
    p99Ms: quantile(fromAck, 0.99),
    maxMs: fromAck[fromAck.length - 1] ?? NaN,
    p99FromSendMs: quantile(fromSend, 0.99),
    connectSeconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  for (const stream of streams) stream.cancel();
  for (const client of clients) client.close();
  process.exit(0);
}

/** Opens one SSE watcher of KEY; resolves once its headers arrived. */
function openSse(port: number, agent: Agent, receive: (value: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: `/v1/watch?key=${KEY}`, agent }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE watch answered ${res.statusCode}`));
        return;
      }
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const message = buffered.slice(0, end);
          buffered = buffered.slice(end + 2);
          if (!message.includes('event: change')) continue;
          const data = /^data: (.*)$/m.exec(message)?.[1];
          if (data === undefined) continue;
          for (const event of (JSON.parse(data) as { events: { value: string }[] }).events) receive(event.value);
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
}

function put(port: number, agent: Agent, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/v1/key/${KEY}`, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`PUT answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(value);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

main().catch((error: unknown) => {
  process.stderr.write(`watch load: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
