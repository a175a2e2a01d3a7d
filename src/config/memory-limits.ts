import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';

const MIB = 1024 * 1024;
/** cgroup v2, then v1: where a container's memory limit is readable from inside it. */
const CGROUP_LIMIT_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];
/** Above this, cgroup v1 reports "no limit" as a huge number rather than "max". */
const NO_LIMIT_BYTES = 2 ** 60;
/** The heap should leave this share of the container's memory to buffers, code and the OS. */
const HEAP_SHARE = 0.75;

/**
 * The share of the heap limit that KVS_MAX_DATA_BYTES defaults to. Every byte of keys and
 * values takes two to three bytes of heap once held (string headers, the index, revisions), and
 * requests, replay and compaction need room beside the data: a quarter keeps the process
 * clear of the heap limit with small values and large ones alike.
 */
const DATA_QUOTA_SHARE_OF_HEAP = 0.25;

/** The default data quota: a quarter of the JavaScript heap limit in force, in bytes. */
export function defaultDataQuotaBytes(): number {
  return Math.floor(getHeapStatistics().heap_size_limit * DATA_QUOTA_SHARE_OF_HEAP);
}

/** The JavaScript heap limit in force and the container's memory limit, if any. */
export interface MemoryLimits {
  readonly heapLimitMiB: number;
  readonly containerLimitMiB: number | undefined;
  /** True when the heap may grow past what the container allows: the kernel would kill the process first. */
  readonly heapTooLarge: boolean;
  /** The --max-old-space-size to use in such a container. */
  readonly suggestedHeapMiB: number | undefined;
}

/**
 * Reads the heap limit (set with NODE_OPTIONS=--max-old-space-size, which the Dockerfile does)
 * and the cgroup memory limit. The service does not re-execute itself with a derived limit:
 * that would make it two processes (a SIGKILLed parent would orphan the child holding the log
 * lock and ports) and Node 20 has no execve; the limit belongs where the process is started.
 */
export function readMemoryLimits(): MemoryLimits {
  const heapLimitMiB = Math.round(getHeapStatistics().heap_size_limit / MIB);
  const containerBytes = cgroupLimitBytes();
  const containerLimitMiB = containerBytes === undefined ? undefined : Math.round(containerBytes / MIB);
  const suggestedHeapMiB = containerLimitMiB === undefined ? undefined : Math.floor(containerLimitMiB * HEAP_SHARE);
  return {
    heapLimitMiB,
    containerLimitMiB,
    heapTooLarge: suggestedHeapMiB !== undefined && heapLimitMiB > containerLimitMiB!,
    suggestedHeapMiB,
  };
}

function cgroupLimitBytes(): number | undefined {
  for (const file of CGROUP_LIMIT_FILES) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const bytes = Number(text);
      return Number.isFinite(bytes) && bytes < NO_LIMIT_BYTES ? bytes : undefined;
    } catch {
      // not this cgroup version
    }
  }
  return undefined;
}
