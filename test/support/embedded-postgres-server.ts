import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  preparePostgresBinaries,
  unprivilegedUser,
  type PostgresBinaries,
  type RunAs,
} from './embedded-postgres-binaries';

/** How to reach a PostgreSQL server. */
export interface PostgresConnection {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** PEM certificate and key the server offers for TLS. */
export interface ServerTls {
  readonly certFile: string;
  readonly keyFile: string;
}

/** How pg_ctl stops the server: `fast` shuts down cleanly, `immediate` is a crash (recovery on restart). */
export type StopMode = 'fast' | 'immediate';

function run(program: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { ...runAs, env: { ...process.env, LC_ALL: 'C', LANG: 'C' } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A throwaway PostgreSQL server for tests: the binaries of the embedded-postgres package,
 * a fresh cluster in a temp directory, password authentication, TCP on 127.0.0.1 only (no Unix
 * socket), run as `nobody` when the tests run as root. It can be stopped and started again on
 * the same port to test outages, and is deleted by destroy().
 */
export class EmbeddedPostgresServer {
  private running = false;

  private constructor(
    private readonly binaries: PostgresBinaries,
    private readonly root: string,
    private readonly runAs: RunAs | undefined,
    /** Connection to the cluster's `postgres` database as its superuser. */
    readonly connection: PostgresConnection,
    private readonly serverOptions: string,
  ) {}

  /**
   * Creates a cluster and starts it on `port` (default: a free one); with `tls`, it also accepts
   * TLS connections.
   */
  static async create(tls?: ServerTls, port?: number): Promise<EmbeddedPostgresServer> {
    const binaries = await preparePostgresBinaries();
    const runAs = unprivilegedUser();
    const root = await mkdtemp(join(tmpdir(), 'kvs-pg-'));
    if (runAs) await chown(root, runAs.uid, runAs.gid);
    const password = randomBytes(12).toString('hex');
    const passwordFile = join(root, 'password');
    await writeFile(passwordFile, `${password}\n`, { mode: 0o644 });
    const user = 'kvs_test';
    await run(
      binaries.initdb,
      [
        '-D',
        join(root, 'data'),
        '-U',
        user,
        '--auth=scram-sha-256',
        `--pwfile=${passwordFile}`,
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      runAs,
    );
    await rm(passwordFile);
    let serverOptions = '';
    if (tls) {
      // PostgreSQL insists that its key file belongs to the server's user and is private.
      for (const [from, to] of [
        [tls.certFile, 'server.crt'],
        [tls.keyFile, 'server.key'],
      ]) {
        const path = join(root, 'data', to);
        await copyFile(from, path);
        await chmod(path, 0o600);
        if (runAs) await chown(path, runAs.uid, runAs.gid);
      }
      serverOptions = ' -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key';
    }
    const connection = { host: '127.0.0.1', port: port ?? (await freePort()), database: 'postgres', user, password };
    const server = new EmbeddedPostgresServer(binaries, root, runAs, connection, serverOptions);
    await server.start();
    return server;
  }

  /** Starts the server and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.connection.port} -h 127.0.0.1 -k ''${this.serverOptions}`;
    await run(
      this.binaries.pgCtl,
      ['start', '-w', '-t', '60', '-D', this.dataDir, '-l', join(this.root, 'server.log'), '-o', options],
      this.runAs,
    );
    this.running = true;
  }

  /** Stops the server; every connection to it breaks. */
  async stop(mode: StopMode = 'fast'): Promise<void> {
    await run(this.binaries.pgCtl, ['stop', '-w', '-t', '60', '-D', this.dataDir, '-m', mode], this.runAs);
    this.running = false;
  }

  /** Stops the server if it runs and deletes its files. */
  async destroy(): Promise<void> {
    if (this.running) await this.stop('immediate');
    await rm(this.root, { recursive: true, force: true });
  }

  private get dataDir(): string {
    return join(this.root, 'data');
  }
}
