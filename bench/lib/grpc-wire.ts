import { credentials, Client, Metadata, type ServiceError } from '@grpc/grpc-js';

// The load generator hand-encodes the two request messages of proto/keyvalue.proto so that it
// spends next to no CPU on protobuf: on a 2-core machine every cycle it saves goes to the server.

/** Full method names of the KeyValue service (the proto has no package). */
export const METHOD = { get: '/KeyValue/Get', put: '/KeyValue/Put' } as const;

/** GetRequest { string key = 1; } */
export function encodeGetRequest(key: string): Buffer {
  return encodeStringFields([key]);
}

/** PutRequest { string key = 1; string value = 2; } */
export function encodePutRequest(key: string, value: string): Buffer {
  return encodeStringFields([key, value]);
}

function encodeStringFields(values: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  values.forEach((text, index) => {
    const bytes = Buffer.from(text, 'utf8');
    const wireTypeLengthDelimited = 2;
    parts.push(varint(((index + 1) << 3) | wireTypeLengthDelimited), varint(bytes.length), bytes);
  });
  return Buffer.concat(parts);
}

function varint(value: number): Buffer {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return Buffer.from(bytes);
}

const passThrough = (buffer: Buffer): Buffer => buffer;

/** One HTTP/2 connection to the server (a private subchannel, so channels never share a socket). */
export class RawGrpcChannel {
  private readonly client: Client;
  private readonly metadata: Metadata;

  /** `ca`: connect with TLS trusting this CA; `token`: send it as a bearer token on every call. */
  constructor(target: string, { ca, token }: { ca?: Buffer; token?: string } = {}) {
    const channelCredentials = ca ? credentials.createSsl(ca) : credentials.createInsecure();
    // The bench certificate names localhost; an IP address as TLS server name is deprecated.
    const options = {
      'grpc.use_local_subchannel_pool': 1,
      ...(ca ? { 'grpc.ssl_target_name_override': 'localhost' } : {}),
    };
    this.client = new Client(target, channelCredentials, options);
    this.metadata = new Metadata();
    if (token) this.metadata.set('authorization', `Bearer ${token}`);
  }

  /** Resolves once the connection is up. */
  ready(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.client.waitForReady(Date.now() + timeoutMs, (error) => (error ? reject(error) : resolve())),
    );
  }

  /**
   * Sends one pre-encoded unary request; the callback gets the status error, or null and the
   * encoded response on OK.
   */
  call(method: string, request: Buffer, done: (error: ServiceError | null, response?: Buffer) => void): void {
    this.client.makeUnaryRequest(method, passThrough, passThrough, request, this.metadata, done);
  }

  close(): void {
    this.client.close();
  }
}
