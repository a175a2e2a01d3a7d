import type { Counter, Histogram } from 'prom-client';

/** The labels of kvs_request_duration_seconds. */
type PairLabels = { readonly frontend: string; readonly operation: string };
/** The labels of kvs_requests_total. */
type CodeLabels = PairLabels & { readonly code: string };

/** Answers of one (frontend, operation, code) series: counted here, handed to the counter at scrape. */
class CodeTally {
  count = 0;
  /** What the counter has been given so far. */
  handed = 0;
  constructor(readonly labels: CodeLabels) {}
}

/** One (frontend, operation) pair: its answers by code and its duration histogram. */
class PairTally {
  readonly codes = new Map<number | string, CodeTally>();
  /** Observations per bucket (not cumulative), one per upper bound; above the last: counted only. */
  readonly buckets: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: PairLabels,
    bounds: number,
  ) {
    this.buckets = new Array<number>(bounds).fill(0);
  }
}

/**
 * A series of prom-client 15's Histogram as its exposition reads it (`hashMap` values: labels,
 * per-bound counts keyed by bound, sum, count), which the histogram's collect hook writes; the
 * metrics test checks the scrape against a Histogram fed through `observe`.
 */
interface HistogramSeries {
  labels: PairLabels;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * The request counts and durations, counted in plain numbers per label combination and handed to
 * prom-client's kvs_requests_total and kvs_request_duration_seconds only when they are collected
 * (a scrape), so that a request does no label hashing or validation. Measured (issue 22): the
 * labelled children (a label hash and validation per `inc` and per `observe`, a label object per
 * observation) cost 2.7-3.5 µs per request in a loop, counting here 0.1 µs; a bare node:http GET
 * costs about 17 µs of CPU in all. The scrape shows the series, names, labels, buckets and
 * first-seen order prom-client itself would (test/observability/metrics/request-tally.test.ts).
 */
export class RequestTally {
  private readonly byFrontend = new Map<string, Map<string, PairTally>>();
  /** Every pair and every code series, in the order first seen (prom-client's series order). */
  private readonly pairs: PairTally[] = [];
  private readonly codes: CodeTally[] = [];

  /** `bounds`: the histogram's bucket upper bounds, ascending. */
  constructor(private readonly bounds: readonly number[]) {}

  /** Counts one answered request and its duration. */
  record(frontend: string, operation: string, code: number | string, seconds: number): void {
    const pair = this.pairOf(frontend, operation);
    let tally = pair.codes.get(code);
    if (tally === undefined) {
      tally = new CodeTally({ frontend, operation, code: String(code) });
      pair.codes.set(code, tally);
      this.codes.push(tally);
    }
    tally.count += 1;
    const { bounds } = this;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]) {
        pair.buckets[i] += 1;
        break;
      }
    }
    pair.sum += seconds;
    pair.count += 1;
  }

  /** The collect hook of kvs_requests_total: gives the counter what was counted since the last collect. */
  handCounts(counter: Counter<keyof CodeLabels>): void {
    for (const tally of this.codes) {
      const delta = tally.count - tally.handed;
      if (delta === 0) continue;
      counter.inc(tally.labels, delta);
      tally.handed = tally.count;
    }
  }

  /** The collect hook of kvs_request_duration_seconds: sets its series to the counts so far. */
  handTimes(histogram: Histogram<keyof PairLabels>): void {
    const series = (histogram as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap;
    for (const pair of this.pairs) {
      const bucketValues: Record<number, number> = {};
      this.bounds.forEach((bound, i) => (bucketValues[bound] = pair.buckets[i]));
      // prom-client's own key for these labels (sorted label names), so its methods find the series.
      series[`frontend:${pair.labels.frontend},operation:${pair.labels.operation},`] = {
        labels: pair.labels,
        bucketValues,
        sum: pair.sum,
        count: pair.count,
      };
    }
  }

  private pairOf(frontend: string, operation: string): PairTally {
    let operations = this.byFrontend.get(frontend);
    if (operations === undefined) {
      operations = new Map();
      this.byFrontend.set(frontend, operations);
    }
    let pair = operations.get(operation);
    if (pair === undefined) {
      pair = new PairTally({ frontend, operation }, this.bounds.length);
      operations.set(operation, pair);
      this.pairs.push(pair);
    }
    return pair;
  }
}
