import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { freeLoopbackPorts } from './free-port';
import { REPO_ROOT } from './paths';
import type { ServerSpec } from './server-process';
import { SERVER_NAMES, type PeerKind } from './servers';

// The systems users would pick instead of kvs, run in the same process tree as the other rows:
// programs from Debian packages (the Go ones built by the bench from bench/baselines/), started
// on free loopback ports with their data in the run's scratch directory (the disk kvs's own log
// file is on), stopped after their row.

/** The programs a peer needs on PATH (or files it needs), and the Debian packages that bring them. */
const NEEDS: Record<
  PeerKind,
  { readonly programs: readonly string[]; readonly files?: readonly string[]; readonly debian: string }
> = {
  'go-http': { programs: ['go'], debian: 'golang-go' },
  'go-grpc': {
    programs: ['go', 'protoc', 'protoc-gen-go', 'protoc-gen-go-grpc'],
    files: ['/usr/share/gocode/src/google.golang.org/grpc/server.go'],
    debian: 'golang-go protobuf-compiler golang-goprotobuf-dev protoc-gen-go-grpc golang-google-grpc-dev',
  },
  redis: { programs: ['redis-server', 'redis-benchmark', 'redis-cli'], debian: 'redis-server' },
  etcd: { programs: ['etcd'], debian: 'etcd-server' },
};
const GO_SOURCES = resolve(REPO_ROOT, 'bench/baselines');
/** Where Debian's Go packages put their sources (GOPATH layout). */
const DEBIAN_GOPATH = '/usr/share/gocode';
const ETCD_MEMBER = 'bench';

/** The binaries the bench built for the Go peers of a run. */
export type PeerBinaries = Partial<Record<PeerKind, string>>;

/** Builds a Go peer into `binary`, in `goHome`, a temporary directory of its own. */
type GoBuild = (binary: string, goHome: string) => void;

const GO_BUILDS: Partial<Record<PeerKind, GoBuild>> = {
  // Standard library only, in module mode with every way to the network shut: no proxy, the
  // go.mod as it is, the installed toolchain.
  'go-http': (binary, goHome) =>
    goBuild(['build', '-o', binary, '.'], join(GO_SOURCES, 'go-http-map-server'), goHome, {
      GOPATH: join(goHome, 'path'),
      GOFLAGS: '-mod=readonly',
    }),
  // GOPATH mode against Debian's grpc-go sources, with protoc's code for proto/keyvalue.proto
  // generated into the temporary GOPATH as package kvsbench/keyvalue.
  'go-grpc': (binary, goHome) => {
    const generated = join(goHome, 'path/src/kvsbench/keyvalue');
    mkdirSync(generated, { recursive: true });
    const mapping = 'Mkeyvalue.proto=kvsbench/keyvalue';
    execFileSync('protoc', [
      `-I${resolve(REPO_ROOT, 'proto')}`,
      `--go_out=${generated}`,
      `--go_opt=paths=source_relative,${mapping}`,
      `--go-grpc_out=${generated}`,
      `--go-grpc_opt=paths=source_relative,${mapping}`,
      'keyvalue.proto',
    ]);
    goBuild(['build', '-o', binary, 'main.go'], join(GO_SOURCES, 'go-grpc-map-server'), goHome, {
      GOPATH: `${join(goHome, 'path')}${delimiter}${DEBIAN_GOPATH}`,
      GO111MODULE: 'off',
    });
  },
};

/**
 * Makes the given peers ready to start: checks their programs are there and builds the Go
 * peers. Returns the built binaries and, for each peer that cannot run, one line saying why.
 */
export function preparePeers(
  kinds: ReadonlySet<PeerKind>,
  scratch: string,
): { binaries: PeerBinaries; skipped: Map<PeerKind, string> } {
  const skipped = new Map<PeerKind, string>();
  const binaries: PeerBinaries = {};
  for (const kind of kinds) {
    const { programs, files = [], debian } = NEEDS[kind];
    const missing = [...programs.filter((program) => !onPath(program)), ...files.filter((file) => !existsSync(file))];
    if (missing.length > 0) {
      skipped.set(kind, `${missing.join(', ')} not found (Debian: apt-get install ${debian})`);
      continue;
    }
    const build = GO_BUILDS[kind];
    if (!build) continue;
    const binary = join(scratch, kind);
    const goHome = mkdtempSync(join(tmpdir(), 'kvs-bench-go-'));
    try {
      build(binary, goHome);
      binaries[kind] = binary;
    } catch (error) {
      const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
      skipped.set(kind, `build failed: ${(stderr || String(error)).split('\n')[0]}`);
    } finally {
      rmSync(goHome, { recursive: true, force: true });
    }
  }
  return { binaries, skipped };
}

/** Runs the go command with the build cache in the temporary directory and no module downloads. */
function goBuild(args: readonly string[], cwd: string, goHome: string, env: Record<string, string>): void {
  execFileSync('go', args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      GOCACHE: join(goHome, 'cache'),
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      CGO_ENABLED: '0',
      ...env,
    },
  });
}

/** How to start a peer; `dataDir` is its own directory, which the caller removes afterwards. */
export async function peerServer(kind: PeerKind, dataDir: string, binaries: PeerBinaries): Promise<ServerSpec> {
  const name = SERVER_NAMES[kind];
  switch (kind) {
    case 'go-http':
    case 'go-grpc': {
      const binary = binaries[kind];
      if (!binary) throw new Error(`${name} was not built`);
      const frontend = kind === 'go-http' ? 'rest' : 'grpc';
      return {
        name,
        command: [binary],
        ready: new RegExp(`baseline: ${frontend} frontend listening on (\\S+):(\\d+)`),
      };
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
