import { join } from 'node:path';
import { startService, type ServiceProcess } from '../support/service-process';
import { useTempDir } from '../support/temp-dir';

describe('service lifecycle (file log, REST)', () => {
  const dir = useTempDir('life');
  let service: ServiceProcess | undefined;

  afterEach(async () => {
    service?.process.kill('SIGKILL');
  });

  it('replays the log on start, and on SIGTERM finishes, closes the log and exits 0', async () => {
    const env = { TLOG_FILENAME: join(dir.path, 'data', 'tx.log'), FRONTEND_TYPE: 'rest' };
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
