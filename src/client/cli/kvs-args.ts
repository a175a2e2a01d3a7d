import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { closest, distance } from 'fastest-levenshtein';
import { DURATION_SYNTAX, parseDuration as parseTtl } from '../../api/duration';
import {
  COMMAND_NAMES,
  DEFAULT_ADDRESS,
  DEFAULT_GRPC_PORT,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TOKEN_TTL,
  isCommand,
  type CommandName,
} from './kvs-help';
import { SCOPES } from '../../api/scopes';

/** HMAC secrets shorter than this are refused by the server, so the CLI refuses to mint with them. */
const MIN_SECRET_BYTES = 32;
/** A suggestion further than this many edits away is noise rather than help. */
const MAX_SUGGESTION_DISTANCE = 3;

/** How to reach the server. */
export interface Connection {
  readonly address: string;
  readonly timeoutMs: number;
  readonly token?: string;
  /** Present when TLS is used; the files are read by the CLI. */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** What every invocation says about its output. */
interface Output {
  /** Print results (and errors) as JSON objects. */
  readonly json: boolean;
}

/** A write's precondition: --if-revision R (--if-absent is R = 0) or --if-exists. */
export interface WriteCondition {
  readonly ifRevision?: number;
  readonly ifExists?: boolean;
}

/** A command that talks to the server. */
export type ServerInvocation =
  | ({ readonly command: 'compact' } & Connection & Output)
  | ({ readonly command: 'watch'; readonly prefix: string; readonly since?: number } & Connection & Output)
  | ({ readonly command: 'ls'; readonly prefix: string; readonly keysOnly: boolean } & Connection & Output)
  | ({ readonly command: 'get'; readonly key: string; readonly meta: boolean } & Connection & Output)
  | ({ readonly command: 'delete'; readonly key: string; readonly condition: WriteCondition } & Connection & Output)
  | ({
      readonly command: 'put';
      readonly key: string;
      /** `undefined` means: read the value from standard input. */
      readonly value: string | undefined;
      readonly condition: WriteCondition;
      /** --ttl: the key expires this many ms after the write. */
      readonly ttlMs?: number;
    } & Connection &
      Output)
  | ({
      readonly command: 'txn';
      /** The file holding the JSON transaction; `undefined`: standard input. */
      readonly file: string | undefined;
    } & Connection &
      Output);

/** `kvs token`: mint a token locally. */
export interface TokenInvocation extends Output {
  readonly command: 'token';
  readonly secret: string;
  readonly scopes: readonly string[];
  readonly prefixes: readonly string[];
  readonly ttlSeconds: number;
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

/** What the command line asks for. */
export type Invocation =
  | ({ readonly command: 'help'; readonly topic?: CommandName } & Output)
  | ({ readonly command: 'version' } & Output)
  | TokenInvocation
  | ServerInvocation;

/** A command line that cannot be run; the CLI prints it with a usage hint and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help the hint points to, when known. */
    readonly command?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

const OPTIONS = {
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
  'keys-only': { type: 'boolean' },
  meta: { type: 'boolean' },
  'if-revision': { type: 'string' },
  'if-absent': { type: 'boolean' },
  'if-exists': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;
type OptionName = keyof typeof OPTIONS;

const CONNECTION_OPTIONS: readonly OptionName[] = ['address', 'timeout', 'token', 'tls', 'cacert', 'cert', 'key'];
/** The operands and the options of each command (--json, --help and --version go with any). */
/** `[NAME]` operands are optional. */
const COMMANDS: Record<CommandName, { readonly operands: string; readonly options: readonly OptionName[] }> = {
  get: { operands: 'KEY', options: [...CONNECTION_OPTIONS, 'meta'] },
  put: { operands: 'KEY VALUE', options: [...CONNECTION_OPTIONS, 'if-revision', 'if-absent', 'if-exists', 'ttl'] },
  delete: { operands: 'KEY', options: [...CONNECTION_OPTIONS, 'if-revision', 'if-exists'] },
  ls: { operands: '', options: [...CONNECTION_OPTIONS, 'prefix', 'keys-only'] },
  txn: { operands: '[FILE]', options: CONNECTION_OPTIONS },
  compact: { operands: '', options: CONNECTION_OPTIONS },
  watch: { operands: '', options: [...CONNECTION_OPTIONS, 'prefix', 'since'] },
  token: { operands: '', options: ['scope', 'prefix', 'ttl', 'subject'] },
  help: { operands: '[COMMAND]', options: [] },
};
const COMMON_OPTIONS: readonly OptionName[] = ['json', 'help', 'version'];

type Env = Readonly<Record<string, string | undefined>>;
type Values = Partial<Record<OptionName, string | boolean | string[]>>;

/** Parses the arguments after `kvs`; throws UsageError for anything malformed. */
export function parseKvsArgs(args: readonly string[], env: Env): Invocation {
  const { values, positionals } = parseOptions(args);
  const json = values.json === true;
  const [first, ...operands] = positionals;
  if (values.version) return { command: 'version', json };
  if (values.help) return { command: 'help', topic: first !== undefined && isCommand(first) ? first : undefined, json };
  if (first === undefined) {
    throw new UsageError('missing command (get, put, delete, ls, txn, watch, compact, token or help)');
  }
  if (!isCommand(first)) {
    throw new UsageError(`unknown command "${first}"${didYouMean(first, COMMAND_NAMES)}`);
  }
  const command = first;
  const { operands: expected, options } = COMMANDS[command];
  for (const name of Object.keys(values) as OptionName[]) {
    if (options.includes(name) || COMMON_OPTIONS.includes(name)) continue;
    const owner = COMMAND_NAMES.filter((other) => COMMANDS[other].options.includes(name));
    throw new UsageError(`--${name} is not an option of ${command} (it goes with ${owner.join(', ')})`, command);
  }
  if (command === 'help') {
    if (operands.length > 1 || (operands.length === 1 && !isCommand(operands[0]))) {
      throw new UsageError(`help takes one command name (${COMMAND_NAMES.join(', ')})`, 'help');
    }
    return { command, topic: operands[0] as CommandName | undefined, json };
  }
  const names = expected === '' ? [] : expected.split(' ');
  const required = names.filter((name) => !name.startsWith('[')).length;
  if (operands.length < required || operands.length > names.length) {
    throw new UsageError(`${command} takes ${names.length === 0 ? 'no operands' : expected}`, command);
  }
  if (command === 'token') return parseToken(values, env, json);
  const connection = parseConnection(values, env, command);
  if (command === 'compact') return { command, ...connection, json };
  if (command === 'watch') return { command, ...parseWatch(values, command), ...connection, json };
  if (command === 'ls') {
    return { command, prefix: onePrefix(values, command), keysOnly: values['keys-only'] === true, ...connection, json };
  }
  const [key, value] = operands;
  if (command === 'txn') return { command, file: key === '-' ? undefined : key, ...connection, json };
  if (command === 'get') return { command, key, meta: values.meta === true, ...connection, json };
  const condition = parseCondition(values, command);
  if (command === 'put') {
    const ttlMs = values.ttl === undefined ? undefined : parsePutTtl(values.ttl as string);
    const ttl = ttlMs === undefined ? {} : { ttlMs };
    return { command, key, value: value === '-' ? undefined : value, condition, ...ttl, ...connection, json };
  }
  return { command, key, condition, ...connection, json };
}

/** The one --prefix of ls and watch ("" when not given: every key). */
function onePrefix(values: Values, command: CommandName): string {
  const prefixes = (values.prefix as string[] | undefined) ?? [];
  if (prefixes.length > 1) throw new UsageError(`${command} takes one --prefix`, command);
  return prefixes[0] ?? '';
}

/** --if-revision R, --if-absent (R = 0) or --if-exists: at most one of them. */
function parseCondition(values: Values, command: CommandName): WriteCondition {
  const raw = values['if-revision'] as string | undefined;
  const given = [raw !== undefined, values['if-absent'] === true, values['if-exists'] === true].filter(Boolean);
  if (given.length > 1) throw new UsageError('name one of --if-revision, --if-absent and --if-exists', command);
  if (values['if-absent'] === true) return { ifRevision: 0 };
  if (values['if-exists'] === true) return { ifExists: true };
  if (raw === undefined) return {};
  const revision = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(revision)) {
    throw new UsageError(`--if-revision must be a mod_revision, a whole number (got "${raw}")`, command);
  }
  return { ifRevision: revision };
}

/** The prefix and start revision of `kvs watch`. */
function parseWatch(values: Values, command: CommandName): { prefix: string; since?: number } {
  const prefix = onePrefix(values, command);
  const raw = values.since as string | undefined;
  if (raw === undefined) return { prefix };
  const since = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(since) || since < 1) {
    throw new UsageError(`--since must be a revision, a whole number from 1 (got "${raw}")`, command);
  }
  return { prefix, since };
}

/** node:util's strict parse, with a "did you mean" for a mistyped option. */
function parseOptions(args: readonly string[]): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: [...args], allowPositionals: true, options: OPTIONS });
  } catch (error) {
    const unknown = /^Unknown option '([^']+)'/.exec((error as Error).message)?.[1];
    if (unknown !== undefined) {
      const known = Object.keys(OPTIONS).map((name) => `--${name}`);
      throw new UsageError(`unknown option ${unknown}${didYouMean(unknown.split('=')[0], known)}`);
    }
    // node:util's own text, e.g. "Option '--address <value>' argument missing".
    throw new UsageError((error as Error).message);
  }
}

/** "; did you mean --address?" when a known name is a few edits away, else ''. */
function didYouMean(typed: string, known: readonly string[]): string {
  const nearest = closest(typed, [...known]);
  return distance(typed, nearest) <= MAX_SUGGESTION_DISTANCE ? `; did you mean ${nearest}?` : '';
}

/** A gRPC target with a scheme (`dns:///host:port`, `unix:/path`), which grpc-js resolves itself. */
function hasScheme(address: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(address) || address.startsWith('unix:');
}

/**
 * `host` → `host:50051`, `[::1]` or `::1` → `[::1]:50051`: an address without a port means the
 * gRPC default, not grpc-js's 443. Targets with a scheme are left alone.
 */
export function withDefaultPort(address: string): string {
  if (hasScheme(address)) return address;
  if (isIP(address) === 6) return `[${address}]:${DEFAULT_GRPC_PORT}`;
  if (/^\[[^\]]*\]$/.test(address) || !address.includes(':')) return `${address}:${DEFAULT_GRPC_PORT}`;
  return address;
}

/** The address to dial: the default port added, a port that is not a number refused. */
function dialAddress(raw: string, command: CommandName): string {
  if (raw.trim() === '') throw new UsageError('--address must not be empty', command);
  const address = withDefaultPort(raw);
  if (!hasScheme(address) && !/:\d{1,5}$/.test(address)) {
    throw new UsageError(`--address "${raw}": the port must be a number, e.g. localhost:${DEFAULT_GRPC_PORT}`, command);
  }
  return address;
}

function parseConnection(values: Values, env: Env, command: CommandName): Connection {
  const address = dialAddress((values.address as string | undefined) ?? (env.KVS_ADDRESS || DEFAULT_ADDRESS), command);
  const option = (name: 'token' | 'cacert' | 'cert' | 'key', fallback: string | undefined): string | undefined =>
    (values[name] as string | undefined) ?? (fallback || undefined);
  const caFile = option('cacert', env.KVS_CACERT);
  const certFile = option('cert', env.KVS_CERT);
  const keyFile = option('key', env.KVS_KEY);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new UsageError('--cert and --key (or KVS_CERT and KVS_KEY) go together', command);
  }
  const useTls = values.tls === true || caFile !== undefined || certFile !== undefined;
  return {
    address,
    timeoutMs: parseTimeout(values.timeout as string | undefined, command),
    token: option('token', env.KVS_TOKEN),
    tls: useTls ? { caFile, certFile, keyFile } : undefined,
  };
}

function parseToken(values: Values, env: Env, json: boolean): TokenInvocation {
  const secret = env.JWT_KEY;
  if (!secret) throw new UsageError('token needs the signing secret in JWT_KEY', 'token');
  if (new TextEncoder().encode(secret).length < MIN_SECRET_BYTES) {
    throw new UsageError(
      `JWT_KEY must be at least ${MIN_SECRET_BYTES} bytes (the server refuses shorter secrets)`,
      'token',
    );
  }
  const scopes = ((values.scope as string | undefined) ?? '').split(' ').filter((scope) => scope !== '');
  if (scopes.length === 0) throw new UsageError('token needs --scope, e.g. --scope "kvs:read kvs:write"', 'token');
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (unknown.length > 0) {
    throw new UsageError(`unknown scope ${unknown.join(', ')} in --scope: accepted are ${SCOPES.join(', ')}`, 'token');
  }
  return {
    command: 'token',
    secret,
    scopes,
    prefixes: (values.prefix as string[] | undefined) ?? [],
    ttlSeconds: parseDuration((values.ttl as string | undefined) ?? DEFAULT_TOKEN_TTL),
    subject: values.subject as string | undefined,
    issuer: env.KVS_JWT_ISSUER || undefined,
    audience: env.KVS_JWT_AUDIENCE || undefined,
    json,
  };
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90s", "15m", "1h", "7d" in seconds. */
function parseDuration(raw: string): number {
  const match = /^(\d+)([smhd])$/.exec(raw);
  const seconds = match === null ? NaN : Number(match[1]) * DURATION_UNITS[match[2]];
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new UsageError(`--ttl must be a duration such as 90s, 15m, 1h or 7d (got "${raw}")`, 'token');
  }
  return seconds;
}

/** `kvs put --ttl`: a TTL as the service reads it (`30s`, `500ms`, `2h`; bare: seconds), in ms. */
function parsePutTtl(raw: string): number {
  const ms = parseTtl(raw);
  if (ms === undefined) throw new UsageError(`--ttl must be ${DURATION_SYNTAX} (got "${raw}")`, 'put');
  return ms;
}

function parseTimeout(raw: string | undefined, command: CommandName): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const timeoutMs = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError(`--timeout must be a whole number of milliseconds, at least 1 (got "${raw}")`, command);
  }
  return timeoutMs;
}
