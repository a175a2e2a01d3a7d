/** Refusing new requests at once while the process is overloaded, on both frontends. */
export { LoadShedder } from './load-shedder';
export { loadSheddingInterceptor } from './load-shedding-interceptor';
export { loadSheddingMiddleware } from './load-shedding-middleware';
export { readLoadSheddingConfig, type LoadSheddingConfig } from './load-shedding.config';
