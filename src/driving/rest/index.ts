/** The REST driver adapter. */
export { RestFrontend, type RestDependencies } from './rest-frontend';
export { readRestConfig, type RestConfig, type RestOptions } from './rest.config';
export { restCallAdapter } from './rest-call-adapter';
export { HTTP_STATUS_BY_CODE } from './http-status';
