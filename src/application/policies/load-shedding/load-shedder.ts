import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Logger } from '../../../platform/logging/logger';
import type { Refusal } from '../../call/refusal';
import type { LoadSheddingConfig } from './load-shedding.config';

/** How often the event-loop delay is sampled; the verdict holds until the next sample. */
const SAMPLE_INTERVAL_MS = 500;
/** Resolution of the delay histogram (Node's default is 10 ms, too coarse for a 50 ms bound). */
const HISTOGRAM_RESOLUTION_MS = 10;

const OVERLOADED: Refusal = {
  code: 'OVERLOADED',
  message: 'server overloaded; retry with backoff',
  retryAfterSeconds: 1,
};

/**
 * Refuses new requests at once while the process is overloaded, instead of letting them queue
 * until their clients time out: when more than maxInFlight requests are in flight (counted
 * across all frontends) or the event loop lagged more than maxEventLoopLagMs in the last
 * sample. The lag is measured with perf_hooks.monitorEventLoopDelay, sampled every 500 ms, so
 * the per-request check is a counter comparison and a boolean.
 */
export class LoadShedder {
  private inFlight = 0;
  private lagging = false;
  /** Whether requests have been refused for KVS_MAX_IN_FLIGHT since in-flight last fell below it. */
  private saturated = false;
  private readonly histogram?: IntervalHistogram;
  private readonly sampler?: NodeJS.Timeout;

  constructor(
    private readonly config: LoadSheddingConfig,
    private readonly logger: Logger,
  ) {
    if (config.maxEventLoopLagMs > 0) {
      const histogram = monitorEventLoopDelay({ resolution: HISTOGRAM_RESOLUTION_MS });
      histogram.enable();
      this.histogram = histogram;
      this.sampler = setInterval(() => this.sample(), SAMPLE_INTERVAL_MS).unref();
    }
  }

  /**
   * Admits a request (the caller must call the returned release exactly once when it ends),
   * or returns the refusal to answer with.
   */
  admit(): { release: () => void } | Refusal {
    const { maxInFlight } = this.config;
    if (this.lagging) return OVERLOADED;
    if (maxInFlight > 0 && this.inFlight >= maxInFlight) {
      if (!this.saturated) this.noteSaturation(true);
      return OVERLOADED;
    }
    this.inFlight += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        if (this.saturated && this.inFlight < maxInFlight) this.noteSaturation(false);
      },
    };
  }

  /** Logs the in-flight bound's transitions once each, like the lag ones (never per request). */
  private noteSaturation(saturated: boolean): void {
    this.saturated = saturated;
    const { maxInFlight } = this.config;
    this.logger.warn(
      { event: saturated ? 'shedding_started' : 'shedding_stopped', reason: 'in_flight', maxInFlight },
      saturated
        ? `${maxInFlight} requests in flight (KVS_MAX_IN_FLIGHT); shedding new requests`
        : `requests in flight back under KVS_MAX_IN_FLIGHT (${maxInFlight})`,
    );
  }

  /** Stops sampling the event loop (the sampler is unref'd: tests stop it, the service never needs to). */
  close(): void {
    clearInterval(this.sampler);
    this.histogram?.disable();
  }

  private sample(): void {
    const histogram = this.histogram!;
    // The histogram records nanoseconds and includes the resolution's own sleep; subtract it.
    const lagMs = Math.max(0, histogram.percentile(99) / 1e6 - HISTOGRAM_RESOLUTION_MS);
    histogram.reset();
    const lagging = lagMs > this.config.maxEventLoopLagMs;
    if (lagging === this.lagging) return;
    // The state changes before the line is logged, so what the line says already holds.
    this.lagging = lagging;
    this.logger.warn(
      { event: lagging ? 'shedding_started' : 'shedding_stopped', reason: 'event_loop_lag', lagMs: Math.round(lagMs) },
      lagging ? `event loop lag ${Math.round(lagMs)} ms; shedding new requests` : 'event loop lag back to normal',
    );
  }
}
