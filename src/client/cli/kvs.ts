#!/usr/bin/env node
// The entry point stays light: help, --version and usage errors answer without loading grpc-js,
// the proto files or jose, which take most of a start-up; commands load them when they run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseKvsArgs, UsageError, type Invocation } from './kvs-args';
import { commandHelp, EXIT, USAGE } from './kvs-help';

/** The streams and environment the CLI works with (the real process's, outside tests). */
export interface CliIo {
  readonly stdin: AsyncIterable<Buffer | string>;
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ends a `kvs watch` (tests; the process itself is ended by SIGINT). */
  readonly signal?: AbortSignal;
}

/** Runs `kvs ARGS...` and resolves with the exit status (see EXIT_STATUS_TABLE). */
export async function runKvsCli(args: readonly string[], io: CliIo): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseKvsArgs(args, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const help = error.command === undefined ? 'kvs --help' : `kvs ${error.command} --help`;
    const end = args.indexOf('--');
    const json = (end === -1 ? args : args.slice(0, end)).includes('--json');
    io.stderr.write(
      json
        ? `${JSON.stringify({ error: { message: error.message, exit: EXIT.usage } })}\n`
        : `kvs: ${error.message}\nRun "${help}" for usage.\n`,
    );
    return EXIT.usage;
  }
  switch (invocation.command) {
    case 'help':
      io.stdout.write(invocation.topic === undefined ? USAGE : commandHelp(invocation.topic));
      return EXIT.ok;
    case 'version': {
      const version = packageVersion();
      io.stdout.write(invocation.json ? `${JSON.stringify({ version })}\n` : `kvs ${version}\n`);
      return EXIT.ok;
    }
    case 'token':
      return (await import('./run-command')).runToken(invocation, io);
    case 'snapshot':
      if (invocation.action !== 'save') return (await import('./run-command')).runSnapshotFileCommand(invocation, io);
      return (await import('./run-command')).runServerCommand(invocation, io);
    default:
      return (await import('./run-command')).runServerCommand(invocation, io);
  }
}

/** The version in package.json, three directories up from both src/client/cli/ and dist/client/cli/. */
function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return version;
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
