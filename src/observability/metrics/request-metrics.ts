import type { Counter, Histogram } from 'prom-client';
import type { Call } from '../../application/call/call';
import type { Observer } from '../../application/pipeline';
import type { KvsMetrics } from './kvs-metrics';

/**
 * Counts and times every answered call, one observer for every transport, under the `metric`
 * label of its operation's row: refused and shed calls count under their operation, and calls
 * that map to no row (`UNROUTED`) under `other`. Calls the client abandoned before an answer are
 * not counted. The label children are kept per label combination, so a call allocates no label
 * objects (prom-client still hashes the labels on each increment).
 */
export class RequestMetricsObserver implements Observer {
  readonly name = 'request-metrics';
  private readonly counters = new Map<string, Counter.Internal>();
  private readonly timers = new Map<string, Histogram.Internal<string>>();

  constructor(private readonly metrics: KvsMetrics) {}

  observe(call: Call): void {
    call.atEnd(() => {
      const outcome = call.outcome!;
      if (outcome.answered) this.record(call.transport, call.operation.metric, String(outcome.status), call.startedAt);
    });
  }

  private record(frontend: string, operation: string, code: string, startedAt: number): void {
    const timerKey = `${frontend} ${operation}`;
    const counterKey = `${timerKey} ${code}`;
    let counter = this.counters.get(counterKey);
    if (!counter) {
      counter = this.metrics.requests.labels({ frontend, operation, code });
      this.counters.set(counterKey, counter);
    }
    let timer = this.timers.get(timerKey);
    if (!timer) {
      timer = this.metrics.requestSeconds.labels({ frontend, operation });
      this.timers.set(timerKey, timer);
    }
    counter.inc();
    timer.observe((performance.now() - startedAt) / 1000);
  }
}
