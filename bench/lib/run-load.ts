import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { LoadResult, LoadSpec } from './load-protocol';
import { BENCH_BUILD } from './paths';
import type { Protocol } from './servers';

/** Which load generator drives a protocol. */
const LOAD_SCRIPTS = {
  rest: resolve(BENCH_BUILD, 'load/http-load.js'),
  grpc: resolve(BENCH_BUILD, 'load/grpc-load.js'),
  resp: resolve(BENCH_BUILD, 'load/redis-load.js'),
} as const satisfies Record<Protocol, string>;

/** Runs the protocol's load generator as a separate process and returns what it measured. */
export function runLoad(protocol: keyof typeof LOAD_SCRIPTS, spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [LOAD_SCRIPTS[protocol], JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !lastLine.startsWith('{')) {
        reject(new Error(`load generator failed (exit ${code}):\n${stderr}${stdout}`));
        return;
      }
      resolvePromise(JSON.parse(lastLine) as LoadResult);
    });
  });
}
