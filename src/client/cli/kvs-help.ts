/** The gRPC port used when an address names only a host (the server's default KVS_GRPC_PORT). */
export const DEFAULT_GRPC_PORT = 50051;
/** The address used when neither --address nor KVS_ADDRESS is given. */
export const DEFAULT_ADDRESS = `localhost:${DEFAULT_GRPC_PORT}`;
/** The per-call deadline used when --timeout is not given. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** Lifetime of a minted token when --ttl is not given. */
export const DEFAULT_TOKEN_TTL = '1h';

/** Exit statuses of the kvs command, part of its documented interface (EXIT_STATUS_TABLE). */
export const EXIT = {
  ok: 0,
  notFound: 1,
  usage: 2,
  unavailable: 3,
  serverError: 4,
  refused: 5,
  preconditionFailed: 6,
} as const;

/** The one exit-status table: in every --help text and, word for word, in the README. */
export const EXIT_STATUS_TABLE = `Exit status:
  0  success
  1  not found: the key has no value
  2  usage error: a bad command line, option or input file
  3  unavailable: server unreachable, not answering within --timeout, or unable to take the
     write right now (LOG_UNAVAILABLE, OVERLOADED...); retrying later may succeed
  4  server error: any other error the server reports (invalid key, value too large...)
  5  refused by the server: read-only, not authenticated, permission denied, rate limited,
     quota exceeded
  6  precondition failed: a conditional write whose condition did not hold; nothing changed
`;

const CONDITION_HELP = `Preconditions (at most one; exit 6 and nothing changes when it does not hold):
  --if-revision R        only if the key's mod_revision is R (kvs get --meta shows it)
  --if-exists            only if the key is live
`;

const CONNECTION_HELP = `Connection options:
  --address HOST[:PORT]  gRPC server (default: $KVS_ADDRESS, else ${DEFAULT_ADDRESS});
                         the port defaults to ${DEFAULT_GRPC_PORT}
  --timeout MS           deadline of the call in milliseconds (default: ${DEFAULT_TIMEOUT_MS})
  --token JWT            send this bearer token (default: $KVS_TOKEN)
  --tls                  use TLS, trusting the system's CAs (implied by --cacert and --cert)
  --cacert FILE          use TLS, trusting this CA certificate (default: $KVS_CACERT)
  --cert FILE            client certificate for mutual TLS (default: $KVS_CERT); needs --key
  --key FILE             private key of --cert (default: $KVS_KEY)
`;

const COMMON_HELP = `Common options:
  --json                 print results (and errors, on stderr) as one JSON object
  -h, --help             show help (kvs COMMAND --help, or kvs help COMMAND, for one command)
  --version              print the version of kvs
`;

/** One line per command, for the overview. */
const SUMMARIES = {
  get: 'get KEY          print the value of KEY (--meta: with its revisions)',
  put: 'put KEY VALUE    store VALUE under KEY ("-" reads it from standard input)',
  delete: 'delete KEY       remove KEY (succeeds when KEY is absent)',
  ls: 'ls               list the keys under --prefix, with their values',
  txn: 'txn [FILE]       run the JSON transaction in FILE (or standard input)',
  watch: 'watch            print the changes under --prefix as they happen, until interrupted',
  compact: "compact          compact the server's transaction log now (needs kvs:admin)",
  snapshot: 'snapshot ACTION  save|status|restore FILE: back up the store, check or restore a backup',
  token: 'token --scope S  print a token signed with $JWT_KEY',
  help: 'help [COMMAND]   show help for all commands or for one',
} as const;

/** The commands, as named on the command line. */
export type CommandName = keyof typeof SUMMARIES;

/** The per-command help: usage line, what it does and prints, and its options. */
const COMMAND_HELP: Record<CommandName, string> = {
  get: `Usage: kvs [OPTIONS] get KEY

Prints the value of KEY, raw (a newline is added only on a terminal).
With --meta: "create_revision N", "mod_revision N", "version N" and "revision N" lines (the
last: the store revision it was read at), "expires_at T" and "ttl_remaining D" for a key with
a deadline, "lease ID" for a key attached to a lease, then "value VALUE".
With --json: {"key": KEY, "value": VALUE} (--meta adds "create_revision", "mod_revision",
"version", "revision", and "expires_at_ms", "ttl_remaining_ms", "lease" when they apply).
Exits 1 when KEY has no value.

Options:
  --meta                 print the key's revisions too

${CONNECTION_HELP}`,
  put: `Usage: kvs [OPTIONS] put KEY VALUE      (options include --ttl DURATION)
       kvs [OPTIONS] put KEY -        (the value from standard input, byte for byte)

Stores VALUE under KEY once the server's log has it durably. Prints "revision N", the
write's revision (the key's new mod_revision), when the server reports it, else nothing.
With --json: {"key": KEY} (and "revision" when the server reports one).
Put "--" before a KEY or VALUE that starts with "-".

${CONDITION_HELP}  --if-absent            only if the key is absent (create)
  --ttl DURATION         the key expires this long after the write: 500ms, 30s, 10m, 2h (a bare
                         number is seconds; at most the server's KVS_MAX_TTL). Without --ttl a
                         put clears any TTL the key had.

${CONNECTION_HELP}`,
  delete: `Usage: kvs [OPTIONS] delete KEY

Removes KEY; succeeds when it is already absent (unless --if-exists). Prints nothing
(with --json: {"key": KEY, "deleted": true|false} and "revision" when the server reports it).

${CONDITION_HELP}
${CONNECTION_HELP}`,
  ls: `Usage: kvs [OPTIONS] ls [--prefix P] [--keys-only]

Lists every key starting with P (default: every key the token may read) in UTF-8 byte
order, one "KEY VALUE" line each ("KEY" with --keys-only), paging through the server's
Range 100 keys at a time (each page is read at its own revision).
With --json: {"items": [{"key", "value", "create_revision", "mod_revision", "version"}...]}.

Options:
  --prefix P             the keys to list (one prefix)
  --keys-only            leave the values out

${CONNECTION_HELP}`,
  txn: `Usage: kvs [OPTIONS] txn [FILE]

Runs the transaction in FILE ("-" or none: standard input), JSON as REST's POST /v1/txn:
  {"compare": [{"key": K, "target": "mod_revision" | "create_revision" | "version" |
                "value" | "exists", "op": "==" | "!=" | "<" | ">", "value": OPERAND}],
   "success": [OP...], "failure": [OP...]}
with OP one of {"put": {"key": K, "value": V}}, {"delete": {"key": K}}, {"get": {"key": K}}
(at most 128 per branch). If every compare holds the success ops run, else the failure ops;
all writes get one revision. Prints "succeeded, revision N" (or "failed, revision N"), then one
line per op: "put KEY", "delete KEY deleted|absent", "get KEY VALUE" or "get KEY absent".
With --json: {"succeeded", "revision", "results": [{"put": {"revision"}} |
{"delete": {"deleted"}} | {"get": ENTRY or null}]}.
Exits 6 when the compares did not hold (the failure ops ran instead), 2 for a malformed file.

${CONNECTION_HELP}`,
  watch: `Usage: kvs [OPTIONS] watch [--prefix P] [--since R]

Prints one line per change to a key starting with P (default: every key) from revision R
(default: the changes after now) until interrupted: "R PUT KEY VALUE" or "R DELETE KEY".
Reconnects by itself after a dropped connection, a server restart or being dropped as too
slow, from the revision after the last one printed, so it misses and repeats nothing; stops
(exit 4) when the server no longer has the revisions it needs (REVISION_COMPACTED). Each
connection's start is said on standard error: "kvs: watching from revision R".
With --json: one object per line {"revision", "type", "key", "value", "create_revision",
"mod_revision", "version"}. --timeout does not apply: a watch lasts until it is ended.

Options:
  --prefix P             the keys to watch (one prefix)
  --since R              the first revision to print

${CONNECTION_HELP}`,
  compact: `Usage: kvs [OPTIONS] compact

Compacts the server's transaction log now and prints what it did. An operator command: needs
a token with scope kvs:admin when authentication is on.
With --json: {"bytesBefore", "bytesAfter", "liveBytes", "durationMs"}.

${CONNECTION_HELP}`,
  snapshot: `Usage: kvs [OPTIONS] snapshot save FILE
       kvs snapshot status FILE
       kvs snapshot restore [--force] FILE

save: writes a consistent snapshot of the server's store (every key with its value, revisions
and deadline, at one revision) to FILE: to a temp name beside it, verified, fsynced, then
renamed, so FILE is complete or untouched. Needs scope kvs:admin. Prints "saved snapshot at
revision R: K keys, B bytes to FILE". --timeout does not apply: it takes as long as the store
is big.
status: verifies every checksum of FILE and prints "snapshot FILE: revision R, K keys,
B bytes, taken T, sha256 H"; exits 2 naming the byte where FILE is damaged.
restore: offline (stop the service first). Writes a new transaction log holding exactly the
snapshot, for the log the service's variables configure (TLOG_TYPE, TLOG_FILENAME, TLOG_DB_*),
after verifying every checksum of FILE: a damaged FILE restores nothing. Refuses a log that
already holds data unless --force. The service then starts at the snapshot's revision.
With --json: the same fields as one object. See docs/snapshots.md.

Options:
  --force                restore: replace a log that already holds data

${CONNECTION_HELP}`,
  token: `Usage: kvs token --scope "kvs:read kvs:write" [--prefix P]... [--ttl 1h] [--subject S]

Prints an HS256 token signed with $JWT_KEY (the server's secret, at least 32 bytes), with
$KVS_JWT_ISSUER and $KVS_JWT_AUDIENCE as its issuer and audience when set.
With --json: {"token": TOKEN}.

Options:
  --scope "S1 S2"        the scopes: kvs:read, kvs:write, kvs:admin, kvs:metrics
  --prefix P             only keys starting with P (repeat for several prefixes)
  --ttl DURATION         lifetime, e.g. 90s, 15m, 1h, 7d (default: ${DEFAULT_TOKEN_TTL})
  --subject NAME         the token's subject (sub): who the server's logs and rate limits see
`,
  help: `Usage: kvs help [COMMAND]

Shows the overview, or the help of one command (same as kvs COMMAND --help).
`,
};

/** `kvs --help`: every command, the options, the exit statuses. */
export const USAGE = `Usage: kvs [OPTIONS] COMMAND [ARGS]

A command-line client of the kvs gRPC API.

Commands:
${Object.values(SUMMARIES)
  .map((line) => `  ${line}`)
  .join('\n')}

${CONNECTION_HELP}
${COMMON_HELP}
${EXIT_STATUS_TABLE}`;

/** The help of one command, with the options every command takes and the exit statuses. */
export function commandHelp(command: CommandName): string {
  return `${COMMAND_HELP[command]}\n${COMMON_HELP}\n${EXIT_STATUS_TABLE}`;
}

/** Whether `name` is a command. */
export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(SUMMARIES, name);
}

/** The command names, in overview order. */
export const COMMAND_NAMES = Object.keys(SUMMARIES) as CommandName[];
