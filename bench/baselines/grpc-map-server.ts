// Baseline: bare grpc-js serving proto/keyvalue.proto from a Map; no validation, no log.
import { resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { REPO_ROOT } from '../lib/paths';
import { announceListening, BASELINE_HOST } from './announce';

interface KeyRequest {
  key: string;
  value?: string;
}

const definition = loadSync(resolve(REPO_ROOT, 'proto/keyvalue.proto'), {
  keepCase: true,
  longs: String,
  defaults: true,
});
const service = (grpc.loadPackageDefinition(definition).KeyValue as grpc.ServiceClientConstructor).service;
const store = new Map<string, string>();

const server = new grpc.Server();
server.addService(service, {
  Get: (call: grpc.ServerUnaryCall<KeyRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const value = store.get(call.request.key);
    if (value === undefined) callback({ code: grpc.status.NOT_FOUND, details: 'no such key' });
    else callback(null, { value });
  },
  Put: (call: grpc.ServerUnaryCall<KeyRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    store.set(call.request.key, call.request.value ?? '');
    callback(null, {});
  },
  Delete: (call: grpc.ServerUnaryCall<KeyRequest, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    store.delete(call.request.key);
    callback(null, {});
  },
});
server.bindAsync(`${BASELINE_HOST}:0`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  announceListening('grpc', BASELINE_HOST, port);
});
process.on('SIGTERM', () => process.exit(0));
