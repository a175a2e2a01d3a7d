import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadSpec } from './load-protocol';
import { cpuTicks } from './proc-stats';

/** The measured part of a load run: its length and the server's CPU ticks within it. */
export interface MeasuredWindow {
  readonly seconds: number;
  readonly serverCpuTicks: number;
}

/**
 * Waits out the warm-up while the load runs, then keeps the measured window open for the
 * run's duration; `setMeasuring(true/false)` tells the load generator when to count.
 */
export async function measureWindow(
  spec: LoadSpec,
  setMeasuring: (measuring: boolean) => void,
): Promise<MeasuredWindow> {
  await sleep(spec.warmupSeconds * 1000);
  const cpuBefore = cpuTicks(spec.serverPid);
  const began = performance.now();
  setMeasuring(true);
  await sleep(spec.durationSeconds * 1000);
  setMeasuring(false);
  return { seconds: (performance.now() - began) / 1000, serverCpuTicks: cpuTicks(spec.serverPid) - cpuBefore };
}
