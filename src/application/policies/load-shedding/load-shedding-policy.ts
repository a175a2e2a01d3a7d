import type { Call } from '../../call/call';
import type { Verdict } from '../../call/refusal';
import type { Policy } from '../../pipeline/policy.port';
import type { LoadShedder } from './load-shedder';

/** Refuses calls at once while the process is overloaded; probes are never shed, so "busy" is not "dead". */
export class LoadSheddingPolicy implements Policy {
  readonly name = 'load-shedding';

  constructor(private readonly shedder: LoadShedder) {}

  admit(call: Call): Verdict {
    if (call.operation.kind === 'probe') return undefined;
    const admission = this.shedder.admit();
    if ('code' in admission) return admission;
    // A stream is shed when it opens but then lives for hours: it must not fill the in-flight count.
    if (call.operation.stream) admission.release();
    else call.atEnd(admission.release);
    return undefined;
  }
}
