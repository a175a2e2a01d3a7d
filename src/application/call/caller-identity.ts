import type { ServerInterceptingCallInterface } from '@grpc/grpc-js';
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';

/**
 * Who is calling, as one string shared by the layers that care (authorization logs, rate
 * limits): the verified JWT subject if there is one, else the verified client-certificate
 * subject, else the remote address. The prefixes keep the three namespaces apart, so a token
 * whose `sub` is "127.0.0.1" does not share a bucket with that address.
 */
const subjects = new WeakMap<object, string>();

/**
 * Records the authenticated subject of a request. The carrier is the express request, or the
 * grpc-js Metadata object that the interceptors hand on to each other.
 */
export function recordSubject(carrier: object, subject: string): void {
  subjects.set(carrier, subject);
}

/** The caller of a REST request. */
export function restCaller(req: IncomingMessage): string {
  const subject = subjects.get(req);
  if (subject !== undefined) return `sub:${subject}`;
  const socket = req.socket as Partial<TLSSocket>;
  const certificate = socket.authorized === true ? socket.getPeerCertificate?.() : undefined;
  const name = certificateSubject(certificate);
  if (name !== undefined) return `cert:${name}`;
  return `addr:${req.socket.remoteAddress ?? 'unknown'}`;
}

/** The caller of a gRPC call whose request metadata is `metadata`. */
export function grpcCaller(call: ServerInterceptingCallInterface, metadata: object): string {
  const subject = subjects.get(metadata);
  if (subject !== undefined) return `sub:${subject}`;
  const name = certificateSubject(call.getAuthContext().sslPeerCertificate);
  if (name !== undefined) return `cert:${name}`;
  return `addr:${call.getConnectionInfo().remoteAddress ?? 'unknown'}`;
}

/** A certificate's subject as "CN=alice,O=example", or undefined when there is none. */
export function certificateSubject(certificate: PeerCertificate | undefined): string | undefined {
  const subject = certificate?.subject;
  if (subject === undefined || Object.keys(subject).length === 0) return undefined;
  return Object.entries(subject)
    .map(([field, value]) => `${field}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(',');
}
