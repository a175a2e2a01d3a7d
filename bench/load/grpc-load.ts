// Load-generator process for the gRPC rows: closed loop, N calls in flight over a few channels.
import { readFileSync } from 'node:fs';
import { status, type ServiceError } from '@grpc/grpc-js';
import { encodeEtcdPut, encodeEtcdRange, ETCD_METHOD, rangeFound } from '../lib/etcd-wire';
import { RawGrpcChannel, encodeGetRequest, encodePutRequest, METHOD } from '../lib/grpc-wire';
import { LatencyHistogram } from '../lib/latency-histogram';
import { readLoadSpec, reportLoadResult, type GrpcApi } from '../lib/load-protocol';
import { measureWindow } from '../lib/measured-window';
import { benchKey, benchValue, HOT_KEYS, needsPreload, workloadSteps } from '../lib/workload';

/** Calls are spread over at most this many HTTP/2 connections, as a client pool would. */
const MAX_CHANNELS = 4;
const CONNECT_TIMEOUT_MS = 10_000;
const PRELOAD_CONCURRENCY = 16;

interface EncodedCall {
  readonly method: string;
  readonly request: Buffer;
  /** Whether the answer is the expected one (an error status, or the response message). */
  readonly accepts: (error: ServiceError | null, response?: Buffer) => boolean;
}

/** Builds the pre-encoded calls of one gRPC API. */
interface ApiCalls {
  get(key: string, expectFound: boolean): EncodedCall;
  put(key: string, value: string): EncodedCall;
}

const code = (error: ServiceError | null): status => error?.code ?? status.OK;

const API_CALLS: Record<GrpcApi, ApiCalls> = {
  kvs: {
    get: (key, expectFound) => ({
      method: METHOD.get,
      request: encodeGetRequest(key),
      accepts: (error) => code(error) === (expectFound ? status.OK : status.NOT_FOUND),
    }),
    put: (key, value) => ({ method: METHOD.put, request: encodePutRequest(key, value), accepts: (e) => !e }),
  },
  // Range answers OK for a missing key too: the pairs it carries say whether the key was found.
  // Decoding them costs the load generator a few microseconds a call, against the ~100 of a
  // grpc-js call.
  etcd: {
    get: (key, expectFound) => ({
      method: ETCD_METHOD.range,
      request: encodeEtcdRange(key),
      accepts: (error, response) => !error && response !== undefined && rangeFound(response) === (expectFound ? 1 : 0),
    }),
    put: (key, value) => ({ method: ETCD_METHOD.put, request: encodeEtcdPut(key, value), accepts: (e) => !e }),
  },
};

async function main(): Promise<void> {
  const spec = readLoadSpec(process.argv);
  const security = { ca: spec.caFile ? readFileSync(spec.caFile) : undefined, token: spec.token };
  const channels = Array.from(
    { length: Math.min(spec.connections, MAX_CHANNELS) },
    () => new RawGrpcChannel(spec.target, security),
  );
  await Promise.all(channels.map((channel) => channel.ready(CONNECT_TIMEOUT_MS)));
  const api = API_CALLS[spec.api ?? 'kvs'];
  if (needsPreload(spec.operation)) await preload(channels[0], api);

  const calls: EncodedCall[] = workloadSteps(spec.operation).map((step) =>
    step.kind === 'get' ? api.get(step.key, step.expectFound) : api.put(step.key, step.value),
  );

  let measuring = false;
  let stopping = false;
  let latencies = new LatencyHistogram();
  let responses = 0;
  let errors = 0;
  let next = 0;
  let inFlight = 0;
  let allDone: () => void = () => undefined;

  const issue = (channel: RawGrpcChannel): void => {
    const call = calls[next];
    next = (next + 1) % calls.length;
    const began = performance.now();
    inFlight++;
    channel.call(call.method, call.request, (error, response) => {
      inFlight--;
      if (measuring) {
        responses++;
        latencies.recordMs(performance.now() - began);
        if (!call.accepts(error, response)) errors++;
      }
      if (!stopping) issue(channel);
      else if (inFlight === 0) allDone();
    });
  };
  for (let i = 0; i < spec.connections; i++) issue(channels[i % channels.length]);

  const { seconds, serverCpuTicks, loadGcPauseMs } = await measureWindow(spec, (on) => {
    if (on) latencies = new LatencyHistogram();
    measuring = on;
  });
  stopping = true;
  await new Promise<void>((resolve) => (inFlight === 0 ? resolve() : (allDone = resolve)));
  channels.forEach((channel) => channel.close());

  reportLoadResult({
    tool: `grpc-js closed loop (${channels.length} ch)`,
    requests: responses,
    errors,
    seconds,
    p50Ms: latencies.percentileMs(50),
    p99Ms: latencies.percentileMs(99),
    serverCpuTicks,
    loadGcPauseMs,
  });
}

/** Stores the hot keys so Get rows hit. */
async function preload(channel: RawGrpcChannel, api: ApiCalls): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOT_KEYS) {
      const { method, request } = api.put(benchKey(next), benchValue(next++));
      await new Promise<void>((resolve, reject) =>
        channel.call(method, request, (error) =>
          error ? reject(new Error(`preload Put: ${error.message}`)) : resolve(),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: PRELOAD_CONCURRENCY }, worker));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
