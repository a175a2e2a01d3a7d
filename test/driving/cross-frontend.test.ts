import { CONTRACT_LIMITS, type FrontendDriver } from '../contracts/frontend.contract';
import { HOSTILE_STRINGS } from '../support/hostile-strings';
import { MemoryTransactionLog, restoredStore } from '../support/memory-transaction-log';
import { grpcDriver, startGrpc } from './grpc/grpc-driver';
import { startRestFrontend } from '../support/rest-server';
import { restDriver } from './rest/rest-driver';

describe('REST and gRPC frontends on one store', () => {
  let grpc: FrontendDriver;
  let rest: FrontendDriver;

  beforeAll(async () => {
    const store = await restoredStore(new MemoryTransactionLog(), CONTRACT_LIMITS);
    grpc = grpcDriver(await startGrpc(store));
    rest = restDriver(await startRestFrontend(store));
  });

  afterAll(async () => {
    await Promise.all([grpc.close(), rest.close()]);
  });

  it('reads through REST what was written through gRPC, hostile strings included', async () => {
    for (const text of HOSTILE_STRINGS) {
      expect(await grpc.put(`g:${text}`, text)).toEqual({ ok: true });
      expect([text, await rest.get(`g:${text}`)]).toEqual([text, { ok: true, value: text }]);
    }
  });

  it('reads through gRPC what was written through REST, hostile strings included', async () => {
    for (const text of HOSTILE_STRINGS) {
      expect(await rest.put(`r:${text}`, text)).toEqual({ ok: true });
      expect([text, await grpc.get(`r:${text}`)]).toEqual([text, { ok: true, value: text }]);
    }
  });

  it('sees a delete made through either frontend from the other', async () => {
    await rest.put('shared', 'v');
    expect(await grpc.delete('shared')).toEqual({ ok: true });
    expect(await rest.get('shared')).toEqual({ ok: false, code: 'KEY_NOT_FOUND' });
    await grpc.put('shared', 'again');
    expect(await rest.delete('shared')).toEqual({ ok: true });
    expect(await grpc.get('shared')).toEqual({ ok: false, code: 'KEY_NOT_FOUND' });
  });
});
