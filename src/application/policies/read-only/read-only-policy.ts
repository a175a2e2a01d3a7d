import type { RuntimeFlags } from '../../../platform/flags/runtime-flags';
import type { Verdict } from '../../call/refusal';
import type { Call } from '../../call/call';
import type { Policy } from '../../pipeline/policy.port';

const READ_ONLY = {
  code: 'READ_ONLY',
  message: 'the service is read-only for maintenance; writes are refused, reads work',
  retryAfterSeconds: 5,
} as const;

/** Refuses every `write` operation of the table with READ_ONLY while the `read-only` runtime flag is on. */
export class ReadOnlyPolicy implements Policy {
  readonly name = 'read-only';

  constructor(private readonly flags: Pick<RuntimeFlags, 'readOnly'>) {}

  admit(call: Call): Verdict {
    return call.operation.kind === 'write' && this.flags.readOnly ? READ_ONLY : undefined;
  }
}
