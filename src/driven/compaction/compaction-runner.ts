import type { CompactionReport } from '../../core';
import { LogUnavailableError } from '../../core';
import { describeError } from '../../platform/error-text/error-text';
import type { Logger } from '../../platform/logging/logger';

/** When a log compacts by itself: its history exceeds both figures (KVS_COMPACT_MIN_BYTES, KVS_COMPACT_RATIO). */
export interface CompactionThresholds {
  /** Never compact automatically below this many bytes of history. */
  readonly minBytes: number;
  /** Compact automatically once the history is more than this many times the live data. */
  readonly ratio: number;
}

/** The defaults: 64 MiB and twice the live data, as Redis's auto-aof-rewrite-min-size / -percentage 100. */
export const DEFAULT_COMPACTION_THRESHOLDS: CompactionThresholds = { minBytes: 64 * 1024 * 1024, ratio: 2 };

/** Who asked for a compaction. */
export type CompactionTrigger = 'automatic' | 'on-demand';

/** One finished compaction, as an observer (metrics) sees it. */
export interface CompactionOutcome extends CompactionReport {
  /** skipped: it would not have shrunk the history, so nothing was written. */
  readonly outcome: 'succeeded' | 'failed' | 'skipped';
  readonly trigger: CompactionTrigger;
  /** Which log compacted, e.g. "file" or "postgres". */
  readonly log: string;
}

/** A plain hook for metrics: called once per compaction, after it ends, never throws into the log. */
export interface CompactionObserver {
  compactionFinished?(outcome: CompactionOutcome): void;
}

/** What one compaction pass of a log reports back to the runner. */
export interface CompactionSizes {
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly liveBytes: number;
  /** Set (to the reason) when the pass found nothing to gain and changed nothing. */
  readonly skipped?: string;
}

/** Everything a runner needs besides the compaction itself. */
export interface CompactionRunnerOptions {
  /** Which log this is, for the log line and the observer ("file", "postgres"). */
  readonly log: string;
  readonly thresholds: CompactionThresholds;
  readonly logger: Logger;
  readonly observer?: CompactionObserver;
}

/** First pause after a failed automatic compaction; it doubles with each failure in a row... */
const FIRST_RETRY_DELAY_MS = 1000;
/** ...up to this. */
const MAX_RETRY_DELAY_MS = 5 * 60 * 1000;

/**
 * Runs a log's compactions: one at a time (a second request joins the running one), automatic
 * ones when the history has outgrown the thresholds, a retry after a growing pause when one
 * fails, and one log line (event compaction_done / compaction_failed) plus an observer call
 * per compaction. Shared by the file and the PostgreSQL logs so both follow the same rules.
 */
export class CompactionRunner {
  private running: Promise<CompactionReport> | undefined;
  private failuresInARow = 0;
  private notBefore = 0;
  private stopped = false;

  constructor(
    private readonly compactOnce: () => Promise<CompactionSizes>,
    private readonly options: CompactionRunnerOptions,
  ) {}

  /** True while a compaction runs. */
  get active(): boolean {
    return this.running !== undefined;
  }

  /**
   * Called as the history grows (cheap: two comparisons on the hot path); starts an automatic
   * compaction when `historyBytes` exceeds both thresholds and none is running or pausing.
   */
  consider(historyBytes: number, liveBytes: number): void {
    const { minBytes, ratio } = this.options.thresholds;
    if (historyBytes <= minBytes || historyBytes <= ratio * liveBytes) return;
    if (this.running || this.stopped || Date.now() < this.notBefore) return;
    // The outcome is logged and observed by run(); nobody waits for an automatic compaction.
    this.run('automatic').catch(() => undefined);
  }

  /** Compacts now, or joins the compaction already running. */
  run(trigger: CompactionTrigger): Promise<CompactionReport> {
    if (this.stopped) return Promise.reject(new LogUnavailableError(`${this.options.log} log: closed`));
    this.running ??= this.execute(trigger).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Starts no more compactions and waits for the running one to end (however it ends). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async execute(trigger: CompactionTrigger): Promise<CompactionReport> {
    const { log, logger, observer } = this.options;
    const began = performance.now();
    let sizes: CompactionSizes | undefined;
    let failure: unknown;
    try {
      sizes = await this.compactOnce();
    } catch (error) {
      failure = error;
    }
    const durationMs = Math.round(performance.now() - began);
    const report: CompactionReport = {
      bytesBefore: sizes?.bytesBefore ?? 0,
      bytesAfter: sizes?.bytesAfter ?? 0,
      liveBytes: sizes?.liveBytes ?? 0,
      durationMs,
    };
    const outcome = failure !== undefined ? 'failed' : sizes?.skipped !== undefined ? 'skipped' : 'succeeded';
    try {
      observer?.compactionFinished?.({ ...report, outcome, trigger, log });
    } catch (error) {
      logger.warn({ event: 'compaction_observer_failed', err: error }, 'compaction observer threw');
    }
    if (failure === undefined) {
      this.failuresInARow = 0;
      this.notBefore = 0;
      if (sizes?.skipped !== undefined) {
        logger.info(
          { event: 'compaction_skipped', trigger, reason: sizes.skipped, ...report },
          `${log} log: compaction skipped (${sizes.skipped}): it would not shrink the ${report.bytesBefore} bytes of history`,
        );
        return report;
      }
      logger.info(
        { event: 'compaction_done', trigger, ...report },
        `${log} log: compacted ${report.bytesBefore} bytes of history to ${report.bytesAfter} (live data ${report.liveBytes} bytes) in ${durationMs} ms`,
      );
      return report;
    }
    this.failuresInARow++;
    const retryInMs = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** (this.failuresInARow - 1));
    this.notBefore = Date.now() + retryInMs;
    logger.error(
      { event: 'compaction_failed', trigger, durationMs, retryInMs, err: failure },
      `${log} log: compaction failed (${describeError(failure)}); the previous history stays in charge; ` +
        `automatic retry in ${retryInMs} ms at the earliest`,
    );
    // Clients get no server detail: the cause is in the log line above.
    throw new LogUnavailableError(`${log} log: compaction failed; the log is intact; retry later`);
  }
}
