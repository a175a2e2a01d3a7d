// Load-generator process of the watch rows: opens the SSE and gRPC watchers (of one key, or one
// prefix each), prints `connected` once every one of them is live, then reads commands on
// standard input: `write N` writes N times at a fixed rate and measures, for every write, the
// time from its acknowledgement to its receipt by each watcher of its key, and the CPU time the
// server and this process used meanwhile, then prints one JSON line (WatchLoadResult); `exit`
// ends it. Phases of one row (writes alone, writes beside other load) thus share the watchers.
import { Agent, get, request } from 'node:http';
import { createInterface } from 'node:readline';
import { clockTicksPerSecond, cpuTicks } from '../lib/proc-stats';
import { KvsClient } from '../../src/client/kvs-client';
import type { WatchResponse__Output } from '../../src/api/generated/WatchResponse';
import { SseMessages } from '../../test/support/sse-messages';

/** What the harness asks for (argv[2], JSON). */
export interface WatchLoadSpec {
  readonly restPort: number;
  /** The server's pid, whose CPU time each phase reads from /proc. */
  readonly serverPid: number;
  readonly grpcPort: number;
  readonly sseWatchers: number;
  readonly grpcWatchers: number;
  /** gRPC channels the streams are spread over (streams share HTTP/2 connections, as real clients do). */
  readonly grpcChannels: number;
  /** 0: every watcher follows one key; N: the SSE watchers follow N distinct prefixes, round-robin, and the writes go round-robin to one key under each. */
  readonly prefixes: number;
  readonly writesPerSecond: number;
  /** Writes in flight at most (the writes are paced; a slow server gets no more than this at once). */
  readonly inFlight: number;
}

/** What it prints. */
export interface WatchLoadResult {
  readonly writes: number;
  readonly watchers: number;
  /** Deliveries seen / expected (each write × the watchers of its key). */
  readonly delivered: number;
  readonly expected: number;
  /** Milliseconds from a write's acknowledgement to its receipt by a watcher (0 when it arrived before the ack). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** The same from the moment the write was sent. */
  readonly p99FromSendMs: number;
  /** The writes' own latency (send to acknowledgement), p99, and the rate they were acknowledged at. */
  readonly writeP99Ms: number;
  readonly writesPerSecond: number;
  readonly connectSeconds: number;
  /** From the first write to the last delivery (or the wait's end): the phase's length. */
  readonly phaseSeconds: number;
  /** CPU time (user + system) of the server and of this load generator during the phase, in seconds. */
  readonly serverCpuSeconds: number;
  readonly loadCpuSeconds: number;
}

const KEY = 'bench-watch';
const TICKS_PER_SECOND = clockTicksPerSecond();
/** SSE watchers opened at once (the listen backlog takes a few hundred). */
const CONNECT_BATCH = 200;
const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The key write `index` goes to, and the watch query of watcher `watcher`. */
function keyOf(spec: WatchLoadSpec, index: number): string {
  return spec.prefixes === 0 ? KEY : `p${index % spec.prefixes}-k`;
}
function queryOf(spec: WatchLoadSpec, watcher: number): string {
  return spec.prefixes === 0 ? `key=${KEY}` : `prefix=p${watcher % spec.prefixes}-`;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as WatchLoadSpec;
  const watchers = spec.sseWatchers + spec.grpcWatchers;
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
  for (let first = 0; first < spec.sseWatchers; first += CONNECT_BATCH) {
    const batch = Math.min(CONNECT_BATCH, spec.sseWatchers - first);
    await Promise.all(
      Array.from({ length: batch }, (_, i) => openSse(spec.restPort, queryOf(spec, first + i), receiverOf(first + i))),
    );
  }
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
  // Warm-up writes (value 0, on every watched key) until every watcher has seen one: all are connected and live.
  const warmKeys = spec.prefixes === 0 ? [KEY] : Array.from({ length: spec.prefixes }, (_, i) => keyOf(spec, i));
  while (warm.size < watchers) {
    await Promise.all(warmKeys.map((key) => put(spec.restPort, agent, key, '0')));
    await sleep(200);
  }
  const connectSeconds = (now() - started) / 1000;
  process.stdout.write('connected\n');
  let nextIndex = 1;
  for await (const line of createInterface({ input: process.stdin })) {
    const command = /^write (\d+)$/.exec(line.trim());
    if (command === null) break;
    const first = nextIndex;
    nextIndex += Number(command[1]);
    const phase = await writePhase(spec, agent, receipts, first, nextIndex - 1);
    process.stdout.write(`${JSON.stringify({ ...phase, watchers, connectSeconds })}\n`);
  }
  for (const stream of streams) stream.cancel();
  for (const client of clients) client.close();
  process.exit(0);
}

/** Writes `first` .. `last` at the spec's rate and measures their delivery and the CPU spent meanwhile. */
async function writePhase(
  spec: WatchLoadSpec,
  agent: Agent,
  receipts: number[][],
  first: number,
  last: number,
): Promise<Omit<WatchLoadResult, 'watchers' | 'connectSeconds'>> {
  const serverTicks = cpuTicks(spec.serverPid);
  const ownCpu = process.cpuUsage();
  const sent: number[] = [];
  const acked: number[] = [];
  const interval = 1000 / spec.writesPerSecond;
  const writing = new Set<Promise<void>>();
  const begin = now();
  for (let i = first; i <= last; i++) {
    await sleep(Math.max(0, begin + (i - first + 1) * interval - now()));
    while (writing.size >= spec.inFlight) await Promise.race(writing);
    const index = i;
    sent[index] = now();
    const write = put(spec.restPort, agent, keyOf(spec, index), String(index)).then(() => {
      acked[index] = now();
      writing.delete(write);
    });
    writing.add(write);
  }
  await Promise.all(writing);
  const writeSeconds = (now() - begin) / 1000;
  const watchers = spec.sseWatchers + spec.grpcWatchers;
  const expectedOf = (index: number): number => (spec.prefixes === 0 ? watchers : watchersOfPrefix(spec, index));
  // Every write by index: a write no watcher has received yet is a hole in `receipts`, which
  // slice().some() would skip (the last write was once counted missing that way).
  const incomplete = (): boolean => {
    for (let i = first; i <= last; i++) if ((receipts[i]?.length ?? 0) < expectedOf(i)) return true;
    return false;
  };
  const deadline = now() + 5000;
  while (now() < deadline && incomplete()) await sleep(20);
  const phaseSeconds = (now() - begin) / 1000;
  const own = process.cpuUsage(ownCpu);
  const serverCpuSeconds = (cpuTicks(spec.serverPid) - serverTicks) / TICKS_PER_SECOND;
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  const writeLatencies: number[] = [];
  let expected = 0;
  for (let i = first; i <= last; i++) {
    expected += expectedOf(i);
    writeLatencies.push(acked[i] - sent[i]);
    for (const at of receipts[i] ?? []) {
      fromAck.push(Math.max(0, at - acked[i]));
      fromSend.push(at - sent[i]);
    }
  }
  return {
    writes: last - first + 1,
    delivered: fromAck.length,
    expected,
    p50Ms: quantile(fromAck, 0.5),
    p99Ms: quantile(fromAck, 0.99),
    maxMs: quantile(fromAck, 1),
    p99FromSendMs: quantile(fromSend, 0.99),
    writeP99Ms: quantile(writeLatencies, 0.99),
    writesPerSecond: (last - first + 1) / writeSeconds,
    phaseSeconds,
    serverCpuSeconds,
    loadCpuSeconds: (own.user + own.system) / 1e6,
  };
}

/** SSE watchers of the prefix write `index` goes to (watchers are dealt to the prefixes round-robin). */
function watchersOfPrefix(spec: WatchLoadSpec, index: number): number {
  const prefix = index % spec.prefixes;
  return Math.floor(spec.sseWatchers / spec.prefixes) + (prefix < spec.sseWatchers % spec.prefixes ? 1 : 0);
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Opens one SSE watcher (its own connection, as browsers' EventSource does); resolves once its headers arrived. */
function openSse(port: number, query: string, receive: (value: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: `/v1/watch?${query}`, agent: false }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE watch answered ${res.statusCode}`));
        return;
      }
      const messages = new SseMessages();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const message of messages.push(chunk)) {
          if (message.event !== 'change' || message.data === undefined) continue;
          for (const event of (JSON.parse(message.data) as { events: { value: string }[] }).events)
            receive(event.value);
        }
      });
      resolve();
    });
    req.on('error', reject);
  });
}

function put(port: number, agent: Agent, key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'PUT', path: `/v1/key/${key}`, agent }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`PUT answered ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(value);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`watch load: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
