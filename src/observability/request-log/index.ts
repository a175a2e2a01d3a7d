export { restRequestLog } from './rest-request-log';
export { grpcRequestLog } from './grpc-request-log';
export { REQUEST_ID_HEADER } from './request-id';
export type { RequestLogLine, RequestLogOptions } from './request-log-line';
