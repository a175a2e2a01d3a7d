import { mkdirSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyValueStore } from '../../src/core';
import { FileTransactionLog } from '../../src/driven/file-log';
import { DEFAULT_FLOOR_EVERY_BYTES } from '../../src/driven/file-log/durable-floor';
import { LogDirectory } from '../../src/driven/file-log/log-directory';
import type { BenchOptions } from './options';
import type { FloorResult, FloorRun } from './results';
import { benchKey } from './workload';

/** Concurrent writers (as 32 connections would be). */
const WRITERS = 32;
/** 1 KiB values, so the file grows by a floor step in a few thousand writes. */
const VALUE = 'f'.repeat(1024);
const HOT_KEYS = 1000;
/** Floor writes (and fdatasyncs) timed one by one, alone on the disk. */
const TIMED_WRITES = 60;

/**
 * The durable-floor row (`--filter floor`): durable PUTs (sync=always, in process, through the
 * real store and file log) with no floor while running, with the default step, and with a step
 * of 1 MiB; each run a fresh log, the settings alternated over the rounds, best run kept.
 */
export async function measureFloor(scratch: string, options: BenchOptions): Promise<FloorResult> {
  const steps = [Infinity, DEFAULT_FLOOR_EVERY_BYTES, 2 ** 20];
  const best = new Map<number, FloorRun>();
  for (let round = 0; round < options.rounds; round++) {
    for (const step of round % 2 === 0 ? steps : [...steps].reverse()) {
      const run = await durablePuts(join(scratch, `floor-${round}-${step}`), step, options);
      if (run.putsPerSecond > (best.get(step)?.putsPerSecond ?? 0)) best.set(step, run);
    }
  }
  return { runs: steps.map((step) => best.get(step)!), ...(await floorWriteMs(join(scratch, 'floor-timed'))) };
}

/**
 * One floor write beside one fdatasync of a 1 KiB append, each timed alone (median of many):
 * the cost of a floor in the unit a durable write pays anyway, steadier than a throughput ratio
 * on a shared machine.
 */
async function floorWriteMs(dir: string): Promise<{ floorWriteMs: number; fdatasyncMs: number }> {
  mkdirSync(dir, { recursive: true });
  const filename = join(dir, 'tx.log');
  const file = await open(filename, 'a');
  let bytes = 0;
  const directory = new LogDirectory(
    filename,
    () => undefined,
    () => ({ name: 'tx.log', bytes }),
  );
  const floor: number[] = [];
  const sync: number[] = [];
  try {
    for (let i = 0; i < TIMED_WRITES; i++) {
      bytes += (await file.write(Buffer.alloc(1024, i))).bytesWritten;
      let began = performance.now();
      await file.datasync();
      sync.push(performance.now() - began);
      began = performance.now();
      await directory.recordFloor();
      floor.push(performance.now() - began);
    }
  } finally {
    await file.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { floorWriteMs: median(floor), fdatasyncMs: median(sync) };
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1];
}

async function durablePuts(dir: string, floorEveryBytes: number, options: BenchOptions): Promise<FloorRun> {
  mkdirSync(dir, { recursive: true });
  let floors = 0;
  const log = new FileTransactionLog(
    { filename: join(dir, 'tx.log'), sync: 'always', floorEveryBytes },
    undefined,
    undefined,
    undefined,
    (step) => {
      if (step === 'floor-recorded') floors++;
    },
  );
  const store = new KeyValueStore(log);
  await store.restore();
  let puts = 0;
  let measuring = false;
  let stop = false;
  const writer = async (w: number): Promise<void> => {
    for (let i = w; !stop; i += WRITERS) {
      await store.put(benchKey(i % HOT_KEYS), VALUE);
      if (measuring) puts++;
    }
  };
  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  try {
    await new Promise((resolve) => setTimeout(resolve, options.warmupSeconds * 1000));
    const floorsBefore = floors;
    measuring = true;
    const began = performance.now();
    await new Promise((resolve) => setTimeout(resolve, options.durationSeconds * 1000));
    measuring = false;
    const seconds = (performance.now() - began) / 1000;
    return { floorEveryBytes, putsPerSecond: puts / seconds, floors: floors - floorsBefore };
  } finally {
    stop = true;
    await Promise.all(writers);
    await log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
