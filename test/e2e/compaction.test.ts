import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';

const CLI = resolve(__dirname, '../../dist/client/cli/kvs.js');

const dir = useTempDir('compaction');
let service: ServiceProcess | undefined;

afterEach(async () => {
  service?.process.kill('SIGKILL');
  await service?.exited();
});

async function put(url: string, key: string, value: string): Promise<void> {
  const response = await fetch(`${url}/v1/key/${encodeURIComponent(key)}`, { method: 'PUT', body: value });
  expect(response.status).toBe(201);
}

describe('compaction in the running service (file log)', () => {
  it('runs on POST /v1/admin/compact and on `kvs compact`, logs each, and the restart replays the same data', async () => {
    const env = { TLOG_FILENAME: join(dir.path, 'tx.log'), FRONTEND_TYPE: 'rest,grpc' };
    service = await startService(env);
    const url = service.restUrl!;
    for (let i = 0; i < 300; i++) await put(url, `key-${i % 10}`, `value ${i}`);

    const response = await fetch(`${url}/v1/admin/compact`, { method: 'POST' });
    expect(response.status).toBe(200);
    const report = (await response.json()) as { bytesBefore: number; bytesAfter: number; liveBytes: number };
    expect(report.bytesAfter).toBeLessThan(report.bytesBefore / 5);

    for (let i = 0; i < 50; i++) await put(url, `key-${i % 10}`, `again ${i}`);
    const cli = await promisify(execFile)(process.execPath, [CLI, '--address', service.grpcAddress!, 'compact']);
    expect(cli.stdout).toMatch(/^compacted \d+ bytes of log to \d+/);

    const lines = logRecords(service.output()).filter((record) => record.event === 'compaction_done');
    expect(lines.map((record) => record.trigger)).toEqual(['on-demand', 'on-demand']);
    expect(lines[0]).toMatchObject({ component: 'file-log', bytesBefore: report.bytesBefore });
    expect(await readdir(dir.path)).toEqual(
      expect.arrayContaining(['tx.log.manifest', 'tx.log.base.4', 'tx.log.incr.3']),
    );

    service.process.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
    service = await startService(env);
    for (let i = 0; i < 10; i++) {
      const value = await fetch(`${service.restUrl}/v1/key/key-${i}`).then((res) => res.text());
      expect(value).toBe(`again ${40 + i}`);
    }
    // The base's 10 records and the one saying the revision the base stands at.
    expect(service.output()).toMatch(/replayed 11 events \(10 live keys\)/);
  });
});
