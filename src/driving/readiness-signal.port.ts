/**
 * Whether the service should receive traffic now: the frontends' health reports follow it
 * (gRPC's grpc.health.v1, REST's /readyz). Implemented by the probes adapter's Readiness.
 */
export interface ReadinessSignal {
  /** True while requests can be served, writes included. */
  readonly ready: boolean;
  /** Calls `listener` with the new value on every change; returns the function that stops it. */
  onChange(listener: (ready: boolean) => void): () => void;
}
