import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

/** The built command-line client, as `npx kvs` runs it. */
export const CLI = path.resolve(__dirname, '../../dist/client/cli/kvs.js');

/** How a CLI run ended. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Throws unless the CLI has been built (npm test builds it first). */
export function requireBuiltCli(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
}

/**
 * Runs the built CLI as a user would, with only PATH and `env` in its environment (so no
 * KVS_ADDRESS or KVS_TOKEN of the caller leaks in), feeding it `stdin`.
 */
export function runCli(
  args: readonly string[],
  options: { stdin?: Buffer | string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...options.env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end(options.stdin ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
