import type { EnvReader } from '../../config/env-reader';

/** Where the gRPC frontend listens. */
export interface GrpcOptions {
  readonly host: string;
  readonly port: number;
}

/** Reads KVS_HOST (default 0.0.0.0, shared with REST) and KVS_GRPC_PORT (default 50051). */
export function readGrpcConfig(env: EnvReader): GrpcOptions {
  return { host: env.string('KVS_HOST', '0.0.0.0'), port: env.port('KVS_GRPC_PORT', 50051) };
}
