// Load-generator process for the REST rows: autocannon, with latencies kept in our own HDR
// histogram at microsecond resolution (autocannon's own histogram rounds to whole milliseconds).
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { LatencyHistogram } from '../lib/latency-histogram';
import { readLoadSpec, reportLoadResult, type LoadSpec } from '../lib/load-protocol';
import { cpuTicks } from '../lib/proc-stats';
import { benchKey, benchValue, HOT_KEYS, needsPreload, workloadSteps, type Step } from '../lib/workload';

const PRELOAD_CONCURRENCY = 16;
const TEXT_BODY = { 'content-type': 'text/plain' };

async function main(): Promise<void> {
  const spec = readLoadSpec(process.argv);
  if (needsPreload(spec.operation)) await preload(spec.target);
  const requests = workloadSteps(spec.operation).map(toAutocannonRequest);
  const expectedStatus = spec.operation === 'get-miss' ? 404 : undefined;

  await runAutocannon(spec, requests, spec.warmupSeconds, () => undefined);

  const latencies = new LatencyHistogram();
  let responses = 0;
  let unexpected = 0;
  const cpuBefore = cpuTicks(spec.serverPid);
  const began = performance.now();
  const result = await runAutocannon(spec, requests, spec.durationSeconds, (status, ms) => {
    responses++;
    latencies.recordMs(ms);
    const ok = expectedStatus === undefined ? status >= 200 && status < 300 : status === expectedStatus;
    if (!ok) unexpected++;
  });
  const seconds = (performance.now() - began) / 1000;
  reportLoadResult({
    tool: `autocannon ${autocannonVersion()}`,
    requests: responses,
    errors: unexpected + result.errors + result.timeouts,
    seconds,
    p50Ms: latencies.percentileMs(50),
    p99Ms: latencies.percentileMs(99),
    serverCpuTicks: cpuTicks(spec.serverPid) - cpuBefore,
  });
}

function runAutocannon(
  spec: LoadSpec,
  requests: autocannon.Request[],
  seconds: number,
  onResponse: (status: number, milliseconds: number) => void,
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: `http://${spec.target}`, connections: spec.connections, duration: seconds, requests },
      (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
    );
    instance.on('response', (_client, status, _bytes, milliseconds) => onResponse(status, milliseconds));
  });
}

function toAutocannonRequest(step: Step): autocannon.Request {
  const path = `/v1/key/${step.key}`;
  if (step.kind === 'get') return { method: 'GET', path };
  return { method: 'PUT', path, body: step.value, headers: TEXT_BODY };
}

/** Stores the hot keys so GET rows hit. */
async function preload(target: string): Promise<void> {
  const [host, port] = target.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets: PRELOAD_CONCURRENCY });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOT_KEYS) {
      const index = next++;
      await put(agent, host, Number(port), benchKey(index), benchValue(index));
    }
  };
  await Promise.all(Array.from({ length: PRELOAD_CONCURRENCY }, worker));
  agent.destroy();
}

function put(agent: Agent, host: string, port: number, key: string, value: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host, port, method: 'PUT', path: `/v1/key/${key}`, headers: TEXT_BODY }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`preload PUT ${key}: HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(value);
  });
}

function autocannonVersion(): string {
  return (require('autocannon/package.json') as { version: string }).version;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
