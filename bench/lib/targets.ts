import { medianRun, type BenchResults, type LoadRowResult } from './results';
import { BASELINES, DEFAULT_SYNC, DURABLE_BASELINE, row, type LoadRow } from './scenarios';
import type { Protocol, ServerKind, SyncPolicy } from './servers';
import type { Operation } from './workload';

/** One performance target (bench/README.md lists them), as measured in this run. */
export interface TargetOutcome {
  readonly target: string;
  readonly measured: string;
  /** Undefined when the run did not measure what the target needs (e.g. filtered out). */
  readonly met: boolean | undefined;
}

/** The connection count the targets are stated at. */
export const TARGET_CONNECTIONS = 32;
const DURABLE_PUT_VS_GET = 0.5;
const VS_FRAMEWORK = 0.8;
/** Issue 22: the hot routes' REST GET and durable PUT against the bare node:http floors. */
const VS_BARE = 0.8;
/** The issue's hard target for the durable write peer (1.0× is the goal). */
const DURABLE_PUT_VS_REDIS = 0.5;
/** Request logs and metrics at their defaults may cost at most 15% of GET throughput. */
const OBSERVABILITY_VS_OFF = 0.85;
const MIN_REPLAY_EVENTS_PER_SECOND = 500_000;
/** p99 may be at most this many times p50. */
export const MAX_TAIL_RATIO = 5;

/** Finds a row's result by what it measured (the settings of scenarios' `row`). */
export function findResult(
  results: readonly LoadRowResult[],
  ...settings: Parameters<typeof row>
): LoadRowResult | undefined {
  const { id } = row(...settings);
  return results.find((result) => result.row.id === id);
}

/** The bare baseline's result in the scenario of a row (its floor), when the protocol has one. */
export function floorResult(results: readonly LoadRowResult[], of: LoadRow): LoadRowResult | undefined {
  if (of.protocol === 'resp') return undefined;
  return findResult(results, of.protocol, of.operation, of.connections, BASELINES[of.protocol][0]);
}

/** Throughput of `ours` over `reference`, when both were measured. */
export function throughputRatio(ours?: LoadRowResult, reference?: LoadRowResult): number | undefined {
  return ours && reference ? ours.requestsPerSecond / reference.requestsPerSecond : undefined;
}

/** Server CPU per request of `ours` over `reference`: above 1 means ours costs more per request. */
export function cpuRatio(ours?: LoadRowResult, reference?: LoadRowResult): number | undefined {
  return ours && reference ? ours.cpuSecondsPer10k / reference.cpuSecondsPer10k : undefined;
}

/** Evaluates every performance target against this run's figures. */
export function evaluateTargets(results: BenchResults): TargetOutcome[] {
  const load = results.load;
  const at32 = (
    protocol: Protocol,
    operation: Operation,
    server: ServerKind,
    sync?: SyncPolicy,
  ): LoadRowResult | undefined => findResult(load, protocol, operation, TARGET_CONNECTIONS, server, sync);
  const outcomes: TargetOutcome[] = [];
  const ratioTarget = (
    target: string,
    ours: LoadRowResult | undefined,
    reference: LoadRowResult | undefined,
    minimum: number,
  ): void => {
    const ratio = throughputRatio(ours, reference);
    const cpu = cpuRatio(ours, reference);
    outcomes.push({
      target,
      measured:
        ratio === undefined
          ? 'not measured'
          : `${ratio.toFixed(2)}× req/s (server CPU per request ${cpu?.toFixed(2)}×)`,
      met: ratio === undefined ? undefined : ratio >= minimum,
    });
  };

  for (const protocol of ['rest', 'grpc'] as const) {
    ratioTarget(
      `${label(protocol)} durable PUT (sync=always) ≥ ${DURABLE_PUT_VS_GET}× our GET, ${TARGET_CONNECTIONS} conns`,
      at32(protocol, 'put', 'kvs', 'always'),
      at32(protocol, 'get-hit', 'kvs', DEFAULT_SYNC),
      DURABLE_PUT_VS_GET,
    );
  }
  ratioTarget(
    `REST GET ≥ ${VS_FRAMEWORK}× express+Map, ${TARGET_CONNECTIONS} conns`,
    at32('rest', 'get-hit', 'kvs', DEFAULT_SYNC),
    at32('rest', 'get-hit', 'express'),
    VS_FRAMEWORK,
  );
  ratioTarget(
    `REST GET ≥ ${VS_BARE}× bare node:http+Map, ${TARGET_CONNECTIONS} conns`,
    at32('rest', 'get-hit', 'kvs', DEFAULT_SYNC),
    at32('rest', 'get-hit', BASELINES.rest[0]),
    VS_BARE,
  );
  ratioTarget(
    `REST durable PUT (sync=always) ≥ ${VS_BARE}× bare node:http+Map+fdatasync, ${TARGET_CONNECTIONS} conns`,
    at32('rest', 'put', 'kvs', 'always'),
    at32('rest', 'put', DURABLE_BASELINE),
    VS_BARE,
  );
  ratioTarget(
    `gRPC Get ≥ ${VS_FRAMEWORK}× bare grpc-js+Map, ${TARGET_CONNECTIONS} streams`,
    at32('grpc', 'get-hit', 'kvs', DEFAULT_SYNC),
    at32('grpc', 'get-hit', BASELINES.grpc[0]),
    VS_FRAMEWORK,
  );

  for (const protocol of ['rest', 'grpc'] as const) {
    ratioTarget(
      `${label(protocol)} durable PUT (sync=always) ≥ ${DURABLE_PUT_VS_REDIS}× Redis appendfsync always, ${TARGET_CONNECTIONS} conns`,
      at32(protocol, 'put', 'kvs', 'always'),
      at32('resp', 'put', 'redis'),
      DURABLE_PUT_VS_REDIS,
    );
  }

  for (const protocol of ['rest', 'grpc'] as const) {
    ratioTarget(
      `${label(protocol)} GET with observability defaults ≥ ${OBSERVABILITY_VS_OFF}× request logs and metrics off, ${TARGET_CONNECTIONS} conns`,
      at32(protocol, 'get-hit', 'kvs', DEFAULT_SYNC),
      findResult(load, protocol, 'get-hit', TARGET_CONNECTIONS, 'kvs', DEFAULT_SYNC, undefined, 'off'),
      OBSERVABILITY_VS_OFF,
    );
  }

  const replayRate = results.replay && medianRun(results.replay.runs).eventsPerSecond;
  outcomes.push({
    target: `Replay of the 1M-event file log ≥ ${MIN_REPLAY_EVENTS_PER_SECOND / 1000}k events/s`,
    measured: replayRate === undefined ? 'not measured' : `${Math.round(replayRate / 1000)}k events/s (median)`,
    met: replayRate === undefined ? undefined : replayRate >= MIN_REPLAY_EVENTS_PER_SECOND,
  });

  const ours32 = load.filter(({ row }) => row.server === 'kvs' && row.connections === TARGET_CONNECTIONS);
  const worst = ours32.reduce<LoadRowResult | undefined>(
    (w, r) => (!w || tailRatio(r) > tailRatio(w) ? r : w),
    undefined,
  );
  const over = ours32.filter((r) => tailRatio(r) > MAX_TAIL_RATIO).map(({ row }) => row.id);
  outcomes.push({
    target: `p99 ≤ ${MAX_TAIL_RATIO}× p50 at ${TARGET_CONNECTIONS} conns, every kvs scenario`,
    measured: worst
      ? `worst ${tailRatio(worst).toFixed(1)}× (${worst.row.id})${over.length ? `; over: ${over.join(', ')}` : ''}`
      : 'not measured',
    met: worst ? over.length === 0 : undefined,
  });

  const withErrors = load.filter((r) => r.errors > 0).map((r) => `${r.row.id}: ${r.errors}`);
  outcomes.push({
    target: 'Errors: 0 in every row',
    measured: withErrors.length ? withErrors.join('; ') : '0',
    met: load.length ? withErrors.length === 0 && results.failed.length === 0 : undefined,
  });
  return outcomes;
}

/** p99 over p50. */
export function tailRatio(result: LoadRowResult): number {
  return result.p99Ms / result.p50Ms;
}

function label(protocol: Protocol): string {
  return protocol === 'rest' ? 'REST' : 'gRPC';
}
