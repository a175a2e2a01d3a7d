import type { Operation } from './workload';

/** The gRPC API a gRPC row's server speaks: kvs's KeyValue service, or etcd's KV. */
export type GrpcApi = 'kvs' | 'etcd';

/** What the harness asks a load-generator process to do (passed as JSON in argv[2]). */
export interface LoadSpec {
  /** host:port of the server under test. */
  readonly target: string;
  /** The server's pid, so the load generator can read its CPU time around the measured window. */
  readonly serverPid: number;
  readonly operation: Operation;
  /** Concurrent connections (HTTP) or concurrent in-flight calls (gRPC). */
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Connect with TLS (the bench's own CA, whose PEM file this is). */
  readonly caFile?: string;
  /** Send this bearer token with every request. */
  readonly token?: string;
  /** gRPC rows: the API the server speaks (default kvs). */
  readonly api?: GrpcApi;
}

/** What a load-generator process reports back (one JSON line on stdout). */
export interface LoadResult {
  /** The load tool that produced the figures, as named in the table. */
  readonly tool: string;
  /** Requests answered in the measured window, successes and errors alike. */
  readonly requests: number;
  /** Requests with an unexpected outcome (wrong status, socket error, timeout). */
  readonly errors: number;
  /** Length of the measured window. */
  readonly seconds: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** The server's CPU time used during the measured window, in clock ticks. */
  readonly serverCpuTicks: number;
  /** Load generators in node: their own GC pauses within the window (redis-benchmark has none). */
  readonly loadGcPauseMs?: number;
}

/** Reads a load generator's spec from its command line. */
export function readLoadSpec(argv: readonly string[]): LoadSpec {
  if (argv.length < 3) throw new Error('usage: <load generator> <LoadSpec as JSON>');
  return JSON.parse(argv[2]) as LoadSpec;
}

/** Writes the result line the harness parses, then exits. */
export function reportLoadResult(result: LoadResult): never {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
