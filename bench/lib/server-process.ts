import { spawn, type ChildProcess } from 'node:child_process';
import { memoryKiB, processTree, treeMemoryKiB } from './proc-stats';

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
/**
 * Output kept per server. The service logs a line per request at its defaults, tens of MB per
 * row; keeping it all would make the harness, on the same cores, a cost of the row.
 */
const MAX_OUTPUT_CHARS = 256 * 1024;

/** How to start one server under test. */
export interface ServerSpec {
  /** The name the table shows. */
  readonly name: string;
  /** The program and its arguments (`nodeCommand` builds it for a node script). */
  readonly command: readonly [string, ...string[]];
  /** Variables added to the harness's own environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The line (on stdout or stderr) that says the server is ready; its groups 1 and 2, when
   * present, are host and port.
   */
  readonly ready: RegExp;
  /** The port the harness gave the server, for servers whose ready line does not name it (peers). */
  readonly port?: number;
}

/** The command that runs a compiled node script, with flags for node itself such as --cpu-prof. */
export function nodeCommand(
  script: string,
  { nodeFlags = [], args = [] }: { nodeFlags?: readonly string[]; args?: readonly string[] } = {},
): ServerSpec['command'] {
  return [process.execPath, ...nodeFlags, script, ...args];
}

/** A server running as its own process. */
export class ServerProcess {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly spec: ServerSpec,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const collect = (chunk: Buffer): void => {
      this.output += chunk.toString();
      if (this.output.length > MAX_OUTPUT_CHARS) this.output = this.output.slice(-MAX_OUTPUT_CHARS / 2);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  /** Starts the server and resolves once it prints its ready line. */
  static async start(spec: ServerSpec): Promise<{ server: ServerProcess; ready: RegExpMatchArray }> {
    const [program, ...args] = spec.command;
    const child = spawn(program, args, {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new ServerProcess(child, spec);
    const ready = await server.waitFor(spec.ready);
    return { server, ready };
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} has no pid`);
    return this.child.pid;
  }

  /** Everything the server printed so far. */
  get log(): string {
    return this.output;
  }

  /** Peak resident set size so far, in KiB, summed over the server's processes (KVS_WORKERS: the owner and its workers). */
  peakRssKiB(): number {
    return treeMemoryKiB(this.pid, 'VmHWM');
  }

  /** Current resident set size, in KiB, summed over the server's processes. */
  rssKiB(): number {
    return treeMemoryKiB(this.pid, 'VmRSS');
  }

  /** Current resident set size of each of the server's processes (the first is its own), in KiB. */
  rssKiBEach(): number[] {
    return processTree(this.pid).map((pid) => memoryKiB(pid, 'VmRSS'));
  }

  /** SIGTERM, then SIGKILL if the server has not exited in time. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private waitFor(pattern: RegExp): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const match = pattern.exec(this.output);
        if (!match) return;
        cleanUp();
        resolve(match);
      };
      const onExit = (): void => {
        cleanUp();
        reject(new Error(`${this.spec.name} exited before it was ready:\n${this.output}`));
      };
      const timer = setTimeout(() => {
        cleanUp();
        this.child.kill('SIGKILL');
        reject(new Error(`${this.spec.name} not ready within ${START_TIMEOUT_MS} ms:\n${this.output}`));
      }, START_TIMEOUT_MS);
      const cleanUp = (): void => {
        clearTimeout(timer);
        this.child.stdout?.off('data', check);
        this.child.stderr?.off('data', check);
        this.child.off('exit', onExit);
      };
      this.child.stdout?.on('data', check);
      this.child.stderr?.on('data', check);
      this.child.once('exit', onExit);
      check();
    });
  }
}
