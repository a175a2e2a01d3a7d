import type { EnvReader } from '../../config/env-reader';

/** Where the gRPC frontend listens; the host is shared with the other frontends (KVS_HOST). */
export interface GrpcOptions {
  readonly host: string;
  readonly port: number;
  /** Whether server reflection is offered (default true). */
  readonly reflection?: boolean;
}

/** The gRPC frontend's settings from the environment: its options but the shared host. */
export type GrpcConfig = Omit<GrpcOptions, 'host'>;

/** Reads KVS_GRPC_PORT (default 50051) and KVS_GRPC_REFLECTION (default true). */
export function readGrpcConfig(env: EnvReader): GrpcConfig {
  return {
    port: env.port('KVS_GRPC_PORT', 50051),
    reflection: env.oneOf('KVS_GRPC_REFLECTION', ['true', 'false'], 'true') === 'true',
  };
}
