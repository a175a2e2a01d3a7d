import { resolve } from 'node:path';
import { BENCH_BUILD, REPO_ROOT } from './paths';
import { nodeCommand, type ServerSpec } from './server-process';

/** The service's frontends. */
export type Frontend = 'rest' | 'grpc';
/** Wire protocols the bench drives: the frontends', and Redis's RESP. */
export type Protocol = Frontend | 'resp';
/** The in-run baselines: the same routes served from a Map with no framework or a minimal one. */
export type BaselineKind = 'node-http' | 'node-http-durable' | 'express' | 'grpc-js';
/** The systems users would pick instead of kvs (bench/lib/peers.ts starts them). */
export type PeerKind = 'go-http' | 'go-grpc' | 'redis' | 'etcd';
/** The service itself, an in-run baseline, or a peer. */
export type ServerKind = 'kvs' | BaselineKind | PeerKind;
/** Security layers a kvs row can turn on. */
export type Security = 'tls' | 'jwt';
/** TLOG_SYNC values of the file log. */
export type SyncPolicy = 'always' | 'interval' | 'never';

/** How each kind of server is named in the table. */
export const SERVER_NAMES: Record<ServerKind, string> = {
  kvs: 'kvs',
  'node-http': 'node:http+Map',
  'node-http-durable': 'node:http+Map+fdatasync',
  express: 'express+Map',
  'grpc-js': 'grpc-js+Map',
  'go-http': 'Go net/http+map (book core)',
  'go-grpc': 'Go grpc-go+map (book core)',
  redis: 'Redis (appendfsync always)',
  etcd: 'etcd (1 member)',
};

const BASELINE_SCRIPTS: Record<BaselineKind, string> = {
  'node-http': 'baselines/node-http-map-server.js',
  'node-http-durable': 'baselines/node-http-durable-map-server.js',
  express: 'baselines/express-map-server.js',
  'grpc-js': 'baselines/grpc-map-server.js',
};

/** How the service is run: its log file, sync policy, and optional node flags (profiling). */
export interface KvsRun {
  readonly logFile: string;
  readonly sync: SyncPolicy;
  readonly nodeFlags?: readonly string[];
  /** The service build to run; dist/main.js unless given. */
  readonly main?: string;
  /** Extra variables, e.g. the TLS files or JWT_KEY of a security row, or observability switches. */
  readonly env?: Readonly<Record<string, string>>;
  /** Shown after the name, e.g. "TLS". */
  readonly label?: string;
  /** KVS_WORKERS > 1: the service is ready once the owner says every worker serves. */
  readonly workers?: number;
}

/** The built service (dist/main.js) with one frontend on a free loopback port and a file log. */
export function kvsServer(protocol: Frontend, run: KvsRun): ServerSpec {
  return {
    name: `kvs (sync=${run.sync}${run.label ? `, ${run.label}` : ''})`,
    command: nodeCommand(resolve(REPO_ROOT, run.main ?? 'dist/main.js'), { nodeFlags: run.nodeFlags }),
    env: {
      TLOG_TYPE: 'file',
      TLOG_FILENAME: run.logFile,
      TLOG_SYNC: run.sync,
      FRONTEND_TYPE: protocol,
      KVS_HOST: '127.0.0.1',
      KVS_HTTP_PORT: '0',
      KVS_GRPC_PORT: '0',
      ...run.env,
    },
    ready: run.workers
      ? new RegExp(`"event":"started".*"listening":\\[\\{"frontend":"${protocol}","host":"([^"]+)","port":(\\d+)`)
      : new RegExp(`${protocol} frontend listening on (\\S+):(\\d+)`),
  };
}

/** One of the in-run baselines, serving the same routes from a Map (the durable one logging to `logFile`). */
export function baselineServer(
  kind: BaselineKind,
  protocol: Frontend,
  logFile: string,
  nodeFlags: readonly string[] = [],
): ServerSpec {
  const script = resolve(BENCH_BUILD, BASELINE_SCRIPTS[kind]);
  return {
    name: SERVER_NAMES[kind],
    command: nodeCommand(script, { nodeFlags, args: kind === 'node-http-durable' ? [logFile] : [] }),
    ready: new RegExp(`baseline: ${protocol} frontend listening on (\\S+):(\\d+)`),
  };
}
