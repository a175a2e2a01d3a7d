#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { KvsClient, KvsClientError, type KvsConnectionOptions } from '../kvs-client';
import { mintToken } from '../token';
import { runWatch } from './kvs-watch';
import { EXIT, parseKvsArgs, USAGE, UsageError, type Connection, type Invocation } from './kvs-args';

/** The streams and environment the CLI works with (the real process's, outside tests). */
export interface CliIo {
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ends a `kvs watch` (tests; the process itself is ended by SIGINT). */
  readonly signal?: AbortSignal;
}

/** Runs `kvs ARGS...` and resolves with the exit status (see USAGE). */
export async function runKvsCli(args: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseKvsArgs(args, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`kvs: ${error.message}\nRun "kvs --help" for usage.\n`);
    return EXIT.usage;
  }
  if (invocation.command === 'help') {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (invocation.command === 'token') {
    io.stdout.write(`${await mintToken(invocation)}\n`);
    return EXIT.ok;
  }
  let connection: KvsConnectionOptions;
  try {
    connection = connectionOptions(invocation);
  } catch (error) {
    io.stderr.write(`kvs: ${(error as Error).message}\n`);
    return EXIT.usage;
  }

  let value: string | undefined;
  if (invocation.command === 'put') {
    try {
      value = invocation.value ?? (await readUtf8(io.stdin));
    } catch (error) {
      io.stderr.write(`kvs: cannot read the value from standard input: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  }

  const client = new KvsClient(invocation.address, { timeoutMs: invocation.timeoutMs }, connection);
  try {
    switch (invocation.command) {
      case 'get': {
        const result = await client.get(invocation.key);
        io.stdout.write(io.stdout.isTTY ? `${result}\n` : result);
        break;
      }
      case 'put':
        await client.put(invocation.key, value ?? '');
        break;
      case 'delete':
        await client.delete(invocation.key);
        break;
      case 'watch':
        await runWatch(client, invocation, io.stdout, io.signal);
        break;
      case 'compact': {
        const done = await client.compact();
        io.stdout.write(
          `compacted ${done.bytesBefore} bytes of log to ${done.bytesAfter} (live data ${done.liveBytes} bytes) in ${done.durationMs} ms\n`,
        );
        break;
      }
    }
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof KvsClientError)) throw error;
    io.stderr.write(`kvs: ${invocation.command} failed: ${error.message}\n`);
    return exitStatusOf(error, invocation.command);
  } finally {
    client.close();
  }
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

function exitStatusOf(error: KvsClientError, command: 'get' | 'put' | 'delete' | 'compact' | 'watch'): number {
  if (command === 'get' && error.status === status.NOT_FOUND) return EXIT.notFound;
  if (error.status === status.UNAVAILABLE || error.status === status.DEADLINE_EXCEEDED) return EXIT.unavailable;
  return EXIT.serverError;
}

/** Reads all of standard input as strict UTF-8: the service stores text, and lossy decoding would change the value. */
async function readUtf8(input: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(Buffer.concat(chunks));
}

if (require.main === module) {
  runKvsCli(process.argv.slice(2), process).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`kvs: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = EXIT.serverError;
    },
  );
}
