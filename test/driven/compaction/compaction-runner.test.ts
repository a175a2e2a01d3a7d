import {
  CompactionRunner,
  type CompactionOutcome,
  type CompactionSizes,
} from '../../../src/driven/compaction/compaction-runner';
import { LogUnavailableError } from '../../../src/core';
import { recordingLogger } from '../../support/recording-logger';

const SIZES: CompactionSizes = { bytesBefore: 1000, bytesAfter: 100, liveBytes: 90 };

function runner(compactOnce: () => Promise<CompactionSizes>) {
  const lines = recordingLogger();
  const outcomes: CompactionOutcome[] = [];
  const run = new CompactionRunner(compactOnce, {
    log: 'test',
    thresholds: { minBytes: 500, ratio: 2 },
    logger: lines.logger,
    observer: { compactionFinished: (outcome) => outcomes.push(outcome) },
  });
  return { run, lines, outcomes };
}

describe('CompactionRunner', () => {
  it('reports each compaction to the observer and in one log line with its figures', async () => {
    const { run, lines, outcomes } = runner(async () => SIZES);
    const report = await run.run('on-demand');
    expect(report).toMatchObject(SIZES);
    expect(outcomes).toEqual([
      expect.objectContaining({ ...SIZES, outcome: 'succeeded', trigger: 'on-demand', log: 'test' }),
    ]);
    const [line] = lines.records.filter((record) => record.event === 'compaction_done');
    expect(line).toMatchObject({ ...SIZES, trigger: 'on-demand' });
    expect(typeof line.durationMs).toBe('number');
  });

  it('runs one compaction at a time: a second request joins the running one', async () => {
    let calls = 0;
    let finish: (sizes: CompactionSizes) => void = () => undefined;
    const { run } = runner(() => {
      calls++;
      return new Promise((resolve) => (finish = resolve));
    });
    const first = run.run('on-demand');
    const second = run.run('on-demand');
    run.consider(10_000, 0);
    finish(SIZES);
    expect(await first).toBe(await second);
    expect(calls).toBe(1);
  });

  it('starts by itself only past both thresholds', async () => {
    let calls = 0;
    const { run } = runner(async () => {
      calls++;
      return SIZES;
    });
    run.consider(500, 0); // not above the minimum
    run.consider(900, 450); // not above ratio × live
    expect(calls).toBe(0);
    run.consider(901, 450);
    expect(calls).toBe(1);
    await run.stop();
  });

  it('reports a failure without server detail, logs why, and pauses automatic retries', async () => {
    let calls = 0;
    const { run, lines, outcomes } = runner(async () => {
      calls++;
      throw new Error('ENOSPC: no space left on device, write /data/tx.log.base.2.tmp');
    });
    await expect(run.run('on-demand')).rejects.toThrow(LogUnavailableError);
    await expect(run.run('on-demand')).rejects.toThrow('test log: compaction failed; the log is intact; retry later');
    expect(outcomes.map((outcome) => outcome.outcome)).toEqual(['failed', 'failed']);
    const failed = lines.records.filter((record) => record.event === 'compaction_failed');
    expect(failed[0].msg).toContain('ENOSPC');
    expect(failed[1]).toMatchObject({ retryInMs: 2000 });
    run.consider(10_000, 0); // within the pause: no automatic attempt
    expect(calls).toBe(2);
  });
});
