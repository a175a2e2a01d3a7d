import type { Call } from '../../application/call/call';
import type { Observer } from '../../application/pipeline';
import type { KvsMetrics } from './kvs-metrics';

/**
 * Counts and times every answered call, one observer for every transport, under the `metric`
 * label of its operation's row: refused and shed calls count under their operation, and calls
 * that map to no row (`UNROUTED`) under `other`. Calls the client abandoned before an answer are
 * not counted. The counts go to the metrics' RequestTally (plain numbers, handed to prom-client
 * at scrape), so a call does no label hashing.
 */
export class RequestMetricsObserver implements Observer {
  readonly name = 'request-metrics';

  constructor(private readonly metrics: KvsMetrics) {}

  observe(call: Call): void {
    call.atEnd(this.ended);
  }

  /** One function for every call's end: observing a call allocates no closure. */
  private readonly ended = (call: Call): void => {
    const outcome = call.outcome!;
    if (outcome.answered)
      this.metrics.requestTally.record(
        call.transport,
        call.operation.metric,
        outcome.status,
        (performance.now() - call.startedAt) / 1000,
      );
  };
}
