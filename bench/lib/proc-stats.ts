import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time a process has used so far (user + system), in clock ticks, from /proc/<pid>/stat. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing ')' start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return utime + stime;
}

/** A memory figure of /proc/<pid>/status in KiB: VmHWM is the peak resident set, VmRSS the current one. */
export function memoryKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  if (!match) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(match[1]);
}

/** `pid` and every process below it (a kvs owner and its workers with KVS_WORKERS > 1), from the parent ids in /proc. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while the list was read.
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/** CPU ticks used so far by `pid` and every process below it (processes that end in the window are missed). */
export function treeCpuTicks(pid: number): number {
  return processTree(pid).reduce((sum, member) => {
    try {
      return sum + cpuTicks(member);
    } catch {
      return sum; // ended meanwhile
    }
  }, 0);
}

/** A memory figure summed over `pid` and every process below it. */
export function treeMemoryKiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  return processTree(pid).reduce((sum, member) => {
    try {
      return sum + memoryKiB(member, field);
    } catch {
      return sum;
    }
  }, 0);
}

/** Clock ticks per second of /proc CPU times (`getconf CLK_TCK`, almost always 100). */
export function clockTicksPerSecond(): number {
  return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
}
