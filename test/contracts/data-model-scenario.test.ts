import { KvsClient } from '../../src/client/kvs-client';
import type { KeyValueStore } from '../../src/core';
import { GrpcFrontend } from '../../src/driving/grpc';
import { MemoryTransactionLog, restoredStore } from '../support/memory-transaction-log';
import { startRestFrontend } from '../support/rest-server';
import { grpcScenarioDriver } from '../driving/grpc/grpc-scenario-driver';
import { restScenarioDriver } from '../driving/rest/rest-scenario-driver';
import { CONTRACT_LIMITS } from './frontend.contract';
import {
  capabilityOf,
  coreScenarioDriver,
  runScenario,
  SCENARIO,
  type Capability,
  type ScenarioDriver,
} from './data-model-scenario';

/** A fresh store, as every run of the scenario starts from nothing. */
const freshStore = (): Promise<KeyValueStore> => restoredStore(new MemoryTransactionLog(), CONTRACT_LIMITS);

/** Runs the steps on a fresh store through the frontend, and the same steps on a fresh core store directly. */
async function againstCore(
  start: (store: KeyValueStore) => Promise<{ driver: ScenarioDriver; stop(): Promise<void> }>,
  steps = SCENARIO,
): Promise<{ frontend: unknown[]; core: unknown[]; finalState: [unknown, unknown] }> {
  const store = await freshStore();
  const reference = await freshStore();
  const running = await start(store);
  try {
    const frontend = await runScenario(running.driver, steps);
    const core = await runScenario(coreScenarioDriver(reference), steps);
    return { frontend, core, finalState: [store.range({ limit: 1000 }), reference.range({ limit: 1000 })] };
  } finally {
    await running.stop();
  }
}

async function startGrpcDriver(store: KeyValueStore) {
  const frontend = new GrpcFrontend(store, { host: '127.0.0.1', port: 0 });
  const { port } = await frontend.start();
  const client = new KvsClient(`127.0.0.1:${port}`, { timeoutMs: 10_000 });
  return {
    driver: grpcScenarioDriver(client),
    async stop() {
      client.close();
      await frontend.stop();
    },
  };
}

async function startRestDriver(store: KeyValueStore) {
  const running = await startRestFrontend(store);
  return { driver: restScenarioDriver(running.url), stop: () => running.frontend.stop() };
}

describe('the shared data-model scenario', () => {
  it('covers every capability, and fails the driver asked for a step it cannot run', async () => {
    expect(new Set(SCENARIO.map(capabilityOf))).toEqual(new Set(['key', 'range', 'deleteRange', 'txn']));
    const keysOnly = { ...restScenarioDriver('http://127.0.0.1:1'), capabilities: new Set<Capability>(['key']) };
    await expect(runScenario(keysOnly, SCENARIO)).rejects.toThrow(/cannot run range/);
  });

  it('gives on gRPC exactly the results of the core, every step', async () => {
    const { frontend, core, finalState } = await againstCore(startGrpcDriver);
    expect(frontend).toEqual(core);
    expect(finalState[0]).toEqual(finalState[1]);
    // Some steps must fail (preconditions, a bad key) or the comparison proves little.
    expect(JSON.stringify(core)).toContain('PRECONDITION_FAILED');
    expect(JSON.stringify(core)).toContain('INVALID_KEY');
  });

  it('gives on REST exactly the results of the core, every step', async () => {
    const { frontend, core, finalState } = await againstCore(startRestDriver);
    expect(frontend).toEqual(core);
    expect(finalState[0]).toEqual(finalState[1]);
  });

  it('gives the same results on REST and gRPC, every step', async () => {
    const rest = await againstCore(startRestDriver);
    const grpc = await againstCore(startGrpcDriver);
    expect(rest.frontend).toEqual(grpc.frontend);
    expect(rest.frontend).toHaveLength(SCENARIO.length);
  });
});
