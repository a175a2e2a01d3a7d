import { readFileSync } from 'node:fs';
// Load-generator process for the REST rows: autocannon, with latencies kept in our own HDR
// histogram at microsecond resolution (autocannon's own histogram rounds to whole milliseconds).
import { Agent, request, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import autocannon from 'autocannon';
import { LatencyHistogram } from '../lib/latency-histogram';
import { readLoadSpec, reportLoadResult } from '../lib/load-protocol';
import { measureWindow } from '../lib/measured-window';
import { benchKey, benchValue, HOT_KEYS, needsPreload, workloadSteps, type Step } from '../lib/workload';

const PRELOAD_CONCURRENCY = 16;
/** autocannon runs a little past the measured window, which the load generator ends itself. */
const TAIL_SECONDS = 1;
const TEXT_BODY = { 'content-type': 'text/plain' };

/** How the security rows reach the server: TLS trusting the bench CA, a bearer token. */
interface Access {
  readonly ca?: Buffer;
  readonly headers: OutgoingHttpHeaders;
}

async function main(): Promise<void> {
  const spec = readLoadSpec(process.argv);
  const access: Access = {
    ca: spec.caFile ? readFileSync(spec.caFile) : undefined,
    headers: spec.token ? { authorization: `Bearer ${spec.token}` } : {},
  };
  if (needsPreload(spec.operation)) await preload(spec.target, access);
  const requests = workloadSteps(spec.operation).map((step) => toAutocannonRequest(step, access));
  const expectedStatus = spec.operation === 'get-miss' ? 404 : undefined;

  // One continuous run: the connections opened during the warm-up carry on into the measured
  // window, so connection set-up never lands in its latencies.
  const latencies = new LatencyHistogram();
  let measuring = false;
  let responses = 0;
  let unexpected = 0;
  const instance = autocannon(
    {
      url: `${access.ca ? 'https' : 'http'}://${spec.target}`,
      // autocannon does not verify certificates; the name only avoids Node's IP-as-SNI warning.
      servername: access.ca ? 'localhost' : undefined,
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

  const { seconds, serverCpuTicks, loadGcPauseMs } = await measureWindow(spec, (on) => (measuring = on));
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
    loadGcPauseMs,
  });
}

function toAutocannonRequest(step: Step, access: Access): autocannon.Request {
  const path = `/v1/key/${step.key}`;
  if (step.kind === 'get') return { method: 'GET', path, headers: access.headers as Record<string, string> };
  return {
    method: 'PUT',
    path,
    body: step.value,
    headers: { ...TEXT_BODY, ...access.headers } as Record<string, string>,
  };
}

/** Stores the hot keys so GET rows hit. */
async function preload(target: string, access: Access): Promise<void> {
  const [host, port] = target.split(':');
  const agentOptions = { keepAlive: true, maxSockets: PRELOAD_CONCURRENCY };
  const agent = access.ca
    ? new HttpsAgent({ ...agentOptions, ca: access.ca, servername: 'localhost' })
    : new Agent(agentOptions);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < HOT_KEYS) {
      const index = next++;
      await put(agent, host, Number(port), benchKey(index), benchValue(index), access);
    }
  };
  await Promise.all(Array.from({ length: PRELOAD_CONCURRENCY }, worker));
  agent.destroy();
}

function put(agent: Agent, host: string, port: number, key: string, value: string, access: Access): Promise<void> {
  const send = access.ca ? httpsRequest : request;
  const headers = { ...TEXT_BODY, ...access.headers };
  return new Promise((resolve, reject) => {
    const req = send({ agent, host, port, method: 'PUT', path: `/v1/key/${key}`, headers }, (res) => {
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
