import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadSpec } from './load-protocol';
import { treeCpuTicks } from './proc-stats';

/** The measured part of a load run: its length and the server's CPU ticks within it. */
export interface MeasuredWindow {
  readonly seconds: number;
  readonly serverCpuTicks: number;
  /** Time the load generator itself was paused by its garbage collector within the window. */
  readonly loadGcPauseMs: number;
}

/**
 * Waits out the warm-up while the load runs, then keeps the measured window open for the
 * run's duration; `setMeasuring(true/false)` tells the load generator when to count. A pause
 * of the load generator's own GC delays every call in flight at once, which the latencies
 * charge to the server: the window reports how long those pauses were.
 */
export async function measureWindow(
  spec: LoadSpec,
  setMeasuring: (measuring: boolean) => void,
): Promise<MeasuredWindow> {
  await sleep(spec.warmupSeconds * 1000);
  let loadGcPauseMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) loadGcPauseMs += entry.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const cpuBefore = treeCpuTicks(spec.serverPid);
  const began = performance.now();
  setMeasuring(true);
  await sleep(spec.durationSeconds * 1000);
  setMeasuring(false);
  const serverCpuTicks = treeCpuTicks(spec.serverPid) - cpuBefore;
  const seconds = (performance.now() - began) / 1000;
  gc.disconnect();
  return { seconds, serverCpuTicks, loadGcPauseMs };
}
