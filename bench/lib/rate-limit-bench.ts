import { EmbeddedPostgresServer } from '../../test/support/embedded-postgres-server';
import { postgresLogEnv } from './postgres-log-env';
import type { BenchOptions } from './options';
import { runLoad } from './run-load';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';

/** Where the row's rate limit counts: no limit at all, process memory, or PostgreSQL (shared by replicas). */
type Store = 'none' | 'memory' | 'postgres';
const STORES: readonly Store[] = ['none', 'memory', 'postgres'];
/** The target concurrency of the load rows. */
const CONNECTIONS = 32;
/** High enough never to refuse the load (a window of 1,000,000 requests per second): the row measures the counting. */
const NEVER_REACHED = { KVS_RATE_LIMIT: '1000000/s' };

/** One store's figures. */
export interface RateLimitRow {
  readonly store: Store;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU time (user + system) per 10,000 requests. */
  readonly cpuSecondsPer10k: number;
  readonly errors: number;
}

/** What the rate-limit rows measured, in run order. */
export interface RateLimitResult {
  readonly rows: readonly RateLimitRow[];
}

/**
 * The rate-limit rows (`--filter rate-limit`): REST GET of a hot key, 32 connections, on the
 * service with its log in an embedded PostgreSQL (the tests' own), with no rate limit, with one
 * counted in memory, and with one counted in PostgreSQL (KVS_RATE_LIMIT_STORE=postgres: one
 * upsert per request, every request of the one caller on one row), back to back in one run.
 * Undefined (with a line saying why) when the PostgreSQL binaries are missing.
 */
export async function measureRateLimits(
  options: BenchOptions,
  ticksPerSecond: number,
): Promise<RateLimitResult | undefined> {
  let postgres: EmbeddedPostgresServer;
  try {
    postgres = await EmbeddedPostgresServer.create();
  } catch (error) {
    process.stderr.write(`rate-limit: no rows (${(error as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
  try {
    const rows: RateLimitRow[] = [];
    for (const [i, store] of STORES.entries()) {
      const env = {
        ...postgresLogEnv(postgres.connection, `kvs_bench_rate_${i}`),
        ...(store === 'none' ? {} : { ...NEVER_REACHED, KVS_RATE_LIMIT_STORE: store }),
      };
      const spec = kvsServer('rest', {
        logFile: '',
        sync: 'always',
        main: options.main,
        env,
        label: `rate limit ${store}`,
      });
      const { server, ready } = await ServerProcess.start(spec);
      try {
        const load = await runLoad('rest', {
          target: `127.0.0.1:${ready[2]}`,
          serverPid: server.pid,
          operation: 'get-hit',
          connections: CONNECTIONS,
          warmupSeconds: options.warmupSeconds,
          durationSeconds: options.durationSeconds,
        });
        rows.push({
          store,
          requestsPerSecond: load.requests / load.seconds,
          p50Ms: load.p50Ms,
          p99Ms: load.p99Ms,
          cpuSecondsPer10k: load.requests ? (load.serverCpuTicks / ticksPerSecond / load.requests) * 10_000 : NaN,
          errors: load.errors,
        });
      } finally {
        await server.stop();
      }
    }
    return { rows };
  } finally {
    await postgres.destroy();
  }
}

/** The rows as the report's table shows them, each against the memory store of the same run. */
export function rateLimitTable(result: RateLimitResult): string {
  const memory = result.rows.find((row) => row.store === 'memory');
  const label: Record<Store, string> = {
    none: 'no rate limit',
    memory: 'KVS_RATE_LIMIT_STORE=memory',
    postgres: 'KVS_RATE_LIMIT_STORE=postgres',
  };
  return [
    `REST GET (hot key, ${CONNECTIONS} connections), TLOG_TYPE=postgres (embedded server), ${NEVER_REACHED.KVS_RATE_LIMIT} (never refuses):`,
    '',
    '| Row | req/s | × memory store | p50 | p99 | CPU s / 10k req | errors |',
    '|-----|------:|---------------:|----:|----:|----------------:|-------:|',
    ...result.rows.map(
      (row) =>
        `| ${label[row.store]} | ${Math.round(row.requestsPerSecond)} | ${memory ? (row.requestsPerSecond / memory.requestsPerSecond).toFixed(2) : ''}× | ${row.p50Ms.toFixed(2)} ms | ${row.p99Ms.toFixed(2)} ms | ${row.cpuSecondsPer10k.toFixed(3)} | ${row.errors} |`,
    ),
  ].join('\n');
}
