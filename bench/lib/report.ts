import { expiryTable } from './expiry-bench';
import { rateLimitTable } from './rate-limit-bench';
import { watchTable } from './watch-bench';
import {
  medianRun,
  type BenchResults,
  type CompactionResult,
  type FloorResult,
  type PutFigures,
  type ReplayRun,
} from './results';
import { scaleOutTable } from './scale-out-bench';
import type { SnapshotResult } from './snapshot-bench';
import { workersMemoryTable } from './workers-memory-bench';
import { DEFAULT_SYNC, isPeer, PEERS, SECURITY_LAYERS, WORKERS, WORKERS_OPERATIONS } from './scenarios';
import { SERVER_NAMES, type Protocol } from './servers';
import {
  cpuRatio,
  evaluateTargets,
  findResult,
  floorResult,
  MAX_TAIL_RATIO,
  tailRatio,
  TARGET_CONNECTIONS,
  throughputRatio,
} from './targets';
import type { Operation } from './workload';

/** Where and how the run was made, printed above the tables. */
export interface RunInfo {
  readonly date: string;
  readonly machine: string;
  readonly node: string;
  readonly commit: string;
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly command: string;
}

const OPERATION_LABELS: Record<Operation, string> = {
  'get-hit': 'GET hit',
  'get-miss': 'GET miss',
  put: 'PUT',
  mix: '90/10 GET/PUT',
};

/** The whole report as markdown: run description, load table, replay and memory, targets. */
export function renderReport(info: RunInfo, results: BenchResults): string {
  return [
    `Run: ${info.date} · ${info.machine} · node ${info.node} · commit ${info.commit}`,
    `Each row: ${info.warmupSeconds} s warm-up, then ${info.durationSeconds} s measured, best of ${info.rounds} round(s) (baselines alike); fresh server process per run; load generator in its own process; loopback. Command: \`${info.command}\`.`,
    '',
    '### Throughput and latency',
    '',
    loadTable(results),
    '',
    '### Peers: what users would pick instead (same run)',
    '',
    peerTable(results),
    '',
    '### Security layers',
    '',
    securityTable(results),
    '',
    `### Workers: KVS_WORKERS=${WORKERS} vs the single process (docs/workers.md)`,
    '',
    workersTable(results),
    '',
    '### Replay and memory',
    '',
    replayTable(results),
    '',
    ...(results.compaction ? ['### Compaction', '', compactionTable(results.compaction), ''] : []),
    ...(results.floor ? ['### Durable floor of the file log', '', floorTable(results.floor), ''] : []),
    ...(results.watch ? ['### Watch', '', watchTable(results.watch), ''] : []),
    ...(results.expiry ? ['### Expiry', '', expiryTable(results.expiry), ''] : []),
    ...(results.snapshot ? ['### Snapshots', '', snapshotTable(results.snapshot), ''] : []),
    ...(results.rateLimit ? ['### Rate limits counted in PostgreSQL', '', rateLimitTable(results.rateLimit), ''] : []),
    ...(results.scaleOut
      ? ['### Scale-out (3 replicas on one PostgreSQL table)', '', scaleOutTable(results.scaleOut), '']
      : []),
    ...(results.workersMemory ? ['### Workers: memory', '', workersMemoryTable(results.workersMemory), ''] : []),
    '### Targets (first performance pass)',
    '',
    targetTable(results),
    '',
  ].join('\n');
}

function loadTable(results: BenchResults): string {
  const header = [
    '| scenario | conns | server | tool | req/s | p50 ms | p99 ms | p99/p50 | load-gen GC % | server CPU-s /10k req | peak RSS MiB | errors | req/s × bare | req/s × express | CPU/req × bare |',
    '|---|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const lines = results.load.map((result) => {
    const { row } = result;
    const bare = floorResult(results.load, row);
    const express =
      row.protocol === 'rest' ? findResult(results.load, 'rest', row.operation, row.connections, 'express') : undefined;
    const isBare = bare === result || bare === undefined;
    const tail = tailRatio(result);
    const tailFlag =
      row.server === 'kvs' && row.connections === TARGET_CONNECTIONS && tail > MAX_TAIL_RATIO ? ' ✗' : '';
    return `| ${label(row.protocol)} ${OPERATION_LABELS[row.operation]} | ${row.connections} | ${result.serverName} | ${result.tool} | ${Math.round(result.requestsPerSecond)} | ${ms(result.p50Ms)} | ${ms(result.p99Ms)} | ${tail.toFixed(1)}${tailFlag} | ${result.loadGcShare === undefined ? '—' : (result.loadGcShare * 100).toFixed(1)} | ${result.cpuSecondsPer10k.toFixed(2)} | ${result.peakRssMiB.toFixed(0)} | ${result.errors} | ${isBare ? '—' : ratio(throughputRatio(result, bare))} | ${row.server === 'kvs' ? ratio(throughputRatio(result, express)) : '—'} | ${isBare ? '—' : ratio(cpuRatio(result, bare))} |`;
  });
  const failed = results.failed.map(({ row, reason }) => `- ${row.id}: not measured: ${reason.split('\n')[0]}`);
  return [...header, ...lines, ...(failed.length ? ['', ...failed] : [])].join('\n');
}

/**
 * Each peer row against the kvs rows of the same operation and concurrency it is compared with,
 * beside those rows' ratio to their floor (the bare baseline of their frontend).
 */
function peerTable(results: BenchResults): string {
  const lines = [
    '| scenario | conns | peer | peer tool | peer req/s | peer p50 / p99 ms | kvs row | kvs req/s | req/s × peer | CPU/req × peer | req/s × floor (floor) |',
    '|---|--:|---|---|--:|--:|---|--:|--:|--:|--:|',
  ];
  for (const peer of results.load.filter(({ row }) => isPeer(row.server))) {
    const { row } = peer;
    if (!isPeer(row.server)) continue;
    for (const frontend of PEERS[row.server].comparedWith) {
      const kvs = findResult(results.load, frontend, row.operation, row.connections, 'kvs', DEFAULT_SYNC);
      if (!kvs) continue;
      const floor = floorResult(results.load, kvs.row);
      lines.push(
        `| ${OPERATION_LABELS[row.operation]} | ${row.connections} | ${peer.serverName} | ${peer.tool} | ${Math.round(peer.requestsPerSecond)} | ${ms(peer.p50Ms)} / ${ms(peer.p99Ms)} | ${label(frontend)} ${kvs.serverName} | ${Math.round(kvs.requestsPerSecond)} | ${ratio(throughputRatio(kvs, peer))} | ${ratio(cpuRatio(kvs, peer))} | ${ratio(throughputRatio(kvs, floor))}${floor ? ` (${floor.serverName})` : ''} |`,
      );
    }
  }
  const skipped = results.skipped.map(
    ({ peer, reason, rows }) => `- ${SERVER_NAMES[peer]}: ${rows} row(s) skipped: ${reason}`,
  );
  const table = lines.length > 2 ? lines.join('\n') : '(not measured in this run)';
  return [table, ...(skipped.length ? ['', ...skipped] : [])].join('\n');
}

/** Each security row against the plain kvs row of the same scenario: what TLS or token checks cost. */
function securityTable(results: BenchResults): string {
  const lines = [
    '| scenario | layer | req/s × plain kvs | CPU/req × plain kvs | p99 ms (plain) |',
    '|---|---|--:|--:|--:|',
  ];
  for (const protocol of ['rest', 'grpc'] as const) {
    const plain = findResult(results.load, protocol, 'get-hit', TARGET_CONNECTIONS, 'kvs', DEFAULT_SYNC);
    for (const security of SECURITY_LAYERS) {
      const layered = findResult(results.load, protocol, 'get-hit', TARGET_CONNECTIONS, 'kvs', DEFAULT_SYNC, security);
      if (!layered) continue;
      lines.push(
        `| ${protocol === 'rest' ? 'REST GET hit' : 'gRPC Get hit'}, ${TARGET_CONNECTIONS} conns | ${security === 'tls' ? 'TLS' : 'JWT auth (HS256)'} | ${ratio(throughputRatio(layered, plain))} | ${ratio(cpuRatio(layered, plain))} | ${ms(layered.p99Ms)}${plain ? ` (${ms(plain.p99Ms)})` : ''} |`,
      );
    }
  }
  return lines.length > 2 ? lines.join('\n') : '(not measured in this run)';
}

/**
 * Each workers row against the single process of the same scenario. Server CPU and peak RSS are
 * summed over every process of the service (the owner and its workers).
 */
function workersTable(results: BenchResults): string {
  const lines = [
    '| scenario | req/s: 1 process | req/s: workers | req/s × 1 process | CPU s/10k req: 1 process | CPU s/10k req: workers | CPU/req × 1 process | peak RSS MiB: 1 process / all processes |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const operation of WORKERS_OPERATIONS) {
    const single = findResult(results.load, 'rest', operation, TARGET_CONNECTIONS, 'kvs', DEFAULT_SYNC);
    const workers = findResult(
      results.load,
      'rest',
      operation,
      TARGET_CONNECTIONS,
      'kvs',
      DEFAULT_SYNC,
      undefined,
      undefined,
      WORKERS,
    );
    if (!workers) continue;
    lines.push(
      `| REST ${OPERATION_LABELS[operation]}, ${TARGET_CONNECTIONS} conns | ${single ? Math.round(single.requestsPerSecond) : '—'} | ${Math.round(workers.requestsPerSecond)} | ${ratio(throughputRatio(workers, single))} | ${single ? single.cpuSecondsPer10k.toFixed(2) : '—'} | ${workers.cpuSecondsPer10k.toFixed(2)} | ${ratio(cpuRatio(workers, single))} | ${single ? single.peakRssMiB.toFixed(0) : '—'} / ${workers.peakRssMiB.toFixed(0)} |`,
    );
  }
  return lines.length > 2 ? lines.join('\n') : '(not measured in this run)';
}

function replayTable(results: BenchResults): string {
  const lines = ['| measure | kvs | baseline | kvs / baseline |', '|---|---|---|--:|'];
  const { replay, memory } = results;
  if (replay) {
    const ours = medianRun(replay.runs);
    const bare = medianRun(replay.baselineRuns);
    lines.push(
      `| replay of ${replay.events.toLocaleString('en-US')} events (${replay.logMiB.toFixed(0)} MiB log, ${replay.keys.toLocaleString('en-US')} live keys), median of ${replay.runs.length} | ${describeReplay(ours, replay.runs)} | bare decode + Map.set, no checksums: ${describeReplay(bare, replay.baselineRuns)} | ${ratio(ours.eventsPerSecond / bare.eventsPerSecond)} |`,
    );
  }
  if (memory) {
    lines.push(
      `| resident memory with ${memory.keys.toLocaleString('en-US')} keys (16 B keys, 100 B values), after replay | RSS ${memory.kvsRssMiB.toFixed(0)} MiB (peak ${memory.kvsPeakMiB.toFixed(0)}) | bare node Map: RSS ${memory.baselineRssMiB.toFixed(0)} MiB (peak ${memory.baselinePeakMiB.toFixed(0)}) | ${ratio(memory.kvsRssMiB / memory.baselineRssMiB)} |`,
      `| the same after overwriting every key once (${memory.keys.toLocaleString('en-US')} PUTs over REST), node's default heap limit | RSS ${memory.afterOverwrites.rssMiB.toFixed(0)} MiB (peak ${memory.afterOverwrites.peakMiB.toFixed(0)}) | kvs after replay: RSS ${memory.kvsRssMiB.toFixed(0)} MiB | ${ratio(memory.afterOverwrites.rssMiB / memory.kvsRssMiB)} |`,
      `| the same with \`--max-old-space-size=${memory.heapLimitMiB}\` (the Dockerfile's NODE_OPTIONS) | RSS ${memory.afterOverwritesHeapLimited.rssMiB.toFixed(0)} MiB (peak ${memory.afterOverwritesHeapLimited.peakMiB.toFixed(0)}) | kvs after replay: RSS ${memory.kvsRssMiB.toFixed(0)} MiB | ${ratio(memory.afterOverwritesHeapLimited.rssMiB / memory.kvsRssMiB)} |`,
    );
  }
  return lines.length > 2 ? lines.join('\n') : '(not measured in this run)';
}

function compactionTable(c: CompactionResult): string {
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
  const bound = c.minBytes + 2 * c.liveBytes;
  const { restart } = c;
  return [
    '| measure | result | target | verdict |',
    '|---|---|---|---|',
    `| log directory after ${c.overwrites.toLocaleString('en-US')} overwrites of ${c.keys.toLocaleString('en-US')} keys (100 B values), default thresholds | ${mib(c.dirBytes)} in ${c.files} files (live data ${(c.liveBytes / 1024).toFixed(0)} KiB) | ≤ KVS_COMPACT_MIN_BYTES + 2 × live = ${mib(bound)} | ${c.dirBytes <= bound ? '**met**' : '**missed**'} |`,
    `| restart: replay of that directory (best of runs) | ${restart.compacted.seconds.toFixed(3)} s, ${restart.compacted.events.toLocaleString('en-US')} events; uncompacted history (${mib(restart.uncompactedBytes)}): ${restart.uncompacted.seconds.toFixed(3)} s, ${restart.uncompacted.events.toLocaleString('en-US')} events | < 1 s | ${restart.compacted.seconds < 1 ? '**met**' : '**missed**'} |`,
    `| durable REST PUT, 32 connections, ${c.put.keys.toLocaleString('en-US')}-key log: without compaction | ${put(c.put.without)} | | |`,
    `| the same while the log is compacted back to back (${c.put.during.compactions} compactions in the run) | ${put(c.put.during)}; ${ratio(c.put.during.requestsPerSecond / c.put.without.requestsPerSecond)} of without | ≥ 0.5× | ${c.put.during.requestsPerSecond >= 0.5 * c.put.without.requestsPerSecond ? '**met**' : '**missed**'} |`,
  ].join('\n');
}

function floorTable(f: FloorResult): string {
  const [without] = f.runs;
  const step = (bytes: number): string =>
    bytes === Infinity ? 'none while running (start-up and close only)' : `every ${bytes / 2 ** 20} MiB`;
  return [
    '| durable PUT (in process, sync=always, 32 writers, 1 KiB values), floor recorded | PUT/s | × none | floors in the window |',
    '|---|--:|--:|--:|',
    ...f.runs.map(
      (run) =>
        `| ${step(run.floorEveryBytes)} | ${Math.round(run.putsPerSecond)} | ${ratio(run.putsPerSecond / without.putsPerSecond)} | ${run.floors} |`,
    ),
    '',
    `One floor write alone (median): ${ms(f.floorWriteMs)} ms, ${ratio(f.floorWriteMs / f.fdatasyncMs)} the ${ms(f.fdatasyncMs)} ms fdatasync of a 1 KiB append.`,
  ].join('\n');
}

/** One durable PUT run in words: throughput, latency, errors, the server's CPU per 10k PUTs and its share of a core, the bench process's own. */
function put(f: PutFigures): string {
  const requests = f.requestsPerSecond * f.seconds;
  const cpu = `server CPU ${((f.serverCpuSeconds / requests) * 10_000).toFixed(2)} s /10k PUTs (${((f.serverCpuSeconds / f.seconds) * 100).toFixed(0)}% of a core)`;
  return `${Math.round(f.requestsPerSecond)} req/s, p50 ${ms(f.p50Ms)} ms, p99 ${ms(f.p99Ms)} ms, ${f.errors} errors; ${cpu}; bench process ${(f.harnessCores * 100).toFixed(0)}% of a core`;
}

function snapshotTable(s: SnapshotResult): string {
  const keys = s.keys.toLocaleString('en-US');
  const lines = ['| measure | result | target | verdict |', '|---|---|---|---|'];
  const { tools, put: puts } = s;
  if (tools) {
    lines.push(
      `| snapshot of ${keys} keys (16 B keys, 100 B values), REST, idle service | ${tools.snapshotSeconds.toFixed(2)} s, ${(tools.snapshotBytes / 2 ** 20).toFixed(1)} MiB | | |`,
      `| \`kvs snapshot save\` of the same store (gRPC; verified, fsynced, renamed) | ${tools.saveSeconds.toFixed(2)} s | | |`,
      `| \`kvs snapshot status\` of it (every checksum, SHA-256) | ${tools.statusSeconds.toFixed(2)} s | | |`,
      `| \`kvs snapshot restore\` into a fresh file log; the service's replay of it | ${tools.restoreSeconds.toFixed(2)} s; replay ${tools.replaySeconds.toFixed(2)} s | | |`,
      ...(tools.postgres
        ? [
            `| \`kvs snapshot restore\` into a fresh PostgreSQL table (embedded server); the service's replay of it | ${tools.postgres.restoreSeconds.toFixed(2)} s; replay ${tools.postgres.replaySeconds.toFixed(2)} s | | |`,
          ]
        : []),
    );
  }
  if (puts) {
    const share = puts.during.requestsPerSecond / puts.without.requestsPerSecond;
    lines.push(
      `| durable REST PUT, 32 connections, ${keys}-key store: without snapshots | ${put(puts.without)} | | |`,
      `| the same while snapshots stream back to back (${puts.during.compactions} whole snapshots in the run) | ${put(puts.during)}; ${ratio(share)} of without | ≥ 0.8× | ${share >= 0.8 ? '**met**' : '**missed**'} |`,
    );
  }
  return lines.join('\n');
}

function describeReplay(median: ReplayRun, runs: readonly ReplayRun[]): string {
  const all = runs.map((run) => `${Math.round(run.eventsPerSecond / 1000)}k`).join(', ');
  return `${median.seconds.toFixed(2)} s, ${Math.round(median.eventsPerSecond / 1000)}k events/s (runs: ${all})`;
}

function targetTable(results: BenchResults): string {
  const lines = ['| target | measured | result |', '|---|---|---|'];
  for (const outcome of evaluateTargets(results)) {
    const verdict = outcome.met === undefined ? 'not measured' : outcome.met ? '**met**' : '**missed**';
    lines.push(`| ${outcome.target} | ${outcome.measured} | ${verdict} |`);
  }
  return lines.join('\n');
}

function label(protocol: Protocol): string {
  return { rest: 'REST', grpc: 'gRPC', resp: 'RESP' }[protocol];
}

function ms(value: number): string {
  return value < 10 ? value.toFixed(2) : value.toFixed(1);
}

function ratio(value: number | undefined): string {
  return value === undefined ? '—' : `${value.toFixed(2)}×`;
}
