import { Counter, Histogram, Registry } from 'prom-client';
import { RequestTally } from '../../../src/observability/metrics/request-tally';

const BOUNDS = [0.001, 0.01, 0.1, 1];

/** kvs_requests_total and kvs_request_duration_seconds on a registry, fed either by a RequestTally or by prom-client itself. */
function metricsOn(tally?: RequestTally): {
  registry: Registry;
  requests: Counter<string>;
  seconds: Histogram<string>;
} {
  const registry = new Registry();
  const requests: Counter<string> = new Counter({
    name: 'kvs_requests_total',
    help: 'requests',
    labelNames: ['frontend', 'operation', 'code'],
    registers: [registry],
    ...(tally && { collect: () => tally.handCounts(requests) }),
  });
  const seconds: Histogram<string> = new Histogram({
    name: 'kvs_request_duration_seconds',
    help: 'durations',
    labelNames: ['frontend', 'operation'],
    buckets: BOUNDS,
    registers: [registry],
    ...(tally && { collect: () => tally.handTimes(seconds) }),
  });
  return { registry, requests, seconds };
}

/** Deterministic request outcomes across frontends, operations, codes and every bucket (on a bound, above the last). */
function outcomes(from: number, count: number): [string, string, number | string, number][] {
  const frontends = ['rest', 'grpc'];
  const operations = ['get', 'put', 'other'];
  const durations = [0.0005, 0.001, 0.004, 0.01, 0.05, 0.1, 0.7, 1, 3, 0];
  return Array.from({ length: count }, (_, index) => {
    const i = from + index;
    const frontend = frontends[i % 2];
    const code = frontend === 'rest' ? [200, 404, 201, 503][i % 4] : ['OK', 'NOT_FOUND'][(i >> 1) % 2];
    return [frontend, operations[(i * 7) % 3], code, durations[(i * 3) % durations.length]];
  });
}

describe('RequestTally', () => {
  it('scrapes exactly what prom-client counting each request itself scrapes, before and after a scrape mid-way', async () => {
    const tally = new RequestTally(BOUNDS);
    const local = metricsOn(tally);
    const reference = metricsOn();
    const feed = (from: number, count: number): void => {
      for (const [frontend, operation, code, seconds] of outcomes(from, count)) {
        tally.record(frontend, operation, code, seconds);
        reference.requests.inc({ frontend, operation, code: String(code) });
        reference.seconds.observe({ frontend, operation }, seconds);
      }
    };

    // Nothing recorded: the same empty families.
    expect(await local.registry.metrics()).toBe(await reference.registry.metrics());
    feed(0, 7);
    const midway = await local.registry.metrics();
    expect(midway).toBe(await reference.registry.metrics());
    expect(midway).toContain('kvs_requests_total{frontend="rest",operation="get",code="200"} 1');
    // Twice in a row with nothing in between: nothing is handed twice.
    expect(await local.registry.metrics()).toBe(midway);

    // More requests, new series among them (combinations first seen after the scrape).
    feed(7, 1000);
    const text = await local.registry.metrics();
    expect(text).toBe(await reference.registry.metrics());
    expect(await local.registry.getMetricsAsJSON()).toEqual(await reference.registry.getMetricsAsJSON());
    const total = (await local.requests.get()).values.reduce((sum, { value }) => sum + value, 0);
    expect(total).toBe(1007);
    const infinite = (await local.seconds.get()).values.filter(
      ({ metricName, labels }) => metricName === 'kvs_request_duration_seconds_bucket' && labels.le === '+Inf',
    );
    expect(infinite.reduce((sum, { value }) => sum + value, 0)).toBe(1007);
  });
});
