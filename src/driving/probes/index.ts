/** Liveness and readiness: the Readiness state and the HTTP probe router (/livez, /readyz, /healthz). */
export { probeRouter } from './probe-router';
export { Readiness, type ReadinessState } from './readiness';
