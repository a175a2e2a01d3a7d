import {
  deserializeError,
  isKvsMessage,
  LeaseNotFoundError,
  LogUnavailableError,
  OutcomeUnknownError,
  PreconditionFailedError,
  QuotaExceededError,
  serializeError,
} from '../../src/core';

/** An error as it comes out of the owner's channel: serialized, structured-cloned, rebuilt. */
function acrossTheChannel(error: unknown): Error {
  return deserializeError(JSON.parse(JSON.stringify(serializeError(error))) as ReturnType<typeof serializeError>);
}

describe('the worker protocol', () => {
  it("rebuilds the core's errors as the same classes with the same fields (the error tables map them)", () => {
    const precondition = acrossTheChannel(new PreconditionFailedError('k', 7));
    expect(precondition).toBeInstanceOf(PreconditionFailedError);
    expect(precondition).toMatchObject({ code: 'PRECONDITION_FAILED', key: 'k', currentModRevision: 7 });
    expect(acrossTheChannel(new LeaseNotFoundError(42))).toMatchObject({ code: 'LEASE_NOT_FOUND', id: 42 });
    const unavailable = acrossTheChannel(new LogUnavailableError('disk full', false));
    expect(unavailable).toBeInstanceOf(LogUnavailableError);
    expect(unavailable).toMatchObject({ message: 'disk full', retryable: false });
    expect(acrossTheChannel(new QuotaExceededError('over'))).toBeInstanceOf(QuotaExceededError);
  });

  it('drops what cannot cross (an outcome promise) and keeps the class: the worker answers outcome unknown', () => {
    const unknown = acrossTheChannel(new OutcomeUnknownError('stalled', Promise.resolve(true)));
    expect(unknown).toBeInstanceOf(OutcomeUnknownError);
    expect(unknown).toMatchObject({ code: 'OUTCOME_UNKNOWN', message: 'stalled' });
    expect((unknown as OutcomeUnknownError).outcome).toBeUndefined();
  });

  it('makes anything else a plain Error (a 500 / INTERNAL, as in one process)', () => {
    const bug = acrossTheChannel(new TypeError('x is undefined'));
    expect(bug).toBeInstanceOf(Error);
    expect(bug).not.toBeInstanceOf(TypeError);
    expect(bug.message).toBe('x is undefined');
    expect(acrossTheChannel('a string').message).toBe('a string');
  });

  it("tells its messages from the channel's other users (prom-client, rate-limiter-flexible)", () => {
    expect(isKvsMessage({ kvs: 'batch', records: [], replies: [] })).toBe(true);
    expect(isKvsMessage({ type: 'prom-client:getMetricsReq', requestId: 1 })).toBe(false);
    expect(isKvsMessage({ channel: 'rate_limiter_flexible', type: 'init' })).toBe(false);
    expect(isKvsMessage(null)).toBe(false);
  });
});
