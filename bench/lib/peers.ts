import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { freeLoopbackPorts } from './free-port';
import { REPO_ROOT } from './paths';
import type { ServerSpec } from './server-process';
import { SERVER_NAMES, type PeerKind } from './servers';

// The systems users would pick instead of kvs, run in the same process tree as the other rows:
// programs from Debian packages, started on free loopback ports with their data in the run's
// scratch directory (the disk kvs's own log file is on), stopped after their row.

/** The programs a peer needs on PATH, and the Debian package that brings them. */
const NEEDS: Record<PeerKind, { readonly programs: readonly string[]; readonly debian: string }> = {
  'go-http': { programs: ['go'], debian: 'golang-go' },
  redis: { programs: ['redis-server', 'redis-benchmark', 'redis-cli'], debian: 'redis-server' },
  etcd: { programs: ['etcd'], debian: 'etcd-server' },
};
const GO_HTTP_SOURCE = resolve(REPO_ROOT, 'bench/baselines/go-http-map-server');
const ETCD_MEMBER = 'bench';

/** What the peers of a run need once they are ready: the binaries the bench built. */
export interface PeerBinaries {
  readonly goHttp?: string;
}

/**
 * Makes the given peers ready to start: checks their programs are on PATH and builds the Go
 * baseline. Returns the built binaries and, for each peer that cannot run, one line saying why.
 */
export function preparePeers(
  kinds: ReadonlySet<PeerKind>,
  scratch: string,
): { binaries: PeerBinaries; skipped: Map<PeerKind, string> } {
  const skipped = new Map<PeerKind, string>();
  let goHttp: string | undefined;
  for (const kind of kinds) {
    const missing = NEEDS[kind].programs.filter((program) => !onPath(program));
    if (missing.length > 0) {
      skipped.set(kind, `${missing.join(', ')} not on PATH (Debian: apt-get install ${NEEDS[kind].debian})`);
    } else if (kind === 'go-http') {
      try {
        goHttp = buildGoHttp(scratch);
      } catch (error) {
        skipped.set(kind, `go build failed: ${String(error).split('\n')[0]}`);
      }
    }
  }
  return { binaries: { goHttp }, skipped };
}

/**
 * Builds the Go baseline with the standard library only: modules off the network (GOPROXY=off,
 * -mod=readonly, the toolchain that is installed) and a build cache of its own, removed after.
 */
function buildGoHttp(scratch: string): string {
  const binary = join(scratch, 'go-http-map-server');
  const goHome = mkdtempSync(join(tmpdir(), 'kvs-bench-go-'));
  try {
    execFileSync('go', ['build', '-o', binary, '.'], {
      cwd: GO_HTTP_SOURCE,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        GOCACHE: join(goHome, 'cache'),
        GOPATH: join(goHome, 'path'),
        GOPROXY: 'off',
        GOFLAGS: '-mod=readonly',
        GOTOOLCHAIN: 'local',
        CGO_ENABLED: '0',
      },
    });
  } finally {
    rmSync(goHome, { recursive: true, force: true });
  }
  return binary;
}

/** How to start a peer; `dataDir` is its own directory, which the caller removes afterwards. */
export async function peerServer(kind: PeerKind, dataDir: string, binaries: PeerBinaries): Promise<ServerSpec> {
  const name = SERVER_NAMES[kind];
  switch (kind) {
    case 'go-http': {
      if (!binaries.goHttp) throw new Error('the Go baseline was not built');
      return { name, command: [binaries.goHttp], ready: /baseline: rest frontend listening on (\S+):(\d+)/ };
    }
    case 'redis': {
      const [port] = await freeLoopbackPorts(1);
      mkdirSync(dataDir, { recursive: true });
      // Durable like kvs's TLOG_SYNC=always: every write is fsynced to the append-only file
      // before its reply goes out; no RDB snapshots; logs on stdout.
      const settings = { port, bind: '127.0.0.1', dir: dataDir, appendonly: 'yes', appendfsync: 'always' };
      const args = Object.entries(settings).flatMap(([option, value]) => [`--${option}`, String(value)]);
      return {
        name,
        command: ['redis-server', ...args, '--save', '', '--logfile', '', '--protected-mode', 'no'],
        ready: /Ready to accept connections/,
        port,
      };
    }
    case 'etcd': {
      const [clientPort, peerPort] = await freeLoopbackPorts(2);
      const client = `http://127.0.0.1:${clientPort}`;
      const peer = `http://127.0.0.1:${peerPort}`;
      // One member: every Put is committed to its write-ahead log (fsynced) before it answers.
      const settings = {
        name: ETCD_MEMBER,
        'data-dir': dataDir,
        'listen-client-urls': client,
        'advertise-client-urls': client,
        'listen-peer-urls': peer,
        'initial-advertise-peer-urls': peer,
        'initial-cluster': `${ETCD_MEMBER}=${peer}`,
        logger: 'zap',
        'log-outputs': 'stderr',
      };
      const args = Object.entries(settings).flatMap(([option, value]) => [`--${option}`, value]);
      return { name, command: ['etcd', ...args], ready: /serving client traffic/, port: clientPort };
    }
  }
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
