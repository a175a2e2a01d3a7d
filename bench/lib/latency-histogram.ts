import * as hdr from 'hdr-histogram-js';

/** Latencies are recorded in microseconds, up to one minute, with three significant digits. */
const MAX_MICROSECONDS = 60_000_000;

/** An HDR histogram of request latencies. */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_MICROSECONDS,
    numberOfSignificantValueDigits: 3,
  });

  /** Records one latency given in milliseconds (fractions kept down to the microsecond). */
  recordMs(milliseconds: number): void {
    this.histogram.recordValue(Math.min(MAX_MICROSECONDS, Math.max(1, Math.round(milliseconds * 1000))));
  }

  /** The latency at a percentile (0–100), in milliseconds. */
  percentileMs(percentile: number): number {
    return this.histogram.getValueAtPercentile(percentile) / 1000;
  }

  /** Latencies recorded. */
  get count(): number {
    return this.histogram.totalCount;
  }
}
