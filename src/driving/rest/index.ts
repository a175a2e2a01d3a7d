/** The REST driver adapter. */
export { RestFrontend, type RestDependencies } from './rest-frontend';
export { readRestConfig, type RestConfig, type RestOptions } from './rest.config';
