import { encodeRecord } from '../../../src/driven/file-log/record-format';

describe('file log: lease keepalives', () => {
  it('refuses to encode a keepalive: the file log has one writer, whose keepalives renew memory only', () => {
    const keepalive = { type: 'keepalive', id: 7, ttlMs: 1000, deadline: 1_700_000_001_000 } as const;
    expect(() => encodeRecord({ revision: 3, writes: [], leases: [keepalive] })).toThrow(
      'record 3 holds a lease keepalive, which the file log never records',
    );
    // A grant and a revoke still encode.
    expect(
      encodeRecord({ revision: 4, writes: [], leases: [{ type: 'grant', id: 7, ttlMs: 1000 }] }).length,
    ).toBeGreaterThan(0);
  });
});
