import { KeyValueStore, type Limits } from '../../src/core';
import type { Logger } from '../../src/adapters/logger';
import { probeRouter, Readiness } from '../../src/adapters/probes';
import { RestFrontend } from '../../src/adapters/rest';
import { MemoryTransactionLogger } from './memory-transaction-logger';

/** A RestFrontend on a real loopback port over a store with a memory log, for REST tests. */
export interface RestServer {
  readonly url: string;
  readonly store: KeyValueStore;
  readonly log: MemoryTransactionLogger;
  /** The service's readiness, serving once started, which the probe routes report. */
  readonly readiness: Readiness;
  stop(): Promise<void>;
}

/** Starts a REST frontend with the probe routes on 127.0.0.1 at a free port. */
export async function startRestServer(limits?: Limits, logger?: Logger): Promise<RestServer> {
  const log = new MemoryTransactionLogger();
  const store = new KeyValueStore(log, limits);
  await store.restore();
  const readiness = new Readiness(log);
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 }, { logger, probes: probeRouter(readiness) });
  const { port } = await frontend.start();
  readiness.serving();
  return { url: `http://127.0.0.1:${port}`, store, log, readiness, stop: () => frontend.stop() };
}
