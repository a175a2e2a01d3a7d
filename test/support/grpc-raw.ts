import * as grpc from '@grpc/grpc-js';

const identity = (bytes: Buffer): Buffer => bytes;

/** A grpc-js client for calling services by path with hand-encoded messages (health, reflection, admin). */
export function rawClient(address: string, credentials = grpc.credentials.createInsecure()): grpc.Client {
  return new grpc.Client(address, credentials);
}

/** Calls a unary method with raw bytes; resolves with the status code (and the response bytes). */
export function rawUnary(
  client: grpc.Client,
  path: string,
  request: Buffer,
  metadata = new grpc.Metadata(),
  deadlineMs = 5000,
): Promise<{ code: grpc.status; response?: Buffer; errorCode?: string }> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      path,
      identity,
      identity,
      request,
      metadata,
      { deadline: Date.now() + deadlineMs },
      (error, response) => {
        if (error)
          resolve({ code: error.code, errorCode: error.metadata?.get('kvs-error-code')[0] as string | undefined });
        else resolve({ code: grpc.status.OK, response });
      },
    );
  });
}

/** grpc.health.v1 Check of the overall status; resolves with "SERVING", "NOT_SERVING" or the error status. */
export async function healthCheck(client: grpc.Client): Promise<string> {
  const { code, response } = await rawUnary(client, '/grpc.health.v1.Health/Check', Buffer.alloc(0));
  if (code !== grpc.status.OK) return grpc.status[code];
  // HealthCheckResponse { status = 1 }: 0x08 then the enum value (1 SERVING, 2 NOT_SERVING).
  return response?.[1] === 1 ? 'SERVING' : 'NOT_SERVING';
}

/** Asks server reflection (v1) to list the services; resolves with the response bytes as text. */
export function reflectionListServices(client: grpc.Client): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = client.makeBidiStreamRequest(
      '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      identity,
      identity,
    );
    call.once('data', (response: Buffer) => {
      resolve(response.toString('latin1'));
      call.cancel();
    });
    call.once('error', (error: grpc.ServiceError) => {
      if (error.code !== grpc.status.CANCELLED) reject(error);
    });
    // ServerReflectionRequest { list_services = "" } (field 7, length-delimited).
    call.write(Buffer.from([0x3a, 0x00]));
  });
}
