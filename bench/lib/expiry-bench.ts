import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFileHeader, encodeRecord } from '../../src/driven/file-log/record-format';
import { LatencyHistogram } from './latency-histogram';
import type { BenchOptions } from './options';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';
import { benchKey, benchValue } from './workload';

/** Keys that expire at one instant (the issue asks for 100k+). */
const EXPIRING = 200_000;
/** Keys the GETs read, which never expire. */
const READ_KEYS = 1000;
/** Concurrent GET loops (as 16 connections would be). */
const READERS = 16;
/**
 * Time the log's writing and the server's start and replay get before the idle window begins
 * (the deadline is in the log, so it is fixed before they start). 10 s was too short on the
 * shared 2-core machine (load 12), where the row then never ran; the unused part is waited out.
 */
const START_BUDGET_MS = 45_000;
/** Each measured window. */
const WINDOW_MS = 3_000;

/** What the expiry row measured. */
export interface ExpiryResult {
  readonly expiring: number;
  readonly idle: { readonly p50Ms: number; readonly p99Ms: number; readonly requests: number };
  readonly during: { readonly p50Ms: number; readonly p99Ms: number; readonly requests: number };
  /** From the deadline until the last expiry was logged (kvs_keys_with_ttl back to 0), ms. */
  readonly expiredWithinMs: number;
}

/**
 * The expiry row (`--filter expiry`): p99 of concurrent GETs (REST, 16 loops, loopback) on a
 * service whose log holds 200,000 keys that all expire at the same instant, in the window just
 * before that instant (idle) and in the window from it (while the expiries are logged, durably).
 * The log is written beforehand with the service's encoder, so the deadline is known.
 */
export async function measureExpiry(scratch: string, options: BenchOptions): Promise<ExpiryResult> {
  const logFile = join(scratch, 'expiry', 'tx.log');
  const began = Date.now();
  const deadline = began + START_BUDGET_MS + WINDOW_MS;
  writeExpiringLog(logFile, deadline);
  const { server, ready } = await ServerProcess.start(
    kvsServer('rest', { logFile, sync: 'always', main: options.main }),
  );
  try {
    const url = `http://127.0.0.1:${ready[2]}`;
    const startMs = Date.now() - began;
    if (Date.now() > deadline - WINDOW_MS) {
      throw new Error(
        `writing the log and starting the service took ${startMs} ms, past the ${START_BUDGET_MS} ms budget`,
      );
    }
    process.stderr.write(`expiry: log written and service started in ${startMs} ms\n`);
    await sleepUntil(deadline - WINDOW_MS);
    const idle = await getLoad(url, deadline);
    const during = getLoad(url, deadline + WINDOW_MS);
    const expiredAt = waitForNoTtlKeys(url, deadline + 60_000);
    const [duringFigures, doneAt] = await Promise.all([during, expiredAt]);
    return { expiring: EXPIRING, idle, during: duringFigures, expiredWithinMs: doneAt - deadline };
  } finally {
    await server.stop();
  }
}

/** A log of READ_KEYS keys without a deadline and EXPIRING keys with `deadline`. */
function writeExpiringLog(filename: string, deadline: number): void {
  mkdirSync(join(filename, '..'), { recursive: true });
  const fd = openSync(filename, 'w');
  try {
    writeSync(fd, encodeFileHeader());
    let batch: Buffer[] = [];
    for (let i = 0; i < READ_KEYS + EXPIRING; i++) {
      const expiry = i < READ_KEYS ? {} : { expiresAt: deadline };
      const put = { type: 'put' as const, key: benchKey(i), value: benchValue(i), createRevision: i + 1, version: 1 };
      batch.push(encodeRecord({ revision: i + 1, writes: [{ ...put, ...expiry }] }));
      if (batch.length === 10_000) {
        writeSync(fd, Buffer.concat(batch));
        batch = [];
      }
    }
    if (batch.length > 0) writeSync(fd, Buffer.concat(batch));
  } finally {
    closeSync(fd);
  }
}

/** GETs of the non-expiring keys from READERS loops until `until`: p50, p99, count. */
async function getLoad(url: string, until: number): Promise<ExpiryResult['idle']> {
  const histogram = new LatencyHistogram();
  let next = 0;
  const reader = async (): Promise<void> => {
    while (Date.now() < until) {
      const began = performance.now();
      const response = await fetch(`${url}/v1/key/${benchKey(next++ % READ_KEYS)}`);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
      histogram.recordMs(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: READERS }, reader));
  return { p50Ms: histogram.percentileMs(50), p99Ms: histogram.percentileMs(99), requests: histogram.count };
}

/** When kvs_keys_with_ttl first reads 0 (every expiry logged), polled every 50 ms. */
async function waitForNoTtlKeys(url: string, giveUpAt: number): Promise<number> {
  while (Date.now() < giveUpAt) {
    const metrics = await (await fetch(`${url}/metrics`)).text();
    if (/^kvs_keys_with_ttl 0$/m.test(metrics)) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the expiries were not all logged within a minute');
}

function sleepUntil(at: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
}

/** The row as the report's table shows it. */
export function expiryTable(e: ExpiryResult): string {
  const ms = (value: number): string => `${value.toFixed(2)} ms`;
  const ratio = e.during.p99Ms / e.idle.p99Ms;
  return [
    '| Row | Measured | Target | |',
    '|-----|----------|--------|-|',
    `| GET p99 (REST, ${READERS} loops) while ${e.expiring.toLocaleString('en-US')} keys expire at one instant, × idle | ${ratio.toFixed(2)}× (${ms(e.during.p99Ms)} vs ${ms(e.idle.p99Ms)} idle; p50 ${ms(e.during.p50Ms)} vs ${ms(e.idle.p50Ms)}; ${e.during.requests} / ${e.idle.requests} GETs) | ≤ 5× | ${ratio <= 5 ? '**met**' : '**missed**'} |`,
    `| all ${e.expiring.toLocaleString('en-US')} expiries logged (durable), from the deadline | ${(e.expiredWithinMs / 1000).toFixed(2)} s | | |`,
  ].join('\n');
}
