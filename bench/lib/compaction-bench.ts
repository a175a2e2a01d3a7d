import { closeSync, mkdirSync, openSync, readdirSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_COMPACTION_THRESHOLDS } from '../../src/driven/compaction/compaction-runner';
import { FileTransactionLog } from '../../src/driven/file-log';
import { encodeFileHeader, encodeRecord } from '../../src/driven/file-log/record-format';
import { KeyValueStore } from '../../src/core';
import type { BenchOptions } from './options';
import { writeReplayLog } from './replay-log';
import type { CompactionResult } from './results';
import { measurePutsWhile } from './put-during';
import { ServerProcess } from './server-process';
import { kvsServer } from './servers';
import { benchKey, benchValue } from './workload';

/** The figures: 1,000,000 overwrites of 1,000 keys with 100-byte values. */
const OVERWRITES = 1_000_000;
const HOT_KEYS = 1000;
/** Concurrent writers of the overwrite run (as 32 connections would be). */
const WRITERS = 32;
/** Keys of the log compacted under PUT load. */
const KEYS_1M = 1_000_000;
const REPLAY_LINE = /replayed (\d+) events \((\d+) live keys\) in ([\d.]+) s/;

/**
 * The compaction rows (`--filter compaction`): disk after endless overwrites, restart time of
 * that directory beside the uncompacted history, and durable PUT throughput while a 1M-key log
 * is compacted again and again, beside the same load without compaction.
 */
export async function measureCompaction(scratch: string, options: BenchOptions): Promise<CompactionResult> {
  const disk = await overwriteWithCompaction(join(scratch, 'overwrites'));
  const uncompacted = join(scratch, 'uncompacted', 'tx.log');
  writeOverwriteHistory(uncompacted);
  const restart = {
    compacted: await replaySeconds(join(scratch, 'overwrites', 'tx.log'), options),
    uncompacted: await replaySeconds(uncompacted, options),
    uncompactedBytes: statSync(uncompacted).size,
  };
  const put = await putDuringCompaction(join(scratch, 'put-1m.log'), options);
  return { ...disk, restart, put };
}

/**
 * 1,000,000 overwrites through the real store and file log (in process, sync=never: durability
 * does not change what is on disk), with automatic compaction at the default thresholds.
 */
async function overwriteWithCompaction(dir: string): Promise<Omit<CompactionResult, 'restart' | 'put'>> {
  mkdirSync(dir, { recursive: true });
  const log = new FileTransactionLog({ filename: join(dir, 'tx.log'), sync: 'never' });
  const store = new KeyValueStore(log);
  await store.restore();
  let next = 0;
  const writer = async (): Promise<void> => {
    for (let i = next++; i < OVERWRITES; i = next++) await store.put(benchKey(i % HOT_KEYS), benchValue(i));
  };
  await Promise.all(Array.from({ length: WRITERS }, writer));
  await log.close();
  let liveBytes = 0;
  for (let key = 0; key < HOT_KEYS; key++) {
    const { value, createRevision, modRevision, version } = store.getEntry(benchKey(key));
    const write = { type: 'put' as const, key: benchKey(key), value, createRevision, version };
    liveBytes += encodeRecord({ revision: modRevision, writes: [write] }).length;
  }
  const files = readdirSync(dir).filter((name) => !name.endsWith('.lock'));
  const dirBytes = files.reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
  return {
    overwrites: OVERWRITES,
    keys: HOT_KEYS,
    liveBytes,
    dirBytes,
    minBytes: DEFAULT_COMPACTION_THRESHOLDS.minBytes,
    files: files.length,
  };
}

/** The same 1,000,000 overwrites as one uncompacted log, written with the service's encoder. */
function writeOverwriteHistory(filename: string): void {
  mkdirSync(join(filename, '..'), { recursive: true });
  const fd = openSync(filename, 'w');
  try {
    writeSync(fd, encodeFileHeader());
    let batch: Buffer[] = [];
    for (let i = 0; i < OVERWRITES; i++) {
      const put = {
        type: 'put' as const,
        key: benchKey(i % HOT_KEYS),
        value: benchValue(i),
        createRevision: (i % HOT_KEYS) + 1,
        version: Math.floor(i / HOT_KEYS) + 1,
      };
      batch.push(encodeRecord({ revision: i + 1, writes: [put] }));
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

/** Start-up replay of a log by the service, best of the replay runs (seconds, events). */
async function replaySeconds(logFile: string, options: BenchOptions): Promise<{ seconds: number; events: number }> {
  let best = { seconds: Infinity, events: 0 };
  for (let run = 0; run < options.replayRuns; run++) {
    const { server } = await ServerProcess.start(kvsServer('rest', { logFile, sync: 'always', main: options.main }));
    try {
      const line = REPLAY_LINE.exec(server.log);
      if (!line) throw new Error(`no replay line in the service's output:\n${server.log}`);
      if (Number(line[3]) < best.seconds) best = { seconds: Number(line[3]), events: Number(line[1]) };
    } finally {
      await server.stop();
    }
  }
  return best;
}

/**
 * Durable PUTs (REST, 32 connections) against a service holding a 1M-key log: once alone, once
 * while POST /v1/admin/compact runs back to back for the whole warm-up and measured window.
 */
async function putDuringCompaction(logFile: string, options: BenchOptions): Promise<CompactionResult['put']> {
  writeReplayLog(logFile, KEYS_1M);
  const compactLoop = async (url: string, stopped: () => boolean): Promise<number> => {
    let compactions = 0;
    while (!stopped()) {
      const response = await fetch(`${url}/v1/admin/compact`, { method: 'POST' });
      if (response.status !== 200) throw new Error(`compaction answered ${response.status}: ${await response.text()}`);
      compactions++;
    }
    return compactions;
  };
  const without = await measurePutsWhile(logFile, options);
  const during = await measurePutsWhile(logFile, options, compactLoop);
  return { keys: KEYS_1M, without, during };
}
