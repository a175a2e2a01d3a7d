/** The operation table: every operation the service offers, and its lookups for the transports. */
export type {
  GrpcBinding,
  KeySource,
  Operation,
  OperationKind,
  RestBinding,
  Scope,
  StringFieldRole,
  StringFields,
} from './operation';
export { OPERATIONS, UNROUTED } from './operation-table';
export { OperationTable, type RestPath, type RestResolution } from './operation-lookup';
