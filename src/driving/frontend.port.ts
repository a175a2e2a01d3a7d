import type { AddressInfo, Server as NetServer } from 'node:net';

/** Where a frontend ended up listening (port 0 in the config means "any free port"). */
export interface ListeningAddress {
  readonly host: string;
  readonly port: number;
}

/** A driver adapter: something that listens for clients and calls the core's KeyValueStore. */
export interface Frontend {
  /** Short name used in logs and in FRONTEND_TYPE, e.g. "rest". */
  readonly name: string;
  /** Starts listening; resolves once connections are accepted. */
  start(): Promise<ListeningAddress>;
  /** Stops accepting connections, lets in-flight requests finish, then resolves. */
  stop(): Promise<void>;
}

/** A frontend cannot listen because another socket holds its port (EADDRINUSE). */
export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`${host}:${port}: address already in use`);
    this.name = 'PortInUseError';
  }
}

/** Starts `server` listening on host:port; resolves with where it listens, rejects if it cannot (PortInUseError when taken). */
export function listenOn(server: NetServer, host: string, port: number): Promise<ListeningAddress> {
  return new Promise((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException): void =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port) : error);
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const { address, port: bound } = server.address() as AddressInfo;
      resolve({ host: address, port: bound });
    });
  });
}
