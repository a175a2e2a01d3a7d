import { status, type ServiceError } from '@grpc/grpc-js';
import { KvsClient } from '../../src/client/kvs-client';
import type { WatchResponse__Output } from '../../src/api/generated/WatchResponse';
import { startInProcessService, type InProcessService } from '../support/in-process-service';
import { readUntil } from '../support/sse-messages';
import { goodClaims, rsaSetup, type KeySetup } from './jwt-fixtures';

/**
 * Watch under authorization, on both transports: a prefix watch reaching outside the token's
 * kvs_prefixes delivers only the permitted keys (the authorization matrix covers single keys),
 * and a stream ends when its token expires.
 */
describe('watch authorization', () => {
  let setup: KeySetup;
  let service: InProcessService;
  let writer: KvsClient;

  beforeAll(async () => {
    setup = rsaSetup();
    service = await startInProcessService(setup.env);
    writer = new KvsClient(
      service.grpcAddress,
      {},
      { token: await setup.sign(goodClaims({ scope: 'kvs:read kvs:write' })) },
    );
  });

  afterAll(async () => {
    writer.close();
    await service.stop();
    setup.remove();
  });

  const restricted = () => setup.sign(goodClaims({ scope: 'kvs:read', kvs_prefixes: ['team-a/'] }));

  async function writeBothTeams(): Promise<number> {
    const start = service.store.revision + 1;
    await writer.put('team-b/secret', 'not for team a');
    await writer.put('team-a/k', 'for team a');
    await writer.put('team-b/secret', 'still not');
    return start;
  }

  it('REST: an all-keys watch of a prefix-restricted token delivers only its keys', async () => {
    const start = await writeBothTeams();
    const answer = await fetch(`${service.restUrl}/v1/watch?prefix=&start_revision=${start}`, {
      headers: { Authorization: `Bearer ${await restricted()}` },
    });
    expect(answer.status).toBe(200);
    // The stream opens with a progress event; read on to the first change.
    const first = await readUntil(answer.body!, 'event: change');
    expect(first).toContain(`id: ${start + 1}\nevent: change\n`);
    expect(first).toContain('"key":"team-a/k"');
    expect(first).not.toContain('team-b');
  });

  it('gRPC: the same watch delivers only the permitted keys', async () => {
    const start = await writeBothTeams();
    const client = new KvsClient(service.grpcAddress, {}, { token: await restricted() });
    const stream = client.watch({ prefix: '', start_revision: start });
    stream.on('error', () => undefined); // the CANCELLED of our own cancel()
    const first = await new Promise<WatchResponse__Output>((resolve) =>
      stream.on('data', (response: WatchResponse__Output) => response.heartbeat || resolve(response)),
    );
    stream.cancel();
    client.close();
    expect(first.revision).toBe(String(start + 1));
    expect(first.events.map((event) => event.entry?.key)).toEqual(['team-a/k']);
  });

  it('streams end when their token expires: SSE with an error event, gRPC with UNAUTHENTICATED', async () => {
    const token = await setup.sign(goodClaims({ scope: 'kvs:read', exp: Math.floor(Date.now() / 1000) + 2 }));
    const sse = await fetch(`${service.restUrl}/v1/watch?key=k`, { headers: { Authorization: `Bearer ${token}` } });
    const client = new KvsClient(service.grpcAddress, {}, { token });
    const failed = new Promise<ServiceError>((resolve) => client.watch({ key: 'k' }).once('error', resolve));
    expect(await sse.text()).toMatch(
      /event: error\ndata: \{"code":"UNAUTHENTICATED","message":"the token expired[^"]*"\}\n\n$/,
    );
    expect((await failed).code).toBe(status.UNAUTHENTICATED);
    client.close();
  });
});
