import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { EXIT_STATUS_TABLE, USAGE } from '../../src/client/cli/kvs-help';
import { withDefaultPort } from '../../src/client/cli/kvs-args';
import { connectionCause } from '../../src/client/cli/connection-diagnosis';
import { exitStatusOf } from '../../src/client/cli/run-command';
import { revisionOf } from '../../src/client/kvs-client';
import { knownErrorCode } from '../../src/api/error-codes';

describe('kvs CLI rules', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1:50051'],
    ['localhost', 'localhost:50051'],
    ['db.example.com:7000', 'db.example.com:7000'],
    ['::1', '[::1]:50051'],
    ['[::1]', '[::1]:50051'],
    ['[::1]:7000', '[::1]:7000'],
    ['dns:///kvs.internal:7000', 'dns:///kvs.internal:7000'],
    ['unix:/run/kvs.sock', 'unix:/run/kvs.sock'],
  ])('address %s means %s (the gRPC default port, never 443)', (given, meant) => {
    expect(withDefaultPort(given)).toBe(meant);
  });

  // "status/code" pairs a server may send, by the exit status each must give.
  const BY_EXIT: Record<number, string> = {
    1: 'NOT_FOUND/KEY_NOT_FOUND',
    3: 'UNAVAILABLE/LOG_UNAVAILABLE UNAVAILABLE/OVERLOADED UNKNOWN/OUTCOME_UNKNOWN DEADLINE_EXCEEDED/',
    4: 'INVALID_ARGUMENT/INVALID_KEY RESOURCE_EXHAUSTED/VALUE_TOO_LARGE INTERNAL/',
    5: 'UNAVAILABLE/READ_ONLY RESOURCE_EXHAUSTED/RATE_LIMITED RESOURCE_EXHAUSTED/QUOTA_EXCEEDED PERMISSION_DENIED/ UNAUTHENTICATED/UNAUTHENTICATED',
    6: 'FAILED_PRECONDITION/PRECONDITION_FAILED FAILED_PRECONDITION/',
  };
  const cases = Object.entries(BY_EXIT).flatMap(([exit, pairs]) =>
    pairs.split(' ').map((pair) => [...pair.split('/'), Number(exit)] as [string, string, number]),
  );

  it.each(cases)('gRPC status %s with code "%s" exits %s', (statusName, code, exit) => {
    const grpcStatus = status[statusName as keyof typeof status];
    expect(exitStatusOf({ status: grpcStatus, code: knownErrorCode(code) })).toBe(exit);
  });

  it('shows a revision only when the answer carries a non-zero one', () => {
    expect(revisionOf({})).toEqual({});
    expect(revisionOf({ revision: '0' })).toEqual({});
    expect(revisionOf({ revision: '42' })).toEqual({ revision: '42' });
    expect(revisionOf({ revision: 7 })).toEqual({ revision: '7' });
  });

  it("keeps the cause of grpc-js's connection failure text, without timestamp and resolution note", () => {
    expect(
      connectionCause(
        'No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1 (2026-12-01T19:38:33.739Z). Resolution note: ',
      ),
    ).toBe('connect ECONNREFUSED 127.0.0.1:1');
    expect(connectionCause('key not found')).toBeUndefined();
  });

  it('documents the same exit-status table in the README and the whole --help in docs/cli.md', () => {
    const root = join(__dirname, '../..');
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain(EXIT_STATUS_TABLE);
    expect(readFileSync(join(root, 'docs/cli.md'), 'utf8')).toContain(USAGE);
  });
});
