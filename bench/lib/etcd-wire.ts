import { resolve } from 'node:path';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { REPO_ROOT } from './paths';

// etcd's KV service as the gRPC load generator drives it: requests are encoded once, before the
// load starts, from bench/proto/etcd-kv.proto (the part of etcd's rpc.proto the bench needs).

const definition = loadSync(resolve(REPO_ROOT, 'bench/proto/etcd-kv.proto'), { keepCase: true, defaults: true });
const kv = definition['etcdserverpb.KV'] as Record<'Put' | 'Range', MethodDefinition<object, { kvs?: unknown[] }>>;

/** Full method names of etcd's KV service. */
export const ETCD_METHOD = { put: kv.Put.path, range: kv.Range.path } as const;

/** PutRequest { key, value }. */
export function encodeEtcdPut(key: string, value: string): Buffer {
  return kv.Put.requestSerialize({ key: Buffer.from(key), value: Buffer.from(value) });
}

/** RangeRequest { key }: the one key, linearizable (etcd's default). */
export function encodeEtcdRange(key: string): Buffer {
  return kv.Range.requestSerialize({ key: Buffer.from(key) });
}

/** How many pairs a RangeResponse carries: 1 for a stored key, 0 for a missing one. */
export function rangeFound(response: Buffer): number {
  return kv.Range.responseDeserialize(response).kvs?.length ?? 0;
}
