import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadKeyValuePackage } from '../../src/api/keyvalue-proto';
import type { KeyValueClient } from '../../src/api/generated/KeyValue';
import type { TxnRequest } from '../../src/api/generated/TxnRequest';
import { errorLogLines, startService, type ServiceProcess } from '../support/service-process';
import { rawClient, rawUnary } from '../support/grpc-raw';
import { SeededRandom } from '../support/seeded-random';
import { runCases } from '../support/run-cases';
import { HOSTILE_STRINGS } from '../support/hostile-strings';

// Bounded and seeded: the same cases on every run.
const RAW_CASES = 400;
const TYPED_CASES = 400;
const CONCURRENCY = 8;
const METHODS = ['Range', 'DeleteRange', 'Txn', 'Put', 'Delete', 'Get'];
/** What a client may be told; INTERNAL, UNKNOWN or UNIMPLEMENTED would be a server fault. */
const ACCEPTABLE = new Set(['OK', 'INVALID_ARGUMENT', 'FAILED_PRECONDITION', 'RESOURCE_EXHAUSTED', 'NOT_FOUND']);

let dir: string;
let service: ServiceProcess;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kvs-model-fuzz-'));
  // A short read wait: random min_revision fields ask for revisions that never come.
  service = await startService({
    TLOG_FILENAME: join(dir, 'tx.log'),
    FRONTEND_TYPE: 'grpc',
    LOG_LEVEL: 'info',
    KVS_MAX_READ_WAIT_MS: '20',
  });
});

afterAll(async () => {
  service.process.kill('SIGKILL');
  await service.exited();
  await rm(dir, { recursive: true, force: true });
});

function varint(value: bigint): Buffer {
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, value);
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Buffer.from(bytes);
}

const tag = (field: number, wireType: number): Buffer => varint(BigInt((field << 3) | wireType));

/** A random protobuf message of up to `depth` nesting: random field numbers, wire types and payloads. */
function randomMessage(random: SeededRandom, depth: number): Buffer {
  const fields: Buffer[] = [];
  for (let i = random.int(0, 6); i > 0; i--) {
    const field = random.int(1, 9);
    switch (random.int(0, 4)) {
      case 0:
        fields.push(
          tag(field, 0),
          varint(random.pick([0n, 1n, -1n, 2n ** 63n - 1n, -(2n ** 63n), BigInt(random.int(0, 5000))])),
        );
        break;
      case 1: {
        const text = Buffer.from(random.pick([...HOSTILE_STRINGS, '', 'k', 'x'.repeat(random.int(0, 2000))]));
        fields.push(tag(field, 2), varint(BigInt(text.length)), text);
        break;
      }
      case 2: {
        const bytes = random.bytes(random.int(0, 24));
        fields.push(tag(field, 2), varint(BigInt(bytes.length)), bytes);
        break;
      }
      case 3: {
        const nested = depth > 0 ? randomMessage(random, depth - 1) : random.bytes(random.int(0, 8));
        fields.push(tag(field, 2), varint(BigInt(nested.length)), nested);
        break;
      }
      default:
        fields.push(tag(field, random.pick([1, 5])), random.bytes(random.pick([4, 8])));
    }
  }
  const message = Buffer.concat(fields);
  // A fifth of the cases are cut short somewhere.
  return random.chance(0.2) && message.length > 1 ? message.subarray(0, random.int(1, message.length - 1)) : message;
}

describe('gRPC data-model fuzz (seed 17)', () => {
  it('answers random bytes to the new methods with client errors or success, never INTERNAL', async () => {
    const random = new SeededRandom(17);
    const cases = Array.from({ length: RAW_CASES }, () => ({
      method: random.pick(METHODS),
      bytes: randomMessage(random, 3),
    }));
    const client = rawClient(service.grpcAddress!);
    try {
      const answers = await runCases(RAW_CASES, CONCURRENCY, (i) =>
        rawUnary(client, `/KeyValue/${cases[i].method}`, cases[i].bytes),
      );
      const unexpected = answers
        .map((answer, i) => ({
          // A random min_revision beyond the store's revision is waited for, then REPLICA_BEHIND: a right answer.
          status: answer.errorCode === 'REPLICA_BEHIND' ? 'REPLICA_BEHIND' : grpc.status[answer.code],
          method: cases[i].method,
          hex: cases[i].bytes.toString('hex'),
        }))
        .filter(({ status }) => !ACCEPTABLE.has(status) && status !== 'REPLICA_BEHIND');
      expect(unexpected).toEqual([]);
      // Both outcomes must occur, or the fuzz tests little.
      expect(answers.filter((answer) => answer.code === grpc.status.OK).length).toBeGreaterThan(20);
      expect(answers.filter((answer) => answer.code === grpc.status.INVALID_ARGUMENT).length).toBeGreaterThan(20);
    } finally {
      client.close();
    }
    expect(errorLogLines(service)).toEqual([]);
  });

  it('answers random field values through a generated client with client errors or success, never INTERNAL', async () => {
    const random = new SeededRandom(18);
    const stub: KeyValueClient = new (loadKeyValuePackage().KeyValue)(
      service.grpcAddress!,
      grpc.credentials.createInsecure(),
    );
    const text = () => random.pick([...HOSTILE_STRINGS, '', 'k', 'fz/', 'x'.repeat(random.int(1000, 1100))]);
    const int64 = () =>
      random.pick(['0', '1', '-1', '9007199254740993', '9223372036854775807', String(random.int(0, 50))]);
    const enumValue = <T>(names: readonly T[]) => random.pick<T | number>([...names, 0, 99, -1]);
    const compare = () => ({
      key: text(),
      target: enumValue(['MOD_REVISION', 'CREATE_REVISION', 'VERSION', 'VALUE', 'EXISTS'] as const),
      op: enumValue(['EQUAL', 'NOT_EQUAL', 'LESS', 'GREATER'] as const),
      ...random.pick([{ number: int64() }, { value: text() }, { exists: random.chance(0.5) }, {}]),
    });
    const op = () =>
      random.pick([
        { put: { key: text(), value: text(), ...(random.chance(0.1) ? { expected_mod_revision: int64() } : {}) } },
        { delete: { key: text(), require_exists: random.chance(0.1) } },
        { get: { key: text() } },
        {},
      ]);
    const many = <T>(make: () => T, most: number) => Array.from({ length: random.pick([0, 1, 2, 5, most]) }, make);
    type Call = (done: (error: grpc.ServiceError | null) => void) => void;
    const calls: Call[] = Array.from({ length: TYPED_CASES }, (): Call => {
      switch (random.int(0, 4)) {
        case 0: {
          const request = {
            prefix: text(),
            start_after: text(),
            limit: random.pick([0, 1, 1000, 1001, -1, 2 ** 31 - 1, -(2 ** 31)]),
            keys_only: random.chance(0.5),
            start: random.chance(0.5) ? text() : '',
            end: random.chance(0.5) ? text() : '',
          };
          return (done) => stub.Range(request, done);
        }
        case 1: {
          const request = { prefix: 'fz/' + text(), start: random.chance(0.3) ? text() : '', all: random.chance(0.2) };
          return (done) => stub.DeleteRange(request, done);
        }
        case 2: {
          const request = { compare: many(compare, 129), success: many(op, 129), failure: many(op, 3) };
          // Deliberately off the generated type: enum numbers no CompareTarget or CompareOp has.
          return (done) => stub.Txn(request as unknown as TxnRequest, done);
        }
        case 3: {
          const request = {
            key: text(),
            value: text(),
            expected_mod_revision: int64(),
            require_exists: random.chance(0.3),
          };
          return (done) => stub.Put(request, done);
        }
        default: {
          const request = { key: text(), expected_mod_revision: int64(), require_exists: random.chance(0.3) };
          return (done) => stub.Delete(request, done);
        }
      }
    });
    try {
      const statuses = await runCases(
        TYPED_CASES,
        CONCURRENCY,
        (i: number) =>
          new Promise<string>((resolve) => calls[i]((error) => resolve(grpc.status[error?.code ?? grpc.status.OK]))),
      );
      const unexpected = statuses.map((status, i) => ({ status, i })).filter(({ status }) => !ACCEPTABLE.has(status));
      expect(unexpected).toEqual([]);
      expect(statuses.filter((status) => status === 'OK').length).toBeGreaterThan(20);
      expect(statuses.filter((status) => status === 'INVALID_ARGUMENT').length).toBeGreaterThan(20);
    } finally {
      stub.close();
    }
    expect(errorLogLines(service)).toEqual([]);
  });
});
