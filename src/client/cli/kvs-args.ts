import { parseArgs } from 'node:util';

/** The address used when neither --address nor KVS_ADDRESS is given. */
export const DEFAULT_ADDRESS = 'localhost:50051';
/** The per-call deadline used when --timeout is not given. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Lifetime of a minted token when --ttl is not given. */
export const DEFAULT_TOKEN_TTL = '1h';
/** HMAC secrets shorter than this are refused by the server, so the CLI refuses to mint with them. */
const MIN_SECRET_BYTES = 32;

/** Exit statuses of the kvs command, part of its documented interface. */
export const EXIT = { ok: 0, notFound: 1, usage: 2, unavailable: 3, serverError: 4 } as const;

/** `--help` text; the exit statuses listed here are what scripts rely on. */
export const USAGE = `Usage: kvs [OPTIONS] COMMAND

Commands:
  get KEY          print the value of KEY (raw; a newline is added only on a terminal)
  put KEY VALUE    store VALUE under KEY; VALUE "-" reads the value from standard input
  delete KEY       remove KEY (succeeds when KEY is absent)
  compact          compact the server's transaction log now and print what it did
                   (an operator command: needs scope kvs:admin when authentication is on)
  watch [--prefix P] [--since R] [--json]
                   print one line per change under prefix P (default: every key) from revision R
                   (default: from now) until interrupted, reconnecting by itself: "R PUT KEY VALUE",
                   "R DELETE KEY", or one JSON object per line with --json
  token --scope "kvs:read kvs:write" [--prefix P]... [--ttl 1h] [--subject S]
                   print a token signed with $JWT_KEY (also uses $KVS_JWT_ISSUER, $KVS_JWT_AUDIENCE)

Options:
  --address HOST:PORT  gRPC server address (default: $KVS_ADDRESS, else ${DEFAULT_ADDRESS})
  --timeout MS         deadline of the call in milliseconds (default: ${DEFAULT_TIMEOUT_MS})
  --token JWT          send this bearer token (default: $KVS_TOKEN)
  --tls                use TLS, trusting the system's CAs (implied by --cacert and --cert)
  --cacert FILE        use TLS, trusting this CA certificate (default: $KVS_CACERT)
  --cert FILE          client certificate for mutual TLS (default: $KVS_CERT); needs --key
  --key FILE           private key of --cert (default: $KVS_KEY)
  -h, --help           show this help

Put "--" before a KEY or VALUE that starts with "-".

Exit status:
  0  success
  1  key not found (get)
  2  usage error
  3  server unavailable or unreachable, or no answer within the timeout
  4  any other error reported by the server (invalid key, value too large, not authorized...)
`;

/** How to reach the server. */
export interface Connection {
  readonly address: string;
  readonly timeoutMs: number;
  readonly token?: string;
  /** Present when TLS is used; the files are read by the CLI. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** What the command line asks for. */
export type Invocation =
  | { readonly command: 'help' }
  | ({ readonly command: 'compact' } & Connection)
  | ({ readonly command: 'get' | 'delete'; readonly key: string } & Connection)
  | ({
      readonly command: 'watch';
      readonly prefix: string;
      readonly since?: number;
      readonly json: boolean;
    } & Connection)
  | ({
      readonly command: 'put';
      readonly key: string;
      /** `undefined` means: read the value from standard input. */
      readonly value: string | undefined;
    } & Connection)
  | {
      readonly command: 'token';
      readonly secret: string;
      readonly scopes: readonly string[];
      readonly prefixes: readonly string[];
      readonly ttlSeconds: number;
      readonly subject?: string;
      readonly issuer?: string;
      readonly audience?: string;
    };

/** A command line that cannot be run; the CLI prints it with the usage hint and exits 2. */
export class UsageError extends Error {}

const ARITY = { get: 1, delete: 1, put: 2, token: 0, compact: 0, watch: 0 } as const;
type Env = Readonly<Record<string, string | undefined>>;

/** Parses the arguments after `kvs`; throws UsageError for anything malformed. */
export function parseKvsArgs(args: readonly string[], env: Env): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        address: { type: 'string' },
        timeout: { type: 'string' },
        token: { type: 'string' },
        tls: { type: 'boolean' },
        cacert: { type: 'string' },
        cert: { type: 'string' },
        key: { type: 'string' },
        scope: { type: 'string' },
        prefix: { type: 'string', multiple: true },
        ttl: { type: 'string' },
        subject: { type: 'string' },
        since: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };

  const [command, ...operands] = positionals;
  if (command === undefined) throw new UsageError('missing command (get, put, delete, watch, compact or token)');
  if (!Object.hasOwn(ARITY, command)) {
    throw new UsageError(`unknown command "${command}" (expected get, put, delete, watch, compact or token)`);
  }
  const name = command as keyof typeof ARITY;
  if (operands.length !== ARITY[name]) {
    const expected = {
      put: 'KEY and VALUE',
      token: 'no operands',
      compact: 'no operands',
      watch: 'no operands (use --prefix)',
      get: 'exactly one KEY',
      delete: 'exactly one KEY',
    };
    throw new UsageError(`${name} takes ${expected[name]}`);
  }
  if (name === 'token') return parseToken(values, env);

  const connection = parseConnection(values, env);
  if (name === 'compact') return { command: name, ...connection };
  if (name === 'watch') return { command: name, ...parseWatch(values), ...connection };
  const [key, value] = operands;
  if (name === 'put') return { command: name, key, value: value === '-' ? undefined : value, ...connection };
  return { command: name, key, ...connection };
}

interface ParsedValues {
  address?: string;
  timeout?: string;
  token?: string;
  tls?: boolean;
  cacert?: string;
  cert?: string;
  key?: string;
  scope?: string;
  prefix?: string[];
  ttl?: string;
  subject?: string;
  since?: string;
  json?: boolean;
}

function parseWatch(values: ParsedValues): { prefix: string; since?: number; json: boolean } {
  const prefixes = values.prefix ?? [];
  if (prefixes.length > 1) throw new UsageError('watch takes one --prefix');
  let since: number | undefined;
  if (values.since !== undefined) {
    since = /^\d+$/.test(values.since) ? Number(values.since) : NaN;
    if (!Number.isSafeInteger(since) || since < 1) {
      throw new UsageError(`--since must be a revision, a whole number from 1 (got "${values.since}")`);
    }
  }
  return { prefix: prefixes[0] ?? '', since, json: values.json === true };
}

function parseConnection(values: ParsedValues, env: Env): Connection {
  const address = values.address ?? (env.KVS_ADDRESS || DEFAULT_ADDRESS);
  if (address.trim() === '') throw new UsageError('--address must not be empty');
  const token = values.token ?? (env.KVS_TOKEN || undefined);
  const caFile = values.cacert ?? (env.KVS_CACERT || undefined);
  const certFile = values.cert ?? (env.KVS_CERT || undefined);
  const keyFile = values.key ?? (env.KVS_KEY || undefined);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--cert and --key (or KVS_CERT and KVS_KEY) go together');
  }
  const useTls = values.tls === true || caFile !== undefined || certFile !== undefined;
  return {
    address,
    timeoutMs: parseTimeout(values.timeout),
    token,
    tls: useTls ? { caFile, certFile, keyFile } : undefined,
  };
}

function parseToken(values: ParsedValues, env: Env): Invocation {
  const secret = env.JWT_KEY;
  if (!secret) throw new UsageError('token needs the signing secret in JWT_KEY');
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw new UsageError(`JWT_KEY must be at least ${MIN_SECRET_BYTES} bytes (the server refuses shorter secrets)`);
  }
  const scopes = (values.scope ?? '').split(' ').filter((scope) => scope !== '');
  if (scopes.length === 0) throw new UsageError('token needs --scope, e.g. --scope "kvs:read kvs:write"');
  return {
    command: 'token',
    secret,
    scopes,
    prefixes: values.prefix ?? [],
    ttlSeconds: parseDuration(values.ttl ?? DEFAULT_TOKEN_TTL),
    subject: values.subject,
    issuer: env.KVS_JWT_ISSUER || undefined,
    audience: env.KVS_JWT_AUDIENCE || undefined,
  };
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90s", "15m", "1h", "7d" in seconds. */
function parseDuration(raw: string): number {
  const match = /^(\d+)([smhd])$/.exec(raw);
  const seconds = match === null ? NaN : Number(match[1]) * DURATION_UNITS[match[2]];
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new UsageError(`--ttl must be a duration such as 90s, 15m, 1h or 7d (got "${raw}")`);
  }
  return seconds;
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const timeoutMs = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError(`--timeout must be a whole number of milliseconds, at least 1 (got "${raw}")`);
  }
  return timeoutMs;
}
