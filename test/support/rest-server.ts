import { KeyValueStore, type Limits } from '../../src/core';
import type { Logger } from '../../src/platform/logging/logger';
import { probeRouter, Readiness } from '../../src/driving/probes';
import { RestFrontend } from '../../src/driving/rest';
import { MemoryTransactionLog } from './memory-transaction-log';

/** A RestFrontend listening on 127.0.0.1 at a free port. */
export interface RunningRest {
  readonly frontend: RestFrontend;
  /** Base URL, e.g. http://127.0.0.1:12345 */
  readonly url: string;
}

/** A RestFrontend over a store with a memory log, for REST tests. */
export interface RestServer extends RunningRest {
  readonly store: KeyValueStore;
  readonly log: MemoryTransactionLog;
  /** The service's readiness, serving once started, which the probe routes report. */
  readonly readiness: Readiness;
  stop(): Promise<void>;
}

/** Starts a RestFrontend on `store` (with the probe routes when given a readiness), on 127.0.0.1 at a free port. */
export async function startRestFrontend(
  store: KeyValueStore,
  readiness?: Readiness,
  logger?: Logger,
): Promise<RunningRest> {
  const probes = readiness && probeRouter(readiness);
  const frontend = new RestFrontend(store, { host: '127.0.0.1', port: 0 }, { logger, probes });
  const { port } = await frontend.start();
  readiness?.serving();
  return { frontend, url: `http://127.0.0.1:${port}` };
}

/** Starts a REST frontend over a fresh store with a memory log and the given limits. */
export async function startRestServer(limits?: Limits, logger?: Logger): Promise<RestServer> {
  const log = new MemoryTransactionLog();
  const store = new KeyValueStore(log, limits);
  await store.restore();
  const readiness = new Readiness(log);
  const running = await startRestFrontend(store, readiness, logger);
  return { ...running, store, log, readiness, stop: () => running.frontend.stop() };
}
