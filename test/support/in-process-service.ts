import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frontend } from '../../src/driving/frontend.port';
import type { Readiness } from '../../src/driving/probes';
import type { ReloadingTls } from '../../src/platform/tls';
import { EnvReader } from '../../src/config/env-reader';
import { buildContainer, TOKENS, type ServiceParts } from '../../src/composition/container';
import type { KeyValueStore, TransactionLog } from '../../src/core';
import { recordingLogger, type RecordingLogger } from './recording-logger';

/** The whole service wired by the real composition root, in this process, on loopback sockets. */
export interface InProcessService {
  /** http://127.0.0.1:PORT, or https:// when TLS is configured. */
  readonly restUrl: string;
  /** 127.0.0.1:PORT of the gRPC frontend. */
  readonly grpcAddress: string;
  readonly store: KeyValueStore;
  readonly log: RecordingLogger;
  /** The certificates, when TLS is on. */
  readonly tls?: ReloadingTls;
  /** The watch hub and service, started as main starts them. */
  readonly watches: ServiceParts['watches'];
  stop(): Promise<void>;
}

/**
 * Builds the container from `env` (plus a temporary file log and free loopback ports), restores
 * the store and starts both frontends: the same wiring as dist/main.js, minus the process.
 */
export async function startInProcessService(env: Record<string, string>): Promise<InProcessService> {
  const dir = mkdtempSync(join(tmpdir(), 'kvs-service-'));
  const log = recordingLogger();
  const container = buildContainer(
    new EnvReader({
      TLOG_FILENAME: join(dir, 'transactions.log'),
      TLOG_SYNC: 'never',
      KVS_HOST: '127.0.0.1',
      KVS_HTTP_PORT: '0',
      KVS_GRPC_PORT: '0',
      ...env,
    }),
    log.logger,
  );
  const store = container.get<KeyValueStore>(TOKENS.KeyValueStore);
  const { watches, expiry } = container.get<ServiceParts>(TOKENS.Service);
  await store.restore(watches.replay);
  watches.restored(store);
  // As main does: what expired while down is logged before serving, then expiry runs.
  await expiry.drain();
  expiry.start();
  const frontends = container.getAll<Frontend>(TOKENS.Frontend);
  const ports = new Map<string, number>();
  for (const frontend of frontends) ports.set(frontend.name, (await frontend.start()).port);
  // As main does once every frontend listens: probes and grpc.health.v1 report serving.
  const readiness = container.get<Readiness>(TOKENS.Readiness);
  readiness.serving();
  const tls = container.isBound(TOKENS.ReloadingTls) ? container.get<ReloadingTls>(TOKENS.ReloadingTls) : undefined;
  return {
    restUrl: `${tls ? 'https' : 'http'}://127.0.0.1:${ports.get('rest')}`,
    grpcAddress: `127.0.0.1:${ports.get('grpc')}`,
    store,
    log,
    tls,
    watches,
    async stop() {
      readiness.stopping();
      watches.service.shutdown();
      await Promise.all([...frontends.map((frontend) => frontend.stop()), expiry.stop()]);
      await container.get<TransactionLog>(TOKENS.TransactionLog).close();
      tls?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
