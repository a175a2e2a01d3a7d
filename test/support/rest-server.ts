import { KeyValueStore, type Limits } from '../../src/core';
import { RestFrontend } from '../../src/adapters/rest';
import { MemoryTransactionLogger } from './memory-transaction-logger';

/** A RestFrontend on a real loopback port over a store with a memory log, for REST tests. */
export interface RestServer {
  readonly url: string;
  readonly store: KeyValueStore;
  readonly log: MemoryTransactionLogger;
  stop(): Promise<void>;
}

/** Starts a REST frontend on 127.0.0.1 at a free port. */
export async function startRestServer(limits?: Limits): Promise<RestServer> {
  const log = new MemoryTransactionLogger();
  const store = new KeyValueStore(log, limits);
  await store.restore();
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 });
  const { port } = await frontend.start();
  return { url: `http://127.0.0.1:${port}`, store, log, stop: () => frontend.stop() };
}
