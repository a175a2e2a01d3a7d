import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process';

describe('service lifecycle (file log, REST)', () => {
  let dir: string;
  let service: ServiceProcess | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-life-'));
  });

  afterEach(async () => {
    service?.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('replays the log on start, and on SIGTERM finishes, closes the log and exits 0', async () => {
    const env = { TLOG_FILENAME: join(dir, 'data', 'tx.log'), FRONTEND_TYPE: 'rest' };
    service = await startService(env);
    expect(service.output()).toMatch(/replayed 0 events \(0 live keys\)/);
    const url = service.restUrl!;
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${url}/v1/key/k${i % 5}`, { method: 'PUT', body: `v${i}` })).status).toBe(201);
    }
    expect((await fetch(`${url}/v1/key/k0`, { method: 'DELETE' })).status).toBe(200);

    service.process.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
    expect(service.output()).toMatch(/SIGTERM received/);

    service = await startService(env);
    expect(service.output()).toMatch(/replayed 21 events \(4 live keys\)/);
    expect(await (await fetch(`${service.restUrl}/v1/key/k4`)).text()).toBe('v19');
    expect((await fetch(`${service.restUrl}/v1/key/k0`)).status).toBe(404);
  });
});
