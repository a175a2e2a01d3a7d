import { parseArgs } from 'node:util';

/** The address used when neither --address nor KVS_ADDRESS is given. */
export const DEFAULT_ADDRESS = 'localhost:50051';
/** The per-call deadline used when --timeout is not given. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Exit statuses of the kvs command, part of its documented interface. */
export const EXIT = { ok: 0, notFound: 1, usage: 2, unavailable: 3, serverError: 4 } as const;

/** `--help` text; the exit statuses listed here are what scripts rely on. */
export const USAGE = `Usage: kvs [--address HOST:PORT] [--timeout MS] COMMAND

Commands:
  get KEY          print the value of KEY (raw; a newline is added only on a terminal)
  put KEY VALUE    store VALUE under KEY; VALUE "-" reads the value from standard input
  delete KEY       remove KEY (succeeds when KEY is absent)
  compact          compact the server's transaction log now and print what it did
                   (an operator command: needs scope kvs:admin when authentication is on)

Options:
  --address HOST:PORT  gRPC server address (default: $KVS_ADDRESS, else ${DEFAULT_ADDRESS})
  --timeout MS         deadline of the call in milliseconds (default: ${DEFAULT_TIMEOUT_MS})
  -h, --help           show this help

Put "--" before a KEY or VALUE that starts with "-".

Exit status:
  0  success
  1  key not found (get)
  2  usage error
  3  server unavailable or unreachable, or no answer within the timeout
  4  any other error reported by the server (invalid key, value too large...)
`;

/** What the command line asks for. */
export type Invocation =
  | { readonly command: 'help' }
  | { readonly command: 'compact'; readonly address: string; readonly timeoutMs: number }
  | {
      readonly command: 'get' | 'delete';
      readonly key: string;
      readonly address: string;
      readonly timeoutMs: number;
    }
  | {
      readonly command: 'put';
      readonly key: string;
      /** `undefined` means: read the value from standard input. */
      readonly value: string | undefined;
      readonly address: string;
      readonly timeoutMs: number;
    };

/** A command line that cannot be run; the CLI prints it with the usage hint and exits 2. */
export class UsageError extends Error {}

const ARITY = { get: 1, delete: 1, put: 2, compact: 0 } as const;

/** Parses the arguments after `kvs`; throws UsageError for anything malformed. */
export function parseKvsArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>>): Invocation {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        address: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };

  const [command, ...operands] = positionals;
  if (command === undefined) throw new UsageError('missing command (get, put, delete or compact)');
  if (!Object.hasOwn(ARITY, command)) {
    throw new UsageError(`unknown command "${command}" (expected get, put, delete or compact)`);
  }
  const name = command as keyof typeof ARITY;
  if (operands.length !== ARITY[name]) {
    const wanted = { put: 'KEY and VALUE', compact: 'no arguments' }[name as string] ?? 'exactly one KEY';
    throw new UsageError(`${name} takes ${wanted}`);
  }

  const address = values.address ?? (env.KVS_ADDRESS || DEFAULT_ADDRESS);
  if (address.trim() === '') throw new UsageError('--address must not be empty');
  const timeoutMs = parseTimeout(values.timeout);
  if (name === 'compact') return { command: name, address, timeoutMs };
  const [key, value] = operands;
  if (name === 'put') return { command: name, key, value: value === '-' ? undefined : value, address, timeoutMs };
  return { command: name, key, address, timeoutMs };
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const timeoutMs = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new UsageError(`--timeout must be a whole number of milliseconds, at least 1 (got "${raw}")`);
  }
  return timeoutMs;
}
