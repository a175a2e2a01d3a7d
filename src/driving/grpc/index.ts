/** The gRPC driver adapter. */
export { GrpcFrontend, type GrpcDependencies, type GrpcFrontendOptions } from './grpc-frontend';
export { readGrpcConfig, type GrpcConfig, type GrpcOptions } from './grpc.config';
export { GRPC_STATUS_BY_CODE } from './grpc-status';
