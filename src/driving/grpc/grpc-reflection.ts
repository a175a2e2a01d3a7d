import * as path from 'node:path';
import type { Server } from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_LOADER_OPTIONS } from '../../api/keyvalue-proto';

/**
 * Server reflection (v1 and v1alpha) describing KeyValue, Health and reflection itself, so
 * tools such as `grpcurl -plaintext host:port list` work without the proto files.
 */
export function addReflection(server: Server, keyValue: protoLoader.PackageDefinition): void {
  const reflectionProtoDir = path.resolve(require.resolve('@grpc/reflection'), '../../proto');
  const standard = protoLoader.loadSync(
    ['health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'],
    { ...PROTO_LOADER_OPTIONS, includeDirs: [path.resolve(healthProtoPath, '../../..'), reflectionProtoDir] },
  );
  const reflection = new ReflectionService({ ...keyValue, ...standard });
  fixPackagelessNames(reflection);
  reflection.addToServer(server);
}

/** The indexes @grpc/reflection 1.0 keeps per protocol version, keyed by fully-qualified name. */
interface ReflectionIndexes {
  services: Record<string, unknown>;
  symbols: Record<string, unknown>;
}

/**
 * @grpc/reflection 1.0 names symbols of a file without a proto package ".KeyValue", so
 * `grpcurl list` would print ".KeyValue" and `grpcurl describe KeyValue` would find nothing.
 * Re-keys its indexes to the real names; fails loudly if a new version changed them.
 */
function fixPackagelessNames(reflection: ReflectionService): void {
  for (const version of ['v1', 'v1Alpha']) {
    const indexes = (reflection as unknown as Record<string, Partial<ReflectionIndexes> | undefined>)[version];
    if (typeof indexes?.services !== 'object' || typeof indexes.symbols !== 'object') {
      throw new Error(
        `@grpc/reflection internals changed (no ${version}.services/symbols); revisit fixPackagelessNames`,
      );
    }
    indexes.services = Object.fromEntries(
      Object.entries(indexes.services).map(([name, s]) => [name.replace(/^\./, ''), s]),
    );
    for (const [name, file] of Object.entries(indexes.symbols)) {
      if (name.startsWith('.')) indexes.symbols[name.slice(1)] ??= file;
    }
  }
}
