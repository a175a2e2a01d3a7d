import * as grpc from '@grpc/grpc-js';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';

/** PEM material for a TLS channel: the CA to trust (default: the system's) and a client certificate for mTLS. */
export interface ClientTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

/**
 * The name sent as TLS server name (SNI) when the target is an IP address. grpc-js always sends
 * the target host as the server name, and Node refuses an IP address there (RFC 6066; a
 * deprecation warning on Node 20, an error from Node 26 on), so every TLS call to an IP target
 * would fail. `.invalid` is reserved (RFC 2606): it never names a real host.
 */
const IP_TARGET_SERVER_NAME = 'ip-address.invalid';

/** The host part of `host:port` or `[v6]:port`. */
function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) return bracketed[1];
  const colon = address.lastIndexOf(':');
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address;
}

/**
 * Credentials and channel options for a TLS channel to `address`. For an IP target the server
 * name is a placeholder (see IP_TARGET_SERVER_NAME) while the certificate is still checked
 * against the IP address itself, as it would be without the workaround.
 */
export function tlsChannel(
  address: string,
  tls: ClientTls,
): { credentials: grpc.ChannelCredentials; options: grpc.ChannelOptions } {
  const host = hostOf(address);
  if (isIP(host) === 0) {
    return { credentials: grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null), options: {} };
  }
  const credentials = grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, {
    checkServerIdentity: (_serverName, certificate) => checkServerIdentity(host, certificate),
  });
  return { credentials, options: { 'grpc.ssl_target_name_override': IP_TARGET_SERVER_NAME } };
}
