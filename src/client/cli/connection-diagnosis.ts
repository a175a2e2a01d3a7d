import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { DEFAULT_GRPC_PORT } from './kvs-help';

/** How long a diagnosis probe may take: it runs only after a call already failed. */
const PROBE_TIMEOUT_MS = 1500;

/**
 * What grpc-js reports when no connection could be set up: "No connection established. Last
 * error: <cause> (<timestamp>). Resolution note: <note>". The cause is what helps a user.
 */
export function connectionCause(details: string): string | undefined {
  const match = /Last error: (?:Error: )?(.*?)(?: \(\d{4}-\d\d-\d\dT[^)]*\))?\.?\s*(?:Resolution note:.*)?$/s.exec(
    details,
  );
  return match?.[1].split('\n')[0].trim();
}

/**
 * One line saying what is most likely wrong with a connection that failed, with the option
 * that fixes it (else the cause alone), or undefined when it was not a connection failure. Plaintext
 * failures that could mean a TLS server are settled with a TLS handshake probe.
 */
export async function diagnoseConnection(
  address: string,
  details: string,
  usingTls: boolean,
): Promise<string | undefined> {
  const cause = connectionCause(details);
  if (cause === undefined) return undefined;
  if (/ECONNREFUSED/.test(cause))
    return `nothing listens at ${address}; is the service running (gRPC port default ${DEFAULT_GRPC_PORT})?`;
  if (/ENOTFOUND|EAI_AGAIN/.test(cause)) return `cannot resolve the host of ${address}`;
  if (/no application protocol/i.test(cause)) return restPortHint(address);
  if (/wrong version number|packet length too long|unknown protocol/i.test(cause)) {
    return `${address} does not speak TLS; drop --tls, --cacert and --cert (and KVS_CACERT, KVS_CERT)`;
  }
  if (/certificate|self[- ]signed|unable to verify/i.test(cause)) {
    return `${address} sent a certificate this client does not trust (${cause}); pass --cacert with the CA that signed it`;
  }
  if (/Hostname\/IP does not match/i.test(cause)) {
    return `the server's certificate does not name the host of ${address}; use the host name it names`;
  }
  if (/Protocol error/i.test(cause)) return restPortHint(address);
  if (!usingTls && /Failed to connect|Connection dropped|ECONNRESET|socket hang up/i.test(cause)) {
    const alpn = await tlsProbe(address);
    if (alpn === 'h2')
      return `${address} looks like a TLS server; use --cacert FILE (or --tls for a publicly trusted certificate)`;
    if (alpn !== undefined) return `${restPortHint(address)}; it speaks TLS, so add --cacert FILE too`;
  }
  return `cannot connect to ${address} (${cause})`;
}

function restPortHint(address: string): string {
  return `${address} looks like the REST (HTTP/1.1) port; use the gRPC port (default ${DEFAULT_GRPC_PORT})`;
}

/** The host and port of `host:port` or `[v6]:port`. */
function hostAndPort(address: string): { host: string; port: number } | undefined {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match === null ? undefined : { host: match[1], port: Number(match[2]) };
}

/**
 * Whether the server answers a TLS handshake, and with which application protocol: "h2" for a
 * gRPC server, "http/1.1" or "" for an HTTPS REST port; undefined when it does not speak TLS.
 * Certificates are not checked: the probe only learns what the server speaks and sends no data.
 */
function tlsProbe(address: string): Promise<string | undefined> {
  const target = hostAndPort(address);
  if (target === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const tcp = tcpConnect(target.port, target.host);
    const socket = tlsConnect({
      socket: tcp,
      rejectUnauthorized: false,
      ALPNProtocols: ['h2', 'http/1.1'],
      servername: 'probe.invalid',
    });
    const done = (alpn: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(alpn);
    };
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => done(socket.alpnProtocol || ''));
    socket.once('error', () => done(undefined));
    tcp.once('error', () => done(undefined));
  });
}
