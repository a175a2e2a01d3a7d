import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/keyvalue-package';

/** The proto file every kvs client and server is built from, relative to the proto directory. */
export const KEYVALUE_PROTO_FILE = 'keyvalue.proto';

/**
 * Loader options matching the flags of `npm run proto:gen`, so the generated types in
 * src/api/generated describe exactly the objects the loader produces.
 */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/**
 * The repository's proto/ directory. Searched upwards from this file because the code runs
 * from src/ (ts-jest), from dist/ (built) and from a container where proto/ sits beside dist/.
 */
export function findProtoDir(start: string = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'proto');
    if (existsSync(path.join(candidate, KEYVALUE_PROTO_FILE))) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`cannot find proto/${KEYVALUE_PROTO_FILE} in ${start} or any parent directory`);
    }
  }
}

/** The KeyValue package definition, as loaded at run time (reflection needs its descriptors). */
export function loadKeyValueDefinition(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(KEYVALUE_PROTO_FILE, { ...PROTO_LOADER_OPTIONS, includeDirs: [findProtoDir()] });
}

/** What proto/keyvalue.proto defines (the generated package type also covers kvs_admin.proto). */
export type KeyValuePackage = Omit<ProtoGrpcType, 'KvsAdmin' | 'CompactRequest' | 'CompactResponse'>;

/** The KeyValue service and messages, typed by the generated stubs. */
export function loadKeyValuePackage(
  definition: protoLoader.PackageDefinition = loadKeyValueDefinition(),
): KeyValuePackage {
  return grpc.loadPackageDefinition(definition) as unknown as KeyValuePackage;
}
