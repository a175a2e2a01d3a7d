import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KvsClient, KvsClientError } from '../../src/client/kvs-client';
import { logRecords, startService, type ServiceProcess } from '../support/service-process';
import { eventually } from '../support/eventually';

/** A flagd flag file setting the two kvs flags. */
function flagFile(flags: { readOnly: boolean; requestLogging: boolean }): string {
  const flag = (on: boolean) => ({
    state: 'ENABLED',
    variants: { on: true, off: false },
    defaultVariant: on ? 'on' : 'off',
  });
  return JSON.stringify({
    flags: { 'read-only': flag(flags.readOnly), 'request-logging': flag(flags.requestLogging) },
  });
}

/**
 * The runtime flags on a running service: rewriting the flag file switches read-only mode and
 * request logging without a restart; a broken file keeps the last good flags.
 */
describe('runtime flags (KVS_FLAGS_FILE)', () => {
  let dir: string;
  let service: ServiceProcess | undefined;
  let client: KvsClient | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kvs-flags-'));
  });

  afterEach(async () => {
    client?.close();
    service?.process.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('flips read-only and request logging on a running service, and keeps them through a broken file', async () => {
    const file = join(dir, 'flags.json');
    await writeFile(file, flagFile({ readOnly: false, requestLogging: true }));
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), KVS_FLAGS_FILE: file });
    const running = service;
    const url = (key: string) => `${running.restUrl}/v1/key/${key}`;
    client = new KvsClient(service.grpcAddress!, { timeoutMs: 10_000 });
    const requestLines = () => logRecords(running.output()).filter((record) => record.event === 'request').length;

    expect((await fetch(url('before'), { method: 'PUT', body: 'v' })).status).toBe(201);
    await eventually(() => requestLines() === 1);

    await writeFile(file, flagFile({ readOnly: true, requestLogging: false }));
    await eventually(async () => (await fetch(url('probe'), { method: 'PUT', body: 'v' })).status === 503, {
      intervalMs: 100,
    });
    const refused = await fetch(url('before'), { method: 'DELETE' });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ code: 'READ_ONLY', message: expect.any(String) });
    const grpcRefusal = await client.put('during', 'v').catch((error: unknown) => error);
    expect(grpcRefusal).toBeInstanceOf(KvsClientError);
    expect(grpcRefusal).toMatchObject({ status: 14, code: 'READ_ONLY' }); // UNAVAILABLE
    // Reads go on, and nothing refused was applied.
    expect(await (await fetch(url('before'))).text()).toBe('v');
    expect(await client.get('before')).toBe('v');
    await expect(client.get('during')).rejects.toMatchObject({ code: 'KEY_NOT_FOUND' });
    const linesWhileOff = requestLines();

    await writeFile(file, '{"flags": {"read-only": ');
    await eventually(() => logRecords(running.output()).some((record) => record.event === 'flags_error'));
    expect((await fetch(url('still'), { method: 'PUT', body: 'v' })).status).toBe(503);
    expect(requestLines()).toBe(linesWhileOff);

    await writeFile(file, flagFile({ readOnly: false, requestLogging: true }));
    await eventually(async () => (await fetch(url('after'), { method: 'PUT', body: 'v' })).status === 201, {
      intervalMs: 100,
    });
    await client.put('after grpc', 'v');
    await eventually(() => requestLines() > linesWhileOff);
    // Three rewrites, each noticed at the provider's next poll of the file (about every 5 s).
  }, 60_000);

  it('starts with the defaults when the flag file is missing, and says so', async () => {
    service = await startService({ TLOG_FILENAME: join(dir, 'tx.log'), KVS_FLAGS_FILE: join(dir, 'absent.json') });
    expect((await fetch(`${service.restUrl}/v1/key/k`, { method: 'PUT', body: 'v' })).status).toBe(201);
    expect(logRecords(service.output()).find((record) => record.event === 'flags_unavailable')?.level).toBe(50);
  });
});
