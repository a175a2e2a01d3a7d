/** The policy pipeline every transport runs its calls through. */
export type { Observer } from './observer.port';
export type { Policy } from './policy.port';
export { PolicyPipeline } from './policy-pipeline';
