// `npm run bench`: runs every selected row against a fresh server process and writes the report.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { measureBaselineMemory, measureLoadRow, measureReplay } from './lib/measure';
import { parseOptions, type BenchOptions } from './lib/options';
import { REPO_ROOT, RESULTS_DIR } from './lib/paths';
import { clockTicksPerSecond } from './lib/proc-stats';
import { renderReport, type RunInfo } from './lib/report';
import type {
  BenchResults,
  CompactionResult,
  FloorResult,
  MemoryResult,
  ReplayResult,
  SkippedPeer,
} from './lib/results';
import { measureCompaction } from './lib/compaction-bench';
import { measureFloor } from './lib/floor-bench';
import { measureInRounds } from './lib/rounds';
import { preparePeers } from './lib/peers';
import { isPeer, loadRows } from './lib/scenarios';
import { SERVER_NAMES } from './lib/servers';
import { measureWatch, WATCH_ROW_IDS, type WatchResult } from './lib/watch-bench';
import { measureExpiry, type ExpiryResult } from './lib/expiry-bench';
import { measureSnapshots, SNAPSHOT_ROW_IDS, type SnapshotResult } from './lib/snapshot-bench';
import { measureRateLimits, type RateLimitResult } from './lib/rate-limit-bench';
import { measureScaleOut, type ScaleOutResult } from './lib/scale-out-bench';
import { measureWorkersMemory, type WorkersMemoryResult } from './lib/workers-memory-bench';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const selected = (id: string): boolean => !options.filter || options.filter.test(id);
  const scratchRoot = resolve(RESULTS_DIR, 'tmp');
  mkdirSync(scratchRoot, { recursive: true });
  const scratch = mkdtempSync(join(scratchRoot, 'run-'));
  const ticksPerSecond = clockTicksPerSecond();

  const selectedRows = loadRows().filter((row) => selected(row.id));
  const peerKinds = new Set(selectedRows.flatMap(({ server }) => (isPeer(server) ? [server] : [])));
  const { binaries, skipped: skippedPeers } = preparePeers(peerKinds, scratch);
  const skipped: SkippedPeer[] = [...skippedPeers].map(([peer, reason]) => ({
    peer,
    reason,
    rows: selectedRows.filter(({ server }) => server === peer).length,
  }));
  for (const { peer, reason, rows } of skipped) {
    process.stderr.write(`skipping ${SERVER_NAMES[peer]} (${rows} rows): ${reason}\n`);
  }
  const rows = selectedRows.filter(({ server }) => !(isPeer(server) && skippedPeers.has(server)));
  const { load, failed } = await measureInRounds(
    rows,
    options.rounds,
    (row) => measureLoadRow(row, { options, scratch, ticksPerSecond, peers: binaries }),
    (message) => process.stderr.write(message),
  );

  let replay: ReplayResult | undefined;
  let memory: MemoryResult | undefined;
  if (selected('replay') || selected('memory')) {
    process.stderr.write(`replay and memory (${options.replayRuns} replay runs) ...\n`);
    const measured = await measureReplay(scratch, options.replayRuns, options.main);
    const baseline = await measureBaselineMemory(measured.memory.keys);
    replay = measured.replay;
    memory = { ...measured.memory, baselineRssMiB: baseline.rssMiB, baselinePeakMiB: baseline.peakMiB };
  }
  let compaction: CompactionResult | undefined;
  if (selected('compaction')) {
    process.stderr.write('compaction (disk, restart, PUT during compaction) ...\n');
    compaction = await measureCompaction(scratch, options);
  }
  let floor: FloorResult | undefined;
  if (selected('floor')) {
    process.stderr.write('durable floor (durable PUT with each floor step) ...\n');
    floor = await measureFloor(scratch, options);
  }
  let watch: WatchResult | undefined;
  if (WATCH_ROW_IDS.some(selected)) {
    process.stderr.write('watch (1,000 SSE + 200 gRPC of one key; 10,000 SSE; 100 prefixes) ...\n');
    watch = await measureWatch(scratch, options, selected);
  }
  let expiry: ExpiryResult | undefined;
  if (selected('expiry')) {
    process.stderr.write('expiry (GET p99 while 200,000 keys expire at once, vs idle) ...\n');
    expiry = await measureExpiry(scratch, options);
  }
  let snapshot: SnapshotResult | undefined;
  if (SNAPSHOT_ROW_IDS.some(selected)) {
    process.stderr.write('snapshot (1,000,000 keys: save, status, restore, PUT during snapshots) ...\n');
    snapshot = await measureSnapshots(scratch, options, selected);
  }
  let rateLimit: RateLimitResult | undefined;
  if (selected('rate-limit')) {
    process.stderr.write('rate-limit (REST GET with the limit counted in memory vs in PostgreSQL) ...\n');
    rateLimit = await measureRateLimits(options, ticksPerSecond);
  }
  let scaleOut: ScaleOutResult | undefined;
  if (selected('scale-out')) {
    process.stderr.write('scale-out (3 replicas on an embedded PostgreSQL: convergence, reads, writes) ...\n');
    scaleOut = await measureScaleOut(options);
  }
  let workersMemory: WorkersMemoryResult | undefined;
  if (selected('workers-memory')) {
    process.stderr.write('workers memory (RSS of the owner and each worker holding 1,000,000 keys) ...\n');
    workersMemory = await measureWorkersMemory(scratch, options);
  }
  rmSync(scratch, { recursive: true, force: true });

  const results: BenchResults = {
    load,
    failed,
    skipped,
    replay,
    memory,
    compaction,
    floor,
    watch,
    expiry,
    snapshot,
    rateLimit,
    scaleOut,
    workersMemory,
  };
  const report = renderReport(runInfo(options), results);
  const out = options.out ?? resolve(RESULTS_DIR, isFullRun(options) ? 'latest.md' : 'tmp/partial.md');
  writeFileSync(out, `# kvs benchmark results\n\n${report}`);
  process.stdout.write(`${report}\nwritten to ${relative(process.cwd(), out)}\n`);
  if (failed.length > 0) process.exitCode = 1;
}

function isFullRun(options: BenchOptions): boolean {
  return !options.filter && options.durationSeconds >= 5 && !options.profile && !options.main;
}

function runInfo(options: BenchOptions): RunInfo {
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: `${availableParallelism()} × ${cpuModel}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}`,
    node: process.version,
    commit: gitCommit(),
    warmupSeconds: options.warmupSeconds,
    durationSeconds: options.durationSeconds,
    rounds: options.rounds,
    command: ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
  };
}

function gitCommit(): string {
  try {
    const git = (...args: string[]): string => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
    return git('rev-parse', '--short', 'HEAD');
  } catch {
    return 'unknown';
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
