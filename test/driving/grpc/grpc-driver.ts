import { status } from '@grpc/grpc-js';
import { GrpcFrontend } from '../../../src/driving/grpc';
import { KvsClient, KvsClientError } from '../../../src/client/kvs-client';
import type { KeyValueStore } from '../../../src/core';
import type { FrontendDriver, Outcome } from '../../contracts/frontend.contract';

/** A GrpcFrontend on 127.0.0.1 and an ephemeral port, with a client connected to it. */
export interface RunningGrpc {
  readonly frontend: GrpcFrontend;
  readonly address: string;
  readonly client: KvsClient;
  /** Closes the client and stops the frontend. */
  close(): Promise<void>;
}

/** Starts a GrpcFrontend on the store and connects a KvsClient to it. */
export async function startGrpc(store: KeyValueStore, shutdownGraceMs?: number): Promise<RunningGrpc> {
  const frontend = new GrpcFrontend(store, { host: '127.0.0.1', port: 0, shutdownGraceMs });
  const { port } = await frontend.start();
  const address = `127.0.0.1:${port}`;
  const client = new KvsClient(address, { timeoutMs: 10_000 });
  return {
    frontend,
    address,
    client,
    async close() {
      client.close();
      await frontend.stop();
    },
  };
}

/** Maps a call's result to the contract's terms; anything but a kvs failure is a test error. */
async function outcome(call: Promise<string | void>): Promise<Outcome> {
  try {
    const value = await call;
    return typeof value === 'string' ? { ok: true, value } : { ok: true };
  } catch (error) {
    if (!(error instanceof KvsClientError)) throw error;
    if (error.code !== undefined) return { ok: false, code: error.code };
    // grpc-js refuses a request over the server's message size before kvs sees it.
    if (error.status === status.RESOURCE_EXHAUSTED) return { ok: false, code: 'VALUE_TOO_LARGE' };
    throw error;
  }
}

/** The contract driver for the gRPC frontend, over the typed client. */
export function grpcDriver(running: RunningGrpc): FrontendDriver {
  const { client } = running;
  return {
    put: (key, value) => outcome(client.put(key, value).then(() => undefined)),
    get: (key) => outcome(client.get(key)),
    delete: (key) => outcome(client.delete(key).then(() => undefined)),
    close: () => running.close(),
  };
}
