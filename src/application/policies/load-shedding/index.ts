/** Refusing new requests at once while the process is overloaded, on every frontend. */
export { LoadShedder } from './load-shedder';
export { LoadSheddingPolicy } from './load-shedding-policy';
export { readLoadSheddingConfig, type LoadSheddingConfig } from './load-shedding.config';
