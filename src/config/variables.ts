/**
 * Who reads a variable: the service, the `kvs` CLI, or both. Variables only the CLI reads never
 * trigger the service's "set but not read" warning.
 */
export type VariableReader = 'service' | 'cli' | 'both';

/** One environment variable, declared once: its type, its default and its doc line. */
export interface VariableDeclaration {
  readonly name: string;
  /** What values are accepted, as the docs say it (e.g. "port", "true | false"). */
  readonly type: string;
  /**
   * The default as the reader's fallback prints it; EnvReader checks every fallback it is given
   * against it, so this table cannot drift from the code. Undefined: unset means off / none.
   */
  readonly default?: string;
  /** A default that depends on other variables, described in words (not checked). */
  readonly defaultText?: string;
  readonly doc: string;
  readonly readBy: VariableReader;
  /** The area, grouping the rows of docs/configuration.md. */
  readonly area: string;
}

const SWITCH = 'true | false';

function service(area: string, name: string, type: string, defaultValue: string | undefined, doc: string) {
  return { name, type, default: defaultValue, doc, readBy: 'service' as const, area };
}

/**
 * Every environment variable kvs reads, once each: docs/configuration.md (`npm run docs`) and the
 * unread-variable warning are derived from this table, EnvReader refuses to read a variable that
 * is not in it, and test/docs checks that every service variable is read somewhere.
 */
export const VARIABLES: readonly VariableDeclaration[] = [
  service('service', 'FRONTEND_TYPE', 'comma-separated list of rest, grpc', 'rest,grpc', 'The frontends to start.'),
  service('service', 'KVS_HOST', 'host or address', '127.0.0.1', 'Where every frontend listens (loopback unless set).'),
  service('service', 'KVS_HTTP_PORT', 'port', '8080', 'Port of the REST frontend (0: any free port).'),
  service('service', 'KVS_GRPC_PORT', 'port', '50051', 'Port of the gRPC frontend (0: any free port).'),
  service('service', 'KVS_GRPC_REFLECTION', SWITCH, 'true', 'Whether gRPC server reflection is offered.'),
  service(
    'service',
    'KVS_UI',
    SWITCH,
    'true',
    'Whether the REST frontend serves the web UI at /ui/ (docs/ui.md); false: /ui/ answers 404.',
  ),
  service(
    'service',
    'KVS_ADMIN_PORT',
    'port',
    undefined,
    'Port of the operations listener (probes and /metrics); unset: no such listener.',
  ),
  service('service', 'KVS_MAX_KEY_BYTES', 'integer 1..65536', '1024', 'Largest key, in UTF-8 bytes.'),
  service('service', 'KVS_MAX_VALUE_BYTES', 'integer 0..67108864', '1048576', 'Largest value, in UTF-8 bytes.'),
  {
    ...service(
      'service',
      'KVS_MAX_DATA_BYTES',
      'integer 1..2^53-1',
      undefined,
      'Quota on live data (UTF-8 bytes of every key and value): a write past it is refused with QUOTA_EXCEEDED (507 / RESOURCE_EXHAUSTED); deletes always work. Watch kvs_data_bytes against kvs_data_quota_bytes.',
    ),
    defaultText: 'a quarter of the JavaScript heap limit (--max-old-space-size)',
  },
  service(
    'service',
    'KVS_MAX_TTL',
    'duration: a whole number with ms, s, m or h (bare: seconds)',
    '720h',
    'Longest TTL a put or a lease may ask for (?ttl=, ttl_ms, POST /v1/leases); a longer one is refused with INVALID_REQUEST. See docs/ttl-and-leases.md.',
  ),
  service(
    'service',
    'LOG_LEVEL',
    'trace | debug | info | warn | error | fatal',
    'info',
    'Level of the JSON log on stdout.',
  ),
  service(
    'limits',
    'KVS_MAX_BODY_BYTES_IN_FLIGHT',
    'integer >= 1024',
    '67108864',
    'Bytes of REST request bodies received at once, over all connections; beyond it 503 SERVER_BUSY.',
  ),
  service('limits', 'KVS_MAX_CONNECTIONS', 'integer 1..1000000', '1024', 'REST connections open at once.'),
  service(
    'limits',
    'KVS_HEADERS_TIMEOUT_MS',
    'integer 100..600000',
    '10000',
    'Longest a client may take to send its headers.',
  ),
  service(
    'limits',
    'KVS_REQUEST_TIMEOUT_MS',
    'integer 100..3600000',
    '30000',
    'Longest a client may take to send a whole request.',
  ),
  service(
    'watch',
    'KVS_WATCH_HISTORY_BYTES',
    'integer 0..',
    '67108864',
    'Bytes of recent changes kept in memory so watches can start or resume in the past (docs/watch.md).',
  ),
  service(
    'watch',
    'KVS_WATCH_BUFFER_BYTES',
    'integer 1024..',
    '1048576',
    'Bytes one watcher may fall behind before it is dropped with WATCH_TOO_SLOW.',
  ),
  service(
    'watch',
    'KVS_WATCH_HEARTBEAT_MS',
    'integer 100..3600000',
    '10000',
    'How often an idle watch gets a progress heartbeat with the current revision.',
  ),
  service(
    'watch',
    'KVS_MAX_WATCHERS',
    'integer 0..10000000',
    '10000',
    'Watch streams open at once over both transports; more are refused with OVERLOADED (each also takes a connection).',
  ),
  service(
    'scale-out',
    'KVS_MAX_READ_WAIT_MS',
    'integer 0..600000',
    '2000',
    'Longest a read with X-Kvs-Min-Revision / min_revision or linearizable waits for this replica to catch up (gRPC: at most the call deadline); then 503 / UNAVAILABLE REPLICA_BEHIND. See docs/scale-out.md.',
  ),
  service(
    'scale-out',
    'KVS_REPLICAS',
    'single | shared',
    'single',
    'shared (TLOG_TYPE=postgres only): any number of kvs processes on one table form one store (docs/scale-out.md); single: a second instance on the table is refused.',
  ),
  // Workers (issue 22 item 3: every core): one process owns the log, N serve (docs/workers.md).
  service(
    'workers',
    'KVS_WORKERS',
    'integer 1..256 | auto',
    '1',
    'Serving processes (node:cluster): 1 is one process; N > 1 forks N workers that share the ports, each holding a replica of the store, while the primary process owns the transaction log; auto: one per available core. See docs/workers.md.',
  ),
  service(
    'scale-out',
    'KVS_PG_POLL_MS',
    'integer 10..600000',
    '1000',
    'KVS_REPLICAS=shared: how often a replica reads the table for records it was not notified of (LISTEN/NOTIFY is the fast path; this covers a missed notification).',
  ),
  // Scale-out staleness (issue 21): how old a shared replica's view may grow.
  {
    ...service(
      'scale-out',
      'KVS_MAX_STALENESS_MS',
      'integer 100..3600000, at least twice KVS_PG_POLL_MS',
      undefined,
      'KVS_REPLICAS=shared: a replica that has not confirmed for this long that it holds the head of the table (a read of the table finding nothing newer, or its own write committing) is stale: /readyz 503 "stale", gRPC health NOT_SERVING, and min_revision / linearizable reads it cannot satisfy at once answer REPLICA_BEHIND; it recovers by itself at the next confirmation. See docs/scale-out.md.',
    ),
    defaultText: '5000, or twice KVS_PG_POLL_MS when that is more',
  },
  service(
    'limits',
    'KVS_MAX_IN_FLIGHT',
    'integer 0..10000000',
    '0',
    'Requests in flight above which new ones are shed with OVERLOADED; 0: no bound.',
  ),
  service(
    'limits',
    'KVS_MAX_EVENT_LOOP_LAG_MS',
    'integer 0..60000',
    '0',
    'Event-loop delay (p99, ms) above which new requests are shed; 0: no bound.',
  ),
  service('limits', 'KVS_RATE_LIMIT', 'N/s, N/m or N/h', undefined, 'Requests each caller may make; unset: no limit.'),
  {
    ...service('limits', 'KVS_RATE_BURST', 'integer 1..1000000', undefined, 'Requests a caller may make at once.'),
    defaultText: 'the N of KVS_RATE_LIMIT',
  },
  // Scale-out (issue 21): rate limits shared by the replicas of one PostgreSQL log.
  service(
    'scale-out',
    'KVS_RATE_LIMIT_STORE',
    'memory | postgres',
    'memory',
    'Where KVS_RATE_LIMIT counts: memory (each process its own), or postgres (TLOG_TYPE=postgres only: one count per caller shared by every replica, in the table <TLOG_DB_TABLE>_rate_limits; docs/scale-out.md).',
  ),
  service('log', 'TLOG_TYPE', 'file | postgres', 'file', 'The transaction log.'),
  service('log', 'TLOG_FILENAME', 'path', './data/transactions.log', 'The file log: its file.'),
  service('log', 'TLOG_SYNC', 'always | interval | never', 'always', 'The file log: when writes are fsynced.'),
  service(
    'log',
    'KVS_COMPACT_MIN_BYTES',
    'integer 0..2^40',
    '67108864',
    'History size below which the log never compacts by itself.',
  ),
  {
    ...service(
      'log',
      'KVS_COMPACT_RATIO',
      'number 1..1000',
      undefined,
      'The log compacts once its history exceeds this many times the live data (and the minimum).',
    ),
    defaultText: '2',
  },
  service(
    'log',
    'TLOG_DB_HOST',
    'host',
    undefined,
    'The PostgreSQL log: server host (required with TLOG_TYPE=postgres).',
  ),
  service('log', 'TLOG_DB_PORT', 'integer 1..65535', '5432', 'The PostgreSQL log: server port.'),
  service('log', 'TLOG_DB_DATABASE', 'name', undefined, 'The PostgreSQL log: database (required).'),
  service('log', 'TLOG_DB_USERNAME', 'name', undefined, 'The PostgreSQL log: user (required).'),
  service('log', 'TLOG_DB_PASSWORD', 'secret', undefined, 'The PostgreSQL log: password.'),
  service('log', 'TLOG_DB_TABLE', 'SQL identifier', 'transactions', 'The PostgreSQL log: table.'),
  service(
    'log',
    'TLOG_DB_SSLMODE',
    'disable | require | verify-ca | verify-full',
    'disable',
    'The PostgreSQL log: TLS to the server.',
  ),
  service(
    'log',
    'TLOG_DB_SSLROOTCERT',
    'path',
    undefined,
    'The PostgreSQL log: CA certificate for verify-ca / verify-full.',
  ),
  service(
    'log',
    'TLOG_DB_CONNECT_RETRIES',
    'integer 0..1000',
    '10',
    'The PostgreSQL log: connection attempts at start-up.',
  ),
  service(
    'log',
    'TLOG_DB_CONNECT_TIMEOUT_MS',
    'integer 100..600000',
    '5000',
    'The PostgreSQL log: timeout of one connection attempt.',
  ),
  service(
    'log',
    'TLOG_DB_STATEMENT_TIMEOUT_MS',
    'integer 100..3600000',
    '10000',
    'The PostgreSQL log: longest replay, compaction or settling statement (writes use TLOG_DB_WRITE_TIMEOUT_MS).',
  ),
  service(
    'log',
    'TLOG_DB_WRITE_TIMEOUT_MS',
    'integer 100..600000',
    '1000',
    'The PostgreSQL log: write deadline. Every write is answered within it: acknowledged, 503 only when it can no longer commit, else 504 OUTCOME_UNKNOWN.',
  ),
  service(
    'log',
    'TLOG_DB_PING_TIMEOUT_MS',
    'integer 50..60000',
    '500',
    'The PostgreSQL log: bound of the liveness ping (every second); no answer in time makes /readyz 503 until a ping succeeds.',
  ),
  service(
    'log',
    'TLOG_DB_MAX_PENDING_WRITES',
    'integer 1..1000000',
    '10000',
    'The PostgreSQL log: writes queued before LOG_OVERLOADED.',
  ),
  service('security', 'KVS_TLS_CERT_FILE', 'path', undefined, 'TLS on both frontends: certificate chain (PEM).'),
  service('security', 'KVS_TLS_KEY_FILE', 'path', undefined, 'TLS: private key (PEM).'),
  service('security', 'KVS_TLS_CLIENT_CA_FILE', 'path', undefined, 'Mutual TLS: CA client certificates must chain to.'),
  {
    ...service(
      'security',
      'JWT_KEY',
      'secret, at least 32 bytes',
      undefined,
      'HMAC secret verifying bearer tokens (the CLI signs with it).',
    ),
    readBy: 'both' as const,
  },
  service('security', 'KVS_JWT_PUBLIC_KEY_FILE', 'path', undefined, 'PEM or JWK public key verifying bearer tokens.'),
  {
    ...service('security', 'KVS_JWT_ISSUER', 'string', undefined, 'Required `iss` of tokens.'),
    readBy: 'both' as const,
  },
  {
    ...service('security', 'KVS_JWT_AUDIENCE', 'string', undefined, 'Required `aud` of tokens.'),
    readBy: 'both' as const,
  },
  service(
    'security',
    'KVS_AUTH_CLOCK_TOLERANCE_S',
    'integer 0..300',
    '30',
    'Seconds of clock skew tolerated on token `exp` and `nbf` (a token is accepted this long after it expires).',
  ),
  service('security', 'KVS_AUTH_PROTECT_METRICS', SWITCH, 'false', 'Whether /metrics needs a token with kvs:metrics.'),
  service('observability', 'KVS_METRICS', SWITCH, 'true', 'Prometheus metrics on GET /metrics.'),
  service('observability', 'KVS_REQUEST_LOG', SWITCH, 'false', 'A log line per request.'),
  service(
    'observability',
    'KVS_FLAGS_FILE',
    'path',
    undefined,
    'flagd file of the runtime flags (read-only, request-logging).',
  ),
  service('observability', 'KVS_TRACE_KEYS', SWITCH, 'false', 'Keys as span attributes (values never).'),
  service(
    'observability',
    'OTEL_TRACES_EXPORTER',
    'none | otlp | console',
    'none',
    'Tracing exporter; none: tracing off.',
  ),
  service(
    'observability',
    'OTEL_EXPORTER_OTLP_PROTOCOL',
    'http/protobuf | http/json | grpc',
    'http/protobuf',
    'OTLP transport.',
  ),
  service(
    'observability',
    'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
    'http/protobuf | http/json | grpc',
    'http/protobuf',
    'OTLP transport of traces.',
  ),
  cli('KVS_ADDRESS', 'host:port', 'localhost:50051', 'The gRPC server the CLI calls.'),
  cli('KVS_TOKEN', 'JWT', undefined, 'Bearer token the CLI sends.'),
  cli('KVS_CACERT', 'path', undefined, 'CA certificate the CLI trusts (turns TLS on).'),
  cli('KVS_CERT', 'path', undefined, 'Client certificate of the CLI (mutual TLS; needs KVS_KEY).'),
  cli('KVS_KEY', 'path', undefined, 'Private key of KVS_CERT.'),
];

function cli(name: string, type: string, defaultValue: string | undefined, doc: string): VariableDeclaration {
  return { name, type, default: defaultValue, doc, readBy: 'cli', area: 'cli' };
}

const BY_NAME = new Map(VARIABLES.map((variable) => [variable.name, variable]));

/** The declaration of a variable, or undefined when kvs does not know it. */
export function declarationOf(name: string): VariableDeclaration | undefined {
  return BY_NAME.get(name);
}
