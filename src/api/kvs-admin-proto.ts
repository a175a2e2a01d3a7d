import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/keyvalue-package';
import { findProtoDir, PROTO_LOADER_OPTIONS } from './keyvalue-proto';

/** The operator API's proto file, relative to the proto directory; kept apart from the book's KeyValue. */
export const KVS_ADMIN_PROTO_FILE = 'kvs_admin.proto';

/** What proto/kvs_admin.proto defines. */
export type KvsAdminPackage = Pick<ProtoGrpcType, 'KvsAdmin' | 'CompactRequest' | 'CompactResponse'>;

/** The KvsAdmin package definition, as loaded at run time. */
export function loadKvsAdminDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(KVS_ADMIN_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [findProtoDir()] });
}

/** The KvsAdmin service and messages, typed by the generated stubs. */
export function loadKvsAdminPackage(
  definition: protoLoader.PackageDefinition = loadKvsAdminDefinition(),
): KvsAdminPackage {
  return grpc.loadPackageDefinition(definition) as unknown as KvsAdminPackage;
}
