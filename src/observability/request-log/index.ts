export { RequestLogObserver } from './request-log-observer';
export type { RequestLogLine, RequestLogOptions } from './request-log-line';
