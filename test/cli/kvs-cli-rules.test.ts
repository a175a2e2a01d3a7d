import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { EXIT_STATUS_TABLE, USAGE } from '../../src/client/cli/kvs-help';
import { withDefaultPort } from '../../src/client/cli/kvs-args';
import { connectionCause } from '../../src/client/cli/connection-diagnosis';
import { exitStatusOf } from '../../src/client/cli/run-command';
import { revisionOf } from '../../src/client/kvs-client';

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

  it.each([
    [status.NOT_FOUND, 'KEY_NOT_FOUND', 1],
    [status.UNAVAILABLE, 'LOG_UNAVAILABLE', 3],
    [status.UNAVAILABLE, 'OVERLOADED', 3],
    [status.UNKNOWN, 'OUTCOME_UNKNOWN', 3],
    [status.DEADLINE_EXCEEDED, undefined, 3],
    [status.INVALID_ARGUMENT, 'INVALID_KEY', 4],
    [status.RESOURCE_EXHAUSTED, 'VALUE_TOO_LARGE', 4],
    [status.INTERNAL, undefined, 4],
    [status.UNAVAILABLE, 'READ_ONLY', 5],
    [status.RESOURCE_EXHAUSTED, 'RATE_LIMITED', 5],
    [status.RESOURCE_EXHAUSTED, 'QUOTA_EXCEEDED', 5],
    [status.PERMISSION_DENIED, undefined, 5],
    [status.UNAUTHENTICATED, 'UNAUTHENTICATED', 5],
    [status.FAILED_PRECONDITION, 'PRECONDITION_FAILED', 6],
    [status.FAILED_PRECONDITION, undefined, 6],
  ] as const)('gRPC status %s with code %s exits %s', (grpcStatus, code, exit) => {
    expect(exitStatusOf({ status: grpcStatus, code })).toBe(exit);
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
