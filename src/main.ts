// The composition root: read the environment, wire the adapters, restore, serve, shut down.
import 'reflect-metadata';
import type { Container } from 'inversify';
import type { KeyValueStore, TransactionLogger } from './core';
import type { Frontend } from './adapters/frontend';
import { ConfigError, EnvReader } from './config/env-reader';
import { buildContainer, TOKENS } from './container';

/** Exit status for a configuration mistake (documented in the README). */
const EXIT_CONFIG_ERROR = 2;
/** Exit status for a failure to start or to shut down cleanly. */
const EXIT_FAILURE = 1;

function configure(): Container {
  try {
    return buildContainer(new EnvReader(process.env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`kvs: ${error.message}`);
    process.exit(EXIT_CONFIG_ERROR);
  }
}

async function serve(container: Container): Promise<void> {
  const log = container.get<TransactionLogger>(TOKENS.TransactionLogger);
  const store = container.get<KeyValueStore>(TOKENS.KeyValueStore);
  const frontends = container.getAll<Frontend>(TOKENS.Frontend);
  try {
    const began = performance.now();
    const summary = await store.restore();
    const seconds = (performance.now() - began) / 1000;
    console.log(
      `kvs: replayed ${summary.events} events (${summary.keys} live keys) in ${seconds.toFixed(3)} s` +
        ` (${Math.round(summary.events / Math.max(seconds, 1e-6))} events/s)`,
    );
    // Frontends start only after the restore, so no client ever sees a half-replayed store.
    for (const frontend of frontends) {
      const { host, port } = await frontend.start();
      console.log(`kvs: ${frontend.name} frontend listening on ${host}:${port}`);
    }
  } catch (error) {
    await Promise.allSettled(frontends.map((frontend) => frontend.stop()));
    await log.close().catch(() => undefined);
    throw error;
  }
  stopOnSignals(frontends, log);
}

/** On SIGTERM/SIGINT: stop accepting, finish in-flight requests, flush and close the log, exit 0. */
function stopOnSignals(frontends: Frontend[], log: TransactionLogger): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.error(`kvs: ${signal} received again; exiting without waiting`);
      process.exit(EXIT_FAILURE);
    }
    stopping = true;
    console.log(`kvs: ${signal} received; finishing in-flight requests`);
    Promise.all(frontends.map((frontend) => frontend.stop()))
      .then(() => log.close())
      .then(() => {
        console.log('kvs: transaction log closed; bye');
        process.exit(0);
      })
      .catch((error: unknown) => {
        console.error(`kvs: shutdown failed: ${describe(error)}`);
        process.exit(EXIT_FAILURE);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

serve(configure()).catch((error: unknown) => {
  console.error(`kvs: cannot start: ${describe(error)}`);
  process.exit(EXIT_FAILURE);
});
