import * as path from 'node:path';
import type { Server, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import * as protoLoader from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { PROTO_LOADER_OPTIONS } from '../../protocol/keyvalue-proto';

/** The name the KeyValue service has in health checks: its full name, as there is no proto package. */
export const KEYVALUE_SERVICE_NAME = 'KeyValue';

/**
 * grpc.health.v1.Health for one server. The overall status ("") and KeyValue's follow the
 * frontend's lifecycle: SERVING once started, NOT_SERVING from the moment stop() begins.
 */
export class GrpcHealth {
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', [KEYVALUE_SERVICE_NAME]: 'NOT_SERVING' });
  private readonly watches = new Set<ServerWritableStream<unknown, unknown>>();

  /** Registers the Health service, keeping track of open Watch streams. */
  addToServer(server: Server): void {
    this.health.addToServer({
      addService: (service, implementation: UntypedServiceImplementation) =>
        server.addService(service, { ...implementation, watch: (call: ServerWritableStream<unknown, unknown>) => this.watch(call, implementation) }),
    });
  }

  /** Reports every service as SERVING. */
  serving(): void {
    this.setAll('SERVING');
  }

  /**
   * Reports NOT_SERVING to checks and watchers, then ends the Watch streams: they never end on
   * their own and would otherwise hold a graceful shutdown open until its deadline.
   */
  notServing(): void {
    this.setAll('NOT_SERVING');
    for (const call of this.watches) call.end();
    this.watches.clear();
  }

  private setAll(status: 'SERVING' | 'NOT_SERVING'): void {
    this.health.setStatus('', status);
    this.health.setStatus(KEYVALUE_SERVICE_NAME, status);
  }

  private watch(call: ServerWritableStream<unknown, unknown>, implementation: UntypedServiceImplementation): void {
    this.watches.add(call);
    call.on('cancelled', () => this.watches.delete(call));
    (implementation.watch as (call: ServerWritableStream<unknown, unknown>) => void)(call);
  }
}

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
      throw new Error(`@grpc/reflection internals changed (no ${version}.services/symbols); revisit fixPackagelessNames`);
    }
    indexes.services = Object.fromEntries(Object.entries(indexes.services).map(([name, s]) => [name.replace(/^\./, ''), s]));
    for (const [name, file] of Object.entries(indexes.symbols)) {
      if (name.startsWith('.')) indexes.symbols[name.slice(1)] ??= file;
    }
  }
}
