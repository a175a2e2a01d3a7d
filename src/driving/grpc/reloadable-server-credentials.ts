import { ServerCredentials } from '@grpc/grpc-js';
import type { ServerTls } from '../../platform/tls/server-tls';

/**
 * TLS server credentials whose certificates can change while the server runs.
 *
 * grpc-js 1.14 has no public reloadable credentials for PEM files (its
 * FileWatcherCertificateProvider is not exported from the package root), but every
 * ServerCredentials keeps a set of watchers: the server registers one per listening port and
 * calls `setSecureContext` on its http2 server when `updateSecureContextOptions` is called.
 * This subclass feeds that hook from the same reloads as the REST frontend. New connections
 * get the new certificates; established ones keep theirs until they close.
 */
export class ReloadableServerCredentials extends ServerCredentials {
  constructor(tls: ServerTls) {
    super({ requestCert: tls.requireClientCertificate, rejectUnauthorized: true }, { ...tls.current() });
    tls.onReload((material) => this.updateSecureContextOptions({ ...material }));
  }

  _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}
