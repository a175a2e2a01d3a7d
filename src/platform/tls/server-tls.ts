/** The server side of TLS as the frontends see it; the tls adapter loads, checks and reloads it. */

/** PEM material for a secure context; `ca` only when client certificates are required (mTLS). */
export interface ServerTlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca?: Buffer;
}

/** Certificates that may change while the service runs (SIGHUP, files replaced). */
export interface ServerTls {
  /** True when clients must present a certificate signed by the configured CA. */
  readonly requireClientCertificate: boolean;
  /** The material in use now. */
  current(): ServerTlsMaterial;
  /** Calls `listener` with the new material after each successful reload. */
  onReload(listener: (material: ServerTlsMaterial) => void): void;
}
