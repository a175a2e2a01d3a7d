import type { ExpiryResult } from './expiry-bench';
import type { RateLimitResult } from './rate-limit-bench';
import type { ScaleOutResult } from './scale-out-bench';
import type { SnapshotResult } from './snapshot-bench';
import type { WatchResult } from './watch-bench';
import type { WorkersMemoryResult } from './workers-memory-bench';
import type { LoadRow } from './scenarios';
import type { PeerKind } from './servers';

/** The figures of one load row. */
export interface LoadRowResult {
  readonly row: LoadRow;
  readonly serverName: string;
  readonly tool: string;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU time (user + system) per 10,000 requests. */
  readonly cpuSecondsPer10k: number;
  /** The server process's peak resident set (VmHWM), in MiB. */
  readonly peakRssMiB: number;
  readonly errors: number;
  /** Share of the measured window the load generator spent paused by its own GC (node load tools only). */
  readonly loadGcShare?: number;
}

/** A row that could not be measured, and why. */
export interface FailedRow {
  readonly row: LoadRow;
  readonly reason: string;
}

/** A peer whose rows did not run because its programs are missing, and why. */
export interface SkippedPeer {
  readonly peer: PeerKind;
  readonly reason: string;
  /** How many selected rows it had. */
  readonly rows: number;
}

/** One replay of the log, as the replaying process reported it. */
export interface ReplayRun {
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

/** Replay of the generated log by the service, over several runs, and by the bare baseline. */
export interface ReplayResult {
  readonly events: number;
  readonly keys: number;
  readonly logMiB: number;
  /** The service's own figures, one per run, sorted by rate. */
  readonly runs: readonly ReplayRun[];
  /** A bare node loop (no checksums) decoding the same file into a Map, sorted by rate. */
  readonly baselineRuns: readonly ReplayRun[];
}

/** Resident memory with the replayed keys, against a bare process holding the same Map. */
export interface MemoryResult {
  readonly keys: number;
  readonly kvsRssMiB: number;
  readonly kvsPeakMiB: number;
  readonly baselineRssMiB: number;
  readonly baselinePeakMiB: number;
  /** RSS after every key was overwritten once over REST, node's default heap limit... */
  readonly afterOverwrites: { readonly rssMiB: number; readonly peakMiB: number };
  /** ...and with the Dockerfile's --max-old-space-size. */
  readonly afterOverwritesHeapLimited: { readonly rssMiB: number; readonly peakMiB: number };
  readonly heapLimitMiB: number;
}

/** Durable PUT load figures of one compaction row. */
export interface PutFigures {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Compactions completed during the run. */
  readonly compactions: number;
  /** The server's CPU time in the measured window, and that window's length (seconds). */
  readonly serverCpuSeconds: number;
  readonly seconds: number;
  /** The bench process's own CPU time per second of the run (warm-up included): what the background work's client (a snapshot reader) costs, in cores. */
  readonly harnessCores: number;
}

/** The compaction rows: disk after endless overwrites, restart, PUT throughput during compaction. */
export interface CompactionResult {
  readonly overwrites: number;
  readonly keys: number;
  /** Encoded size of the live keys (what a base holds). */
  readonly liveBytes: number;
  /** Every file of the log directory afterwards. */
  readonly dirBytes: number;
  readonly files: number;
  /** KVS_COMPACT_MIN_BYTES in force (the default). */
  readonly minBytes: number;
  readonly restart: {
    readonly compacted: { readonly seconds: number; readonly events: number };
    readonly uncompacted: { readonly seconds: number; readonly events: number };
    readonly uncompactedBytes: number;
  };
  readonly put: { readonly keys: number; readonly without: PutFigures; readonly during: PutFigures };
}

/** Durable PUT throughput with one durable-floor step while running. */
export interface FloorRun {
  /** Growth between two floors; Infinity: floors at start-up and close only. */
  readonly floorEveryBytes: number;
  readonly putsPerSecond: number;
  /** Floors recorded in the measured window. */
  readonly floors: number;
}

/** The durable-floor row: the same durable PUT load with each floor step. */
export interface FloorResult {
  readonly runs: readonly FloorRun[];
  /** Median time of one floor write alone... */
  readonly floorWriteMs: number;
  /** ...and of one fdatasync of a 1 KiB append. */
  readonly fdatasyncMs: number;
}

/** Everything one run measured. */
export interface BenchResults {
  readonly load: readonly LoadRowResult[];
  readonly failed: readonly FailedRow[];
  readonly skipped: readonly SkippedPeer[];
  readonly replay?: ReplayResult;
  readonly memory?: MemoryResult;
  readonly compaction?: CompactionResult;
  readonly floor?: FloorResult;
  readonly watch?: WatchResult;
  readonly expiry?: ExpiryResult;
  readonly snapshot?: SnapshotResult;
  readonly rateLimit?: RateLimitResult;
  readonly scaleOut?: ScaleOutResult;
  readonly workersMemory?: WorkersMemoryResult;
}

/** The middle run (by rate) of runs sorted by rate. */
export function medianRun(runs: readonly ReplayRun[]): ReplayRun {
  return runs[Math.floor(runs.length / 2)];
}
