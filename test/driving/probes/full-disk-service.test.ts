import { stat } from 'node:fs/promises';
import { KeyValueStore } from '../../../src/core';
import { probeRouter, Readiness } from '../../../src/driving/probes';
import { RestFrontend } from '../../../src/driving/rest';
import { FaultyDisk } from '../../support/faulty-disk';
import { TempLogDir } from '../../driven/file-log/temp-log-dir';

let dir: TempLogDir;

beforeEach(async () => {
  dir = await TempLogDir.create();
});

afterEach(() => dir.dispose());

it('a full disk: 503 naming the condition, not ready, one log line each way, and writes resume without a restart', async () => {
  const disk = new FaultyDisk();
  const log = dir.open({ sync: 'always' }, disk.open, disk.freeBytes);
  const store = new KeyValueStore(log);
  await store.restore();
  const readiness = new Readiness(log);
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 }, { probes: probeRouter(readiness) });
  const url = `http://127.0.0.1:${(await frontend.start()).port}`;
  readiness.serving();
  try {
    expect((await fetch(`${url}/v1/key/a`, { method: 'PUT', body: '1' })).status).toBe(201);
    disk.capacity = (await stat(log.filename)).size;

    const refused = await fetch(`${url}/v1/key/b`, { method: 'PUT', body: '2' });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '1']);
    const body = await refused.text();
    expect(JSON.parse(body)).toEqual({
      code: 'LOG_UNAVAILABLE',
      message: 'the transaction log cannot accept writes right now; retry later',
    });
    expect(body).not.toContain(dir.path);
    const notReady = await fetch(`${url}/readyz`);
    expect([notReady.status, await notReady.text()]).toEqual([503, '{"status":"log-unavailable"}']);
    expect((await fetch(`${url}/v1/key/a`)).status).toBe(200);

    disk.capacity = Infinity;
    while ((await fetch(`${url}/readyz`)).status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await fetch(`${url}/v1/key/b`, { method: 'PUT', body: '2' })).status).toBe(201);
    expect(
      dir.log.records.filter((line) => String(line.event).startsWith('file_log_')).map((line) => line.event),
    ).toEqual(['file_log_unavailable', 'file_log_recovered']);
  } finally {
    await frontend.stop();
  }
});
