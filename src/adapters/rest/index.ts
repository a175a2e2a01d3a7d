/** The REST driver adapter. */
export { RestFrontend } from './rest-frontend';
export { readRestConfig, type RestOptions } from './rest.config';
