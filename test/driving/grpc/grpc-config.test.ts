import { readGrpcConfig } from '../../../src/driving/grpc';
import { ConfigError, EnvReader } from '../../../src/config/env-reader';

describe('readGrpcConfig', () => {
  it('listens on port 50051 by default', () => {
    expect(readGrpcConfig(new EnvReader({}))).toEqual({ port: 50051, reflection: true });
  });

  it('reads KVS_GRPC_PORT', () => {
    expect(readGrpcConfig(new EnvReader({ KVS_GRPC_PORT: '0' }))).toEqual({ port: 0, reflection: true });
  });

  it('turns reflection off with KVS_GRPC_REFLECTION=false', () => {
    expect(readGrpcConfig(new EnvReader({ KVS_GRPC_REFLECTION: 'false' }))).toMatchObject({ reflection: false });
  });

  it('names the variable, the value and what is accepted for a bad port', () => {
    expect(() => readGrpcConfig(new EnvReader({ KVS_GRPC_PORT: '70000' }))).toThrow(ConfigError);
    expect(() => readGrpcConfig(new EnvReader({ KVS_GRPC_PORT: 'grpc' }))).toThrow(
      'config: KVS_GRPC_PORT="grpc" is not valid; expected an integer from 0 to 65535',
    );
  });
});
