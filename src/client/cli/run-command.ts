import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import type { KvsErrorCode } from '../../api/error-codes';
import { KvsClient, KvsClientError, type KvsConnectionOptions, type KvsEntry } from '../kvs-client';
import { mintToken } from '../token';
import { diagnoseConnection } from './connection-diagnosis';
import { runWatch } from './kvs-watch';
import { EXIT } from './kvs-help';
import type { Connection, ServerInvocation, SnapshotFileInvocation, TokenInvocation } from './kvs-args';
import { restoreSnapshot, saveSnapshot, snapshotStatus } from './kvs-snapshot';
import type { CliIo } from './kvs';
import { txnOutput, txnRequestOfJson } from './txn-json';
import type { TxnRequest } from '../../api/generated/TxnRequest';

/** What a command printed and how it ended: a result on stdout, or an error on stderr with its exit status. */
export type Outcome =
  | {
      /** ok, or preconditionFailed for a transaction whose compares did not hold (its result is printed). */
      readonly exit: typeof EXIT.ok | typeof EXIT.preconditionFailed;
      readonly text: string;
      readonly json: Record<string, unknown>;
    }
  | { readonly exit: number; readonly error: Record<string, unknown> & { readonly message: string } };

/** Refusals that retrying cannot fix until something changes on the server's side: exit 5. */
const REFUSALS: ReadonlySet<KvsErrorCode> = new Set<KvsErrorCode>([
  'READ_ONLY',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
]);

/** The documented exit status of a failed call (see EXIT_STATUS_TABLE): the kvs code first, then the gRPC status. */
export function exitStatusOf(error: Pick<KvsClientError, 'status' | 'code'>): number {
  if (error.code !== undefined && REFUSALS.has(error.code)) return EXIT.refused;
  if (error.code === 'PRECONDITION_FAILED' || error.status === status.FAILED_PRECONDITION) {
    return EXIT.preconditionFailed;
  }
  if (error.code === 'OUTCOME_UNKNOWN') return EXIT.unavailable;
  switch (error.status) {
    case status.NOT_FOUND:
      return EXIT.notFound;
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return EXIT.unavailable;
    case status.UNAUTHENTICATED:
    case status.PERMISSION_DENIED:
      return EXIT.refused;
    default:
      return EXIT.serverError;
  }
}

/** Mints a token locally. */
export async function runToken(invocation: TokenInvocation, io: CliIo): Promise<number> {
  const token = await mintToken(invocation);
  return report({ exit: EXIT.ok, text: `${token}\n`, json: { token } }, invocation.json, io);
}

/** Runs `kvs snapshot status` or `restore`, which work offline on a file. */
export async function runSnapshotFileCommand(invocation: SnapshotFileInvocation, io: CliIo): Promise<number> {
  if (invocation.action === 'restore') return restoreSnapshot(invocation, io);
  return report(snapshotStatus(invocation.file), invocation.json, io);
}

/** Runs one command against the server and prints its outcome. */
export async function runServerCommand(invocation: ServerInvocation, io: CliIo): Promise<number> {
  const usage = (message: string): number => report({ exit: EXIT.usage, error: { message } }, invocation.json, io);
  let connection: KvsConnectionOptions;
  try {
    connection = connectionOptions(invocation);
  } catch (error) {
    return usage((error as Error).message);
  }
  let value = '';
  if (invocation.command === 'put') {
    try {
      value = invocation.value ?? (await readUtf8(io.stdin));
    } catch (error) {
      return usage(`cannot read the value from standard input: ${(error as Error).message}`);
    }
  }
  let txn: TxnRequest | undefined;
  if (invocation.command === 'txn') {
    const from = invocation.file === undefined ? 'standard input' : `file ${invocation.file}`;
    let text: string;
    try {
      text = invocation.file === undefined ? await readUtf8(io.stdin) : readFileSync(invocation.file, 'utf8');
    } catch (error) {
      return usage(`cannot read the transaction from ${from}: ${(error as Error).message}`);
    }
    try {
      txn = txnRequestOfJson(text);
    } catch (error) {
      return usage(`${from}: ${(error as Error).message}`);
    }
  }
  const client = new KvsClient(invocation.address, { timeoutMs: invocation.timeoutMs }, connection);
  try {
    if (invocation.command === 'watch') {
      // Prints as it goes and ends only when interrupted: no result object at the end.
      await runWatch(client, invocation, io.stdout, io.stderr, io.signal);
      return EXIT.ok;
    }
    if (invocation.command === 'txn') return report(await runTxn(client, txn!), invocation.json, io);
    return report(await call(client, invocation, value, io), invocation.json, io);
  } catch (error) {
    if (!(error instanceof KvsClientError)) throw error;
    return report(await failure(error, invocation), invocation.json, io);
  } finally {
    client.close();
  }
}

async function call(
  client: KvsClient,
  invocation: Exclude<ServerInvocation, { command: 'watch' | 'txn' }>,
  value: string,
  io: CliIo,
): Promise<Outcome> {
  switch (invocation.command) {
    case 'get': {
      if (invocation.meta) return getWithMeta(client, invocation.key);
      const found = await client.get(invocation.key);
      const text = io.stdout.isTTY ? `${found}\n` : found;
      return { exit: EXIT.ok, text, json: { key: invocation.key, value: found } };
    }
    case 'put': {
      const { revision } = await client.put(invocation.key, value, {
        ...invocation.condition,
        ttlMs: invocation.ttlMs,
      });
      const text = revision === undefined ? '' : `revision ${revision}\n`;
      return { exit: EXIT.ok, text, json: { key: invocation.key, ...(revision === undefined ? {} : { revision }) } };
    }
    case 'delete': {
      const { revision, deleted } = await client.delete(invocation.key, invocation.condition);
      const json = { key: invocation.key, deleted, ...(revision === undefined ? {} : { revision }) };
      return { exit: EXIT.ok, text: '', json };
    }
    case 'ls':
      return list(client, invocation.prefix, invocation.keysOnly);
    case 'compact': {
      const done = await client.compact();
      const text = `compacted ${done.bytesBefore} bytes of log to ${done.bytesAfter} (live data ${done.liveBytes} bytes) in ${done.durationMs} ms\n`;
      return { exit: EXIT.ok, text, json: { ...done } };
    }
    case 'snapshot':
      return saveSnapshot(client, invocation.file);
  }
}

/** `get --meta`: the key's revisions, its deadline and the time it has left (when it has one), its lease (when attached to one), then its value. */
async function getWithMeta(client: KvsClient, key: string): Promise<Outcome> {
  const read = await client.getEntry(key);
  const ttl = ttlOf(read);
  const expiry = ttl === undefined ? '' : `expires_at ${ttl.at}\nttl_remaining ${ttl.remaining}\n`;
  const lease = read.lease === undefined ? '' : `lease ${read.lease}\n`;
  const text =
    `create_revision ${read.createRevision}\nmod_revision ${read.modRevision}\nversion ${read.version}\n` +
    `revision ${read.revision}\n${expiry}${lease}value ${read.value}\n`;
  const json = {
    key,
    value: read.value,
    create_revision: read.createRevision,
    mod_revision: read.modRevision,
    version: read.version,
    revision: read.revision,
    ...ttl?.json,
    ...(read.lease === undefined ? {} : { lease: read.lease }),
  };
  return { exit: EXIT.ok, text, json };
}

/**
 * A key's deadline as the CLI shows it: the instant (RFC 3339) and the time left by this
 * machine's clock (a clock skewed against the server's shifts it), as text and JSON fields.
 */
function ttlOf({ expiresAt }: KvsEntry): { at: string; remaining: string; json: object } | undefined {
  if (expiresAt === undefined) return undefined;
  const remainingMs = Math.max(0, expiresAt - Date.now());
  const remaining = `${(remainingMs / 1000).toFixed(1)}s`;
  const at = new Date(expiresAt).toISOString();
  return { at, remaining, json: { expires_at_ms: expiresAt, ttl_remaining_ms: remainingMs } };
}

/** `ls`: every page of the prefix. */
async function list(client: KvsClient, prefix: string, keysOnly: boolean): Promise<Outcome> {
  const lines: string[] = [];
  const items: Record<string, unknown>[] = [];
  for await (const page of client.rangePages({ prefix, keysOnly })) {
    for (const entry of page.entries) {
      const ttl = ttlOf(entry);
      // Before the value, so that a value with spaces stays the line's end; --keys-only lists keys alone.
      const expiry = ttl === undefined ? '' : `[ttl ${ttl.remaining}] `;
      lines.push(keysOnly ? `${entry.key}\n` : `${entry.key} ${expiry}${entry.value}\n`);
      items.push({
        key: entry.key,
        ...(keysOnly ? {} : { value: entry.value }),
        create_revision: entry.createRevision,
        mod_revision: entry.modRevision,
        version: entry.version,
        ...ttl?.json,
      });
    }
  }
  return { exit: EXIT.ok, text: lines.join(''), json: { items } };
}

/** `txn`: the answer printed whichever branch ran; exit 6 when the compares did not hold. */
async function runTxn(client: KvsClient, txn: TxnRequest): Promise<Outcome> {
  const response = await client.txn(txn);
  const { json, text } = txnOutput(txn, response);
  return { exit: response.succeeded ? EXIT.ok : EXIT.preconditionFailed, text, json };
}

/** The error of a failed call, with a one-line diagnosis instead of grpc-js's text when the connection failed. */
async function failure(error: KvsClientError, invocation: ServerInvocation): Promise<Outcome> {
  const exit = exitStatusOf(error);
  const statusName = status[error.status];
  const fields = { status: statusName, ...(error.code === undefined ? {} : { code: error.code }) };
  if (error.status === status.UNAVAILABLE && error.code === undefined) {
    const hint = await diagnoseConnection(invocation.address, error.details, invocation.tls !== undefined);
    if (hint !== undefined) return { exit, error: { message: `${invocation.command} failed: ${hint}`, ...fields } };
  }
  return { exit, error: { message: `${invocation.command} failed: ${error.message}`, ...fields } };
}

/** Prints an outcome as text or as one JSON object, and returns its exit status. */
function report(outcome: Outcome, json: boolean, io: CliIo): number {
  if ('error' in outcome) {
    const { message } = outcome.error;
    io.stderr.write(
      json ? `${JSON.stringify({ error: { ...outcome.error, exit: outcome.exit } })}\n` : `kvs: ${message}\n`,
    );
  } else {
    io.stdout.write(json ? `${JSON.stringify(outcome.json)}\n` : outcome.text);
  }
  return outcome.exit;
}

/** The token and the TLS files' contents; throws a one-line error naming an unreadable file. */
function connectionOptions({ token, tls }: Connection): KvsConnectionOptions {
  if (tls === undefined) return { token };
  const read = (option: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (error) {
      throw new Error(`cannot read ${option} file ${file}: ${(error as Error).message}`);
    }
  };
  return {
    token,
    tls: { ca: read('--cacert', tls.caFile), cert: read('--cert', tls.certFile), key: read('--key', tls.keyFile) },
  };
}

/** Reads all of standard input as strict UTF-8: the service stores text, and lossy decoding would change the value. */
async function readUtf8(input: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
}
