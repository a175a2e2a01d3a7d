import type { Clock } from '../../core';

/** Samples kept: the one with the shortest round trip among them sets the offset (NTP's delay filter). */
const KEPT_SAMPLES = 4;
/**
 * How far two samples may disagree beyond their error bounds (clock rates differ by up to a few
 * hundred ppm over the seconds between samples) before the database clock counts as stepped.
 */
const STEP_TOLERANCE_MS = 5;

/** One reading of the database clock: its offset from the local monotonic clock, and its error bound. */
interface Sample {
  readonly offsetMs: number;
  /** Half the round trip: the database read its clock somewhere within it. */
  readonly errorMs: number;
}

/**
 * The clock of the database that a shared log lives in (KVS_REPLICAS=shared), as this replica
 * estimates it: the offset between the database's clock_timestamp() and this process's
 * monotonic clock, measured on the round trips the log makes anyway (the start-up and the
 * liveness ping every second). Every replica sets and judges deadlines by it, so a key expires
 * at the same instant everywhere, whatever each host's own wall clock says; the host's clock is
 * never read (a step of it changes nothing). The estimate is off by at most half the round trip
 * of the sample in use (typically well under a millisecond on one network). A step of the
 * database's own clock shows in the first sample after it (docs/ttl-and-leases.md).
 */
export class DatabaseClock implements Clock {
  private samples: Sample[] = [];
  private offsetMs: number | undefined;

  /** `local`: a monotonic clock in ms (performance.now by default; tests pass their own). */
  constructor(private readonly local: () => number = () => performance.now()) {}

  /** Unix ms by the database's clock; the host's wall clock until the first sample. */
  now(): number {
    if (this.offsetMs === undefined) return Date.now();
    return Math.round(this.local() + this.offsetMs);
  }

  /** The local monotonic time now, to stamp a sample's request with. */
  localNow(): number {
    return this.local();
  }

  /**
   * Takes one reading: the database said `databaseMs` (Unix ms) to a request sent at local time
   * `sentAt` and answered at `receivedAt`. Of the last few samples the one with the shortest
   * round trip is the best estimate; a sample that cannot agree with it within both error bounds
   * means the database clock was stepped, and the older samples are dropped.
   */
  sample(databaseMs: number, sentAt: number, receivedAt: number): void {
    const errorMs = Math.max(0, receivedAt - sentAt) / 2;
    const sample: Sample = { offsetMs: databaseMs - (sentAt + errorMs), errorMs };
    const best = this.best();
    if (best && Math.abs(sample.offsetMs - best.offsetMs) > sample.errorMs + best.errorMs + STEP_TOLERANCE_MS) {
      this.samples = [];
    }
    this.samples.push(sample);
    if (this.samples.length > KEPT_SAMPLES) this.samples.shift();
    this.offsetMs = this.best()?.offsetMs;
  }

  private best(): Sample | undefined {
    let best: Sample | undefined;
    for (const sample of this.samples) if (best === undefined || sample.errorMs < best.errorMs) best = sample;
    return best;
  }
}
