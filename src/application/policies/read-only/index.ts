/** Refusing writes while the service is read-only. */
export { ReadOnlyPolicy } from './read-only-policy';
