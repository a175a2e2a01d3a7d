import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { LogRecord } from './recording-logger';

const MAIN = resolve(__dirname, '../../dist/main.js');
const START_TIMEOUT_MS = 20_000;

/** The built service running as a child process, as a user would run it. */
export interface ServiceProcess {
  readonly process: ChildProcess;
  /** Base URL of the REST frontend, when it runs. */
  readonly restUrl?: string;
  /** host:port of the gRPC frontend, when it runs. */
  readonly grpcAddress?: string;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  exited(): Promise<number | string>;
}

/** Runs dist/main.js with the given environment until it exits; for start-up failure tests. */
export function runService(
  env: Record<string, string>,
  timeoutMs = START_TIMEOUT_MS,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [MAIN], { env: serviceEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not exit within ${timeoutMs} ms; output:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Starts dist/main.js (or `main`, for a script compiled elsewhere) and resolves once every configured frontend is listening. */
export function startService(env: Record<string, string>, main = MAIN): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [main], { env: serviceEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<number | string>((done) => child.on('exit', (code, signal) => done(code ?? signal ?? -1)));
  const wanted = (env.FRONTEND_TYPE ?? 'rest,grpc').split(',').map((name) => name.trim().toLowerCase());
  // With workers a frontend listens once per worker; the owner's `started` line says that all do.
  const childEnv = serviceEnv(env);
  const workers = childEnv.KVS_WORKERS !== undefined && childEnv.KVS_WORKERS !== '1';
  let started = false;

  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`service did not start within ${START_TIMEOUT_MS} ms; output:\n${output}`));
    }, START_TIMEOUT_MS);
    const addresses = new Map<string, string>();
    const onOutput = (chunk: Buffer): void => {
      output += chunk.toString();
      for (const record of logRecords(output)) {
        if (record.event === 'frontend_listening')
          addresses.set(String(record.frontend), `127.0.0.1:${String(record.port)}`);
        if (record.event === 'started') started = true;
      }
      if (wanted.every((name) => addresses.has(name)) && (started || !workers)) {
        clearTimeout(timer);
        child.stdout.off('data', onOutput);
        child.stdout.on('data', (more: Buffer) => (output += more.toString()));
        const rest = addresses.get('rest');
        resolvePromise({
          process: child,
          restUrl: rest && `http://${rest}`,
          grpcAddress: addresses.get('grpc'),
          output: () => output,
          exited: () => exit,
        });
      }
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`service exited (${code}) before it was ready; output:\n${output}`));
    });
  });
}

/** The JSON log lines in a service's output (other lines, such as a config error on stderr, are skipped). */
export function logRecords(output: string): LogRecord[] {
  return output.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as LogRecord];
    } catch {
      return []; // a line still being written
    }
  });
}

/** The child's environment: the caller's variables on top of a clean base, ports free by default. */
function serviceEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  // Pass a database chosen by the developer or CI through, so postgres runs can use it.
  for (const [name, value] of Object.entries(process.env)) if (name.startsWith('TLOG_DB_')) base[name] = value;
  // The jest project "workers" runs the e2e suites again against KVS_WORKERS=2 (jest.config.js).
  if (process.env.KVS_WORKERS !== undefined) base.KVS_WORKERS = process.env.KVS_WORKERS;
  return { ...base, KVS_HOST: '127.0.0.1', KVS_HTTP_PORT: '0', KVS_GRPC_PORT: '0', ...env };
}

/** The messages of the error (and fatal) lines a service logged so far: a fuzz run must leave none. */
export function errorLogLines(service: Pick<ServiceProcess, 'output'>): string[] {
  return logRecords(service.output())
    .filter((record) => record.level >= 50)
    .map((record) => record.msg);
}
