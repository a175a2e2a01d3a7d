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
