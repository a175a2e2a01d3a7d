import { readFileSync } from 'node:fs';
// Load-generator process for the REST rows: autocannon, with latencies kept in our own HDR
// histogram at microsecond resolution (autocannon's own histogram rounds to whole milliseconds).
import { Agent, request } from 'node:http';
import autocannon from 'autocannon';
import { LatencyHistogram } from '../lib/latency-histogram';
import { readLoadSpec, reportLoadResult } from '../lib/load-protocol';
import { measureWindow } from '../lib/measured-window';
import { benchKey, benchValue, HOT_KEYS, needsPreload, workloadSteps, type Step } from '../lib/workload';

const PRELOAD_CONCURRENCY = 16;
/** autocannon runs a little past the measured window, which the load generator ends itself. */
const TAIL_SECONDS = 1;
const TEXT_BODY = { 'content-type': 'text/plain' };

async function main(): Promise<void> {
  const spec = readLoadSpec(process.argv);
  if (needsPreload(spec.operation)) await preload(spec.target);
  const requests = workloadSteps(spec.operation).map(toAutocannonRequest);
  const expectedStatus = spec.operation === 'get-miss' ? 404 : undefined;

  // One continuous run: the connections opened during the warm-up carry on into the measured
  // window, so connection set-up never lands in its latencies.
  const latencies = new LatencyHistogram();
  let measuring = false;
  let responses = 0;
  let unexpected = 0;
  const instance = autocannon(
    {
      url: `http://${spec.target}`,
      connections: spec.connections,
      duration: spec.warmupSeconds + spec.durationSeconds + TAIL_SECONDS,
      requests,
    },
    () => undefined,
  );
  instance.on('response', (_client, status, _bytes, milliseconds) => {
    if (!measuring) return;
    responses++;
    latencies.recordMs(milliseconds);
    const ok = expectedStatus === undefined ? status >= 200 && status < 300 : status === expectedStatus;
    if (!ok) unexpected++;
  });
  let socketErrors = 0;
  instance.on('reqError', () => {
    if (measuring) socketErrors++;
  });
  const finished = new Promise<void>((resolve) => instance.on('done', () => resolve()));

  const { seconds, serverCpuTicks } = await measureWindow(spec, (on) => (measuring = on));
  instance.stop();
  await finished;
  reportLoadResult({
    tool: `autocannon ${autocannonVersion()}`,
    requests: responses,
    errors: unexpected + socketErrors,
    seconds,
    p50Ms: latencies.percentileMs(50),
    p99Ms: latencies.percentileMs(99),
    serverCpuTicks,
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
      res.on('end', () =>
        res.statusCode === 201 ? resolve() : reject(new Error(`preload PUT ${key}: HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end(value);
  });
}

function autocannonVersion(): string {
  const manifest = readFileSync(require.resolve('autocannon/package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
