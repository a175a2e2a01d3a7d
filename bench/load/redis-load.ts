// Load-generator process for the Redis rows: redis-benchmark (our load tools do not speak RESP)
// at the rows' concurrency, one request in flight per connection (no pipelining), 16-byte keys
// (`key:` + 12 digits) from a hot set of HOT_KEYS and 100-byte values, like the other rows.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readLoadSpec, reportLoadResult } from '../lib/load-protocol';
import { treeCpuTicks } from '../lib/proc-stats';
import { HOT_KEYS, VALUE_BYTES, type Operation } from '../lib/workload';

const run = promisify(execFile);
/** redis-benchmark has no duration option: the warm-up runs chunks of this many requests. */
const WARMUP_CHUNK = 10_000;
/** Random SETs over HOT_KEYS keys that store every one of them (a key is missed with p ≈ e^-20). */
const PRELOAD_REQUESTS = 20 * HOT_KEYS;
/** A run is killed if it takes this many times the time it was sized for. */
const TIMEOUT_FACTOR = 4;
const COMMANDS: Partial<Record<Operation, string>> = { 'get-hit': 'get', put: 'set' };

interface BenchmarkRun {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Lines of its output that report an error answer. */
  readonly errors: number;
}

async function main(): Promise<void> {
  const spec = readLoadSpec(process.argv);
  const command = COMMANDS[spec.operation];
  if (!command) throw new Error(`redis rows measure ${Object.keys(COMMANDS).join(' and ')}, not ${spec.operation}`);
  const [host, port] = spec.target.split(':');
  const benchmark = (test: string, requests: number, seconds: number): Promise<BenchmarkRun> =>
    redisBenchmark(
      ['-h', host, '-p', port, '-c', String(spec.connections), '-r', String(HOT_KEYS), '-d', String(VALUE_BYTES)],
      test,
      requests,
      seconds,
    );

  if (spec.operation === 'get-hit') {
    await benchmark('set', PRELOAD_REQUESTS, 60);
    const { stdout } = await run('redis-cli', ['-h', host, '-p', port, 'dbsize']);
    if (Number(stdout.trim()) !== HOT_KEYS) throw new Error(`preload stored ${stdout.trim()} keys, not ${HOT_KEYS}`);
  }
  // Warm-up in chunks until its time is up; the last chunk's rate sizes the measured run.
  const warmupEnds = performance.now() + spec.warmupSeconds * 1000;
  let rate: number;
  do rate = (await benchmark(command, WARMUP_CHUNK, 60)).requestsPerSecond;
  while (performance.now() < warmupEnds);

  const requests = Math.max(1000, Math.round(rate * spec.durationSeconds));
  const cpuBefore = treeCpuTicks(spec.serverPid);
  const measured = await benchmark(command, requests, spec.durationSeconds);
  const serverCpuTicks = treeCpuTicks(spec.serverPid) - cpuBefore;
  reportLoadResult({
    tool: `redis-benchmark ${await version()} (no pipelining)`,
    requests,
    errors: measured.errors,
    seconds: requests / measured.requestsPerSecond,
    p50Ms: measured.p50Ms,
    p99Ms: measured.p99Ms,
    serverCpuTicks,
  });
}

/** One redis-benchmark run of a test, with its CSV line parsed. */
async function redisBenchmark(
  base: readonly string[],
  test: string,
  requests: number,
  expectedSeconds: number,
): Promise<BenchmarkRun> {
  const { stdout, stderr } = await run('redis-benchmark', [...base, '-n', String(requests), '-t', test, '--csv'], {
    timeout: Math.max(10, expectedSeconds * TIMEOUT_FACTOR) * 1000,
  });
  // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  const line = stdout.split('\n').find((text) => text.startsWith(`"${test.toUpperCase()}"`));
  if (!line) throw new Error(`no result line from redis-benchmark:\n${stdout}${stderr}`);
  const fields = line.split(',').map((field) => Number(field.replaceAll('"', '')));
  return {
    requestsPerSecond: fields[1],
    p50Ms: fields[4],
    p99Ms: fields[6],
    errors: `${stdout}${stderr}`.split('\n').filter((text) => /error/i.test(text)).length,
  };
}

async function version(): Promise<string> {
  const { stdout } = await run('redis-benchmark', ['--version']);
  return stdout.trim().split(' ').pop() ?? 'unknown';
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
