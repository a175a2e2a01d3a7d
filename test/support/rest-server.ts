import { KeyValueStore, type Limits } from '../../src/core';
import { RestFrontend } from '../../src/adapters/rest';
import { MemoryTransactionLogger } from './memory-transaction-logger';

/** A RestFrontend listening on 127.0.0.1 at a free port. */
export interface RunningRest {
  readonly frontend: RestFrontend;
  /** Base URL, e.g. http://127.0.0.1:12345 */
  readonly url: string;
}

/** A RestFrontend over a store with a memory log, for REST tests. */
export interface RestServer extends RunningRest {
  readonly store: KeyValueStore;
  readonly log: MemoryTransactionLogger;
  stop(): Promise<void>;
}

/** Starts a RestFrontend on `store`, on 127.0.0.1 at a free port. */
export async function startRestFrontend(store: KeyValueStore): Promise<RunningRest> {
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 });
  const { port } = await frontend.start();
  return { frontend, url: `http://127.0.0.1:${port}` };
}

/** Starts a REST frontend over a fresh store with a memory log and the given limits. */
export async function startRestServer(limits?: Limits): Promise<RestServer> {
  const log = new MemoryTransactionLogger();
  const store = new KeyValueStore(log, limits);
  await store.restore();
  const running = await startRestFrontend(store);
  return { ...running, store, log, stop: () => running.frontend.stop() };
}
