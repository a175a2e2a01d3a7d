// Load-generator process for the gRPC rows: closed loop, N calls in flight over a few channels.
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { RawGrpcChannel, encodeGetRequest, encodePutRequest, METHOD } from '../lib/grpc-wire';
import { LatencyHistogram } from '../lib/latency-histogram';
import { readLoadSpec, reportLoadResult } from '../lib/load-protocol';
import { measureWindow } from '../lib/measured-window';
import { benchKey, benchValue, HOT_KEYS, needsPreload, workloadSteps } from '../lib/workload';

/** Calls are spread over at most this many HTTP/2 connections, as a client pool would. */
const MAX_CHANNELS = 4;
const CONNECT_TIMEOUT_MS = 10_000;
const PRELOAD_CONCURRENCY = 16;

interface EncodedCall {
  readonly method: string;
  readonly request: Buffer;
  readonly expected: status;
}

async function main(): Promise<void> {
  const spec = readLoadSpec(process.argv);
  const security = { ca: spec.caFile ? readFileSync(spec.caFile) : undefined, token: spec.token };
  const channels = Array.from(
    { length: Math.min(spec.connections, MAX_CHANNELS) },
    () => new RawGrpcChannel(spec.target, security),
  );
  await Promise.all(channels.map((channel) => channel.ready(CONNECT_TIMEOUT_MS)));
  if (needsPreload(spec.operation)) await preload(channels[0]);

  const calls: EncodedCall[] = workloadSteps(spec.operation).map((step) =>
    step.kind === 'get'
      ? {
          method: METHOD.get,
          request: encodeGetRequest(step.key),
          expected: step.expectFound ? status.OK : status.NOT_FOUND,
        }
      : { method: METHOD.put, request: encodePutRequest(step.key, step.value), expected: status.OK },
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
    channel.call(call.method, call.request, (error) => {
      inFlight--;
      if (measuring) {
        responses++;
        latencies.recordMs(performance.now() - began);
        if ((error?.code ?? status.OK) !== call.expected) errors++;
      }
      if (!stopping) issue(channel);
      else if (inFlight === 0) allDone();
    });
  };
  for (let i = 0; i < spec.connections; i++) issue(channels[i % channels.length]);

  const { seconds, serverCpuTicks } = await measureWindow(spec, (on) => {
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
  });
}

/** Stores the hot keys so Get rows hit. */
async function preload(channel: RawGrpcChannel): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOT_KEYS) {
      const index = next++;
      await new Promise<void>((resolve, reject) =>
        channel.call(METHOD.put, encodePutRequest(benchKey(index), benchValue(index)), (error) =>
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
