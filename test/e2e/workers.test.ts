import { Agent, request } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { errorLogLines, logRecords, startService, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';

/** What one request over a kept-alive connection answered. */
interface Answer {
  readonly status: number;
  readonly revision: number;
  readonly body: string;
}

/** One kept-alive connection (a client that holds its socket, as a keep-alive pool does per slot). */
function connection(): {
  call: (method: string, url: string, body?: string, headers?: Record<string, string>) => Promise<Answer>;
  close: () => void;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    call: (method, url, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request(url, { method, agent, headers }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, revision: Number(res.headers['x-kvs-revision'] ?? 0), body: text }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

/** The pids of the workers the owner started so far, in order. */
function workerPids(service: ServiceProcess): number[] {
  return logRecords(service.output())
    .filter((record) => record.event === 'worker_started')
    .map((record) => Number(record.pid));
}

/** Whether process `pid` is still running (a zombie no one has reaped yet has ended). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The value of one sample line of a Prometheus exposition (`name{labels} value`), summed over its label sets. */
function sampleSum(text: string, name: string, labels = ''): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(name) && line.includes(labels) && /^[^ {]+(\{[^}]*\})? /.test(line))
    .filter((line) => line.split(/[ {]/)[0] === name)
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('KVS_WORKERS=2: an owner process with the log, two workers serving', () => {
  const dir = useTempDir('workers', 'file');
  let service: ServiceProcess | undefined;
  const admin = (): string =>
    `http://127.0.0.1:${String(logRecords(service!.output()).find((r) => r.event === 'admin_listening')?.port)}`;

  const start = async (extra: Record<string, string> = {}): Promise<ServiceProcess> => {
    service = await startService({
      KVS_WORKERS: '2',
      TLOG_FILENAME: join(dir.path, 'tx.log'),
      KVS_ADMIN_PORT: '0',
      KVS_REQUEST_LOG: 'true',
      FRONTEND_TYPE: 'rest',
      ...extra,
    });
    return service;
  };

  /** Kills the service left running (the workers of a killed owner exit by themselves). */
  const killService = async (): Promise<void> => {
    if (service && service.process.exitCode === null && service.process.signalCode === null) {
      service.process.kill('SIGKILL');
      await service.exited();
    }
    if (service)
      await eventually(() => workerPids(service!).every((pid) => !running(pid)), { describe: () => 'workers gone' });
    service = undefined;
  };

  // The first tests share one service (each start costs seconds on a loaded machine); the last of them kills it.
  beforeAll(() => start(), 30_000);
  afterAll(killService);

  it('reads its own writes on one connection, across both workers, and reads by min revision and linearizably elsewhere', async () => {
    const url = service!.restUrl!;
    const clients = Array.from({ length: 6 }, () => connection());
    try {
      // Each connection lands on one worker (cluster hands them out in turn): every write is
      // read back at once on the same connection, value and revision.
      await Promise.all(
        clients.map(async (client, c) => {
          for (let n = 0; n < 40; n++) {
            const put = await client.call('PUT', `${url}/v1/key/c${c}`, `v${n}`);
            expect(put.status).toBe(201);
            const get = await client.call('GET', `${url}/v1/key/c${c}`);
            expect(get).toMatchObject({ status: 200, body: `v${n}` });
            expect(get.revision).toBeGreaterThanOrEqual(put.revision);
          }
        }),
      );
      // Another connection (perhaps the other worker) asks for at least the write's revision, or linearizably.
      const put = await clients[0].call('PUT', `${url}/v1/key/shared`, 'fresh');
      for (const other of clients.slice(1)) {
        const byRevision = await other.call('GET', `${url}/v1/key/shared`, undefined, {
          'X-Kvs-Min-Revision': String(put.revision),
        });
        expect(byRevision).toMatchObject({ status: 200, body: 'fresh' });
        expect(await other.call('GET', `${url}/v1/key/shared?linearizable=true`)).toMatchObject({
          status: 200,
          body: 'fresh',
        });
      }
      // Both workers served: the request lines say which worker wrote them.
      const servedBy = new Set(
        logRecords(service!.output())
          .filter((record) => record.event === 'request')
          .map((record) => record.worker),
      );
      expect([...servedBy].sort()).toEqual([1, 2]);
    } finally {
      for (const client of clients) client.close();
    }
    expect(errorLogLines(service!)).toEqual([]);
  });

  it('one scrape of the owner shows every worker; probes speak for the whole service', async () => {
    const url = service!.restUrl!;
    const putsBefore = sampleSum(
      await (await fetch(`${admin()}/metrics`)).text(),
      'kvs_requests_total',
      'operation="put"',
    );
    const clients = Array.from({ length: 4 }, () => connection());
    try {
      for (const client of clients)
        for (let n = 0; n < 5; n++) expect((await client.call('PUT', `${url}/v1/key/m`, 'x')).status).toBe(201);
    } finally {
      for (const client of clients) client.close();
    }
    expect((await fetch(`${admin()}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${admin()}/metrics`)).text();
    expect(sampleSum(text, 'kvs_workers_serving')).toBe(2);
    // Counted by two workers, summed in one scrape; the store's gauges once (the owner's), not per process.
    expect(sampleSum(text, 'kvs_requests_total', 'operation="put"') - putsBefore).toBe(20);
    // The first test's 6 keys and "shared", and "m".
    expect(sampleSum(text, 'kvs_keys')).toBe(8);
    // The REST port's /metrics is the same whole-service view.
    const viaWorker = await (await fetch(`${url}/metrics`)).text();
    expect(sampleSum(viaWorker, 'kvs_workers_serving')).toBe(2);
  });

  it('kill -9 of a worker: the others serve on, no acknowledged write is lost, the owner starts a replacement', async () => {
    const url = service!.restUrl!;
    const [victim] = workerPids(service!);
    const acked = new Map<string, string>();
    /** The write a writer had in flight when its connection was cut: it may or may not have been logged. */
    const undecided = new Map<string, string>();
    let cut = false;
    const writer = async (w: number): Promise<void> => {
      const client = connection();
      try {
        // Until the kill, and 20 writes past it on a worker that lives on.
        for (let n = 0, afterCut = 0; afterCut < 20; n++) {
          if (cut) afterCut++;
          const key = `w${w}`;
          let answer: Answer;
          try {
            answer = await client.call('PUT', `${url}/v1/key/${key}`, `v${n}`);
          } catch (error) {
            if (!cut) throw error;
            undecided.set(key, `v${n}`); // its worker was killed: this write's outcome is unknown
            return;
          }
          expect(answer.status).toBe(201);
          acked.set(key, `v${n}`);
        }
      } finally {
        client.close();
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
    await eventually(() => acked.size === 8, { describe: () => `${acked.size} writers acknowledged` });
    cut = true;
    process.kill(victim, 'SIGKILL');
    await load;
    await eventually(() => logRecords(service!.output()).some((r) => r.event === 'worker_replaced'), {
      describe: () => 'a replacement worker',
    });
    expect(workerPids(service!)).toHaveLength(3);
    for (const [key, value] of acked) {
      const answer = await fetch(`${url}/v1/key/${key}?linearizable=true`);
      const found = await answer.text();
      expect({ key, status: answer.status }).toEqual({ key, status: 200 });
      expect([value, undecided.get(key)]).toContain(found);
    }
    // At least one writer's worker lived on and took its 20 writes past the kill.
    expect(undecided.size).toBeLessThan(8);
    const text = await (await fetch(`${admin()}/metrics`)).text();
    expect(sampleSum(text, 'kvs_workers_serving')).toBe(2);
    expect(logRecords(service!.output()).filter((r) => r.event === 'worker_died')).toHaveLength(1);
  });

  it('kill -9 of the owner: the workers exit by themselves', async () => {
    const pids = workerPids(service!).filter(running);
    expect(pids).toHaveLength(2);
    service!.process.kill('SIGKILL');
    await service!.exited();
    await eventually(() => pids.every((pid) => !running(pid)), { describe: () => 'workers gone', timeoutMs: 15_000 });
    service = undefined;
  });

  describe('stopping', () => {
    afterEach(killService);

    it('SIGTERM drains every worker, then closes the log: exit 0, every acknowledged write there after a restart', async () => {
      const drained = { TLOG_FILENAME: join(dir.path, 'drain.log') };
      await start(drained);
      const url = service!.restUrl!;
      const acked = new Map<string, string>();
      const undecided = new Map<string, string>();
      /** Every answer any request got: a drain answers what it took, and refuses nothing it took. */
      const statuses = new Set<number>();
      let stopping = false;
      const writer = async (w: number): Promise<void> => {
        const client = connection();
        try {
          for (let n = 0; ; n++) {
            let answer: Answer;
            try {
              answer = await client.call('PUT', `${url}/v1/key/d${w}`, `v${n}`);
            } catch (error) {
              if (!stopping) throw error;
              undecided.set(`d${w}`, `v${n}`); // the connection closed under it once the drain began
              return;
            }
            statuses.add(answer.status);
            if (answer.status !== 201) return;
            acked.set(`d${w}`, `v${n}`);
          }
        } finally {
          client.close();
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
      await eventually(() => acked.size === 8, { describe: () => `${acked.size} writers acknowledged` });
      stopping = true;
      service!.process.kill('SIGTERM');
      expect(await service!.exited()).toBe(0);
      await load;
      const lines = logRecords(service!.output());
      const done = lines.filter((record) => record.event === 'shutdown_done');
      // Both workers drained, the owner's log closed last.
      expect(done.map((record) => record.worker ?? 'owner')).toEqual([expect.any(Number), expect.any(Number), 'owner']);
      expect(errorLogLines(service!)).toEqual([]);
      expect([...statuses]).toEqual([201]);

      await start(drained);
      for (const [key, value] of acked) {
        const answer = await fetch(`${service!.restUrl}/v1/key/${key}`);
        expect([value, undecided.get(key)]).toContain(await answer.text());
      }
    });

    it('a stop during start-up is carried out once it is safe: exit 0, the log closed, no error', async () => {
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [join(__dirname, '../../dist/main.js')], {
        env: {
          PATH: process.env.PATH,
          KVS_WORKERS: '2',
          TLOG_FILENAME: join(dir.path, 'early.log'),
          KVS_HTTP_PORT: '0',
          KVS_GRPC_PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      // As soon as the owner forks: its workers are still restoring and listening.
      await eventually(() => output.includes('"event":"worker_started"'), {
        describe: () => `worker_started in ${output}`,
      });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = logRecords(output);
      expect(lines.filter((record) => record.level >= 50)).toEqual([]);
      expect(lines.at(-1)).toMatchObject({ event: 'shutdown_done', exitCode: 0 });
      const pids = lines.filter((record) => record.event === 'worker_started').map((record) => Number(record.pid));
      await eventually(() => pids.every((pid) => !running(pid)), { describe: () => 'workers gone' });
    });
  });
});
