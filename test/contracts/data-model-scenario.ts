import {
  KvsError,
  PreconditionFailedError,
  type KeySelector,
  type KeyValueStore,
  type RangeQuery,
  type TxnRequest,
  type WriteCondition,
} from '../../src/core';
import type { KvsErrorCode } from '../../src/api/error-codes';

/**
 * The shared data-model scenario (issue 17): one transport-neutral sequence of operations, run
 * through every frontend and directly on the core store; each frontend must give exactly the
 * core's results. Steps are in the core's terms (WriteCondition, RangeQuery, TxnRequest); each
 * driver translates them to its wire and the answers back to the outcomes below.
 *
 * A step names the capability it needs, and a driver declares the capabilities it offers:
 * runScenario refuses at once a driver that cannot run a step, so no step is skipped unseen.
 */

/** What a step needs of a frontend. */
export type Capability = 'key' | 'range' | 'deleteRange' | 'txn';

/** A failure, in the core's terms; `currentModRevision` for PRECONDITION_FAILED (0: absent). */
export interface Failure {
  readonly ok: false;
  readonly code: KvsErrorCode;
  readonly currentModRevision?: number;
}

/** A key with its revisions, as every answer carries it. */
export interface ScenarioEntry {
  readonly key: string;
  readonly value: string;
  readonly createRevision: number;
  readonly modRevision: number;
  readonly version: number;
}

export type WriteOutcome = { readonly ok: true; readonly revision: number } | Failure;
export type GetOutcome = ({ readonly ok: true; readonly revision: number } & ScenarioEntry) | Failure;
export type RangeOutcome =
  | {
      readonly ok: true;
      readonly revision: number;
      readonly entries: readonly ScenarioEntry[];
      readonly more: boolean;
      readonly nextStartAfter?: string;
    }
  | Failure;
export type DeleteRangeOutcome = { readonly ok: true; readonly revision: number; readonly deleted: number } | Failure;
/** One op's result: a get as the entry it saw (undefined: absent). */
export type TxnOpOutcome =
  | { readonly type: 'put' }
  | { readonly type: 'delete'; readonly deleted: boolean }
  | { readonly type: 'get'; readonly entry?: ScenarioEntry };
export type TxnOutcome =
  | { readonly ok: true; readonly succeeded: boolean; readonly revision: number; readonly results: TxnOpOutcome[] }
  | Failure;

/** A client of one frontend (or of the core itself), over a real socket for the frontends. */
export interface ScenarioDriver {
  readonly capabilities: ReadonlySet<Capability>;
  put(key: string, value: string, condition?: WriteCondition): Promise<WriteOutcome>;
  get(key: string): Promise<GetOutcome>;
  delete(key: string, condition?: WriteCondition): Promise<WriteOutcome>;
  range?(query: RangeQuery): Promise<RangeOutcome>;
  deleteRange?(selector: KeySelector): Promise<DeleteRangeOutcome>;
  txn?(request: TxnRequest): Promise<TxnOutcome>;
}

/** One step of the scenario. */
export type Step =
  | { readonly op: 'put'; readonly key: string; readonly value: string; readonly condition?: WriteCondition }
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'delete'; readonly key: string; readonly condition?: WriteCondition }
  | { readonly op: 'range'; readonly query: RangeQuery }
  | { readonly op: 'deleteRange'; readonly selector: KeySelector }
  | { readonly op: 'txn'; readonly request: TxnRequest };

/** The capability a step needs. */
export function capabilityOf(step: Step): Capability {
  return step.op === 'put' || step.op === 'get' || step.op === 'delete' ? 'key' : step.op;
}

/** The scenario: plain and conditional writes, reads, deletes, range pages, delete-ranges and transactions. */
export const SCENARIO: readonly Step[] = [
  { op: 'put', key: 'app/a', value: 'one', condition: { modRevision: 0 } },
  { op: 'put', key: 'app/a', value: 'again', condition: { modRevision: 0 } },
  { op: 'put', key: 'app/b', value: 'two' },
  { op: 'put', key: 'app/a', value: 'three', condition: { modRevision: 1 } },
  { op: 'put', key: 'app/a', value: 'stale', condition: { modRevision: 1 } },
  { op: 'put', key: 'app/c', value: 'needs to exist', condition: { exists: true } },
  { op: 'put', key: 'app/b', value: 'still here', condition: { exists: true } },
  { op: 'get', key: 'app/a' },
  { op: 'get', key: 'app/c' },
  { op: 'put', key: 'app/ünï', value: '🗝️ value' },
  { op: 'put', key: 'other', value: 'outside app/' },
  { op: 'range', query: { prefix: 'app/', limit: 2 } },
  { op: 'range', query: { prefix: 'app/', limit: 2, startAfter: 'app/b' } },
  { op: 'range', query: { start: 'app/b', end: 'other', keysOnly: true } },
  {
    op: 'txn',
    request: {
      compare: [{ key: 'app/a', target: 'value', op: '==', operand: 'three' }],
      success: [
        { type: 'put', key: 'app/a', value: 'four' },
        { type: 'get', key: 'app/a' },
        { type: 'delete', key: 'app/b' },
      ],
      failure: [{ type: 'get', key: 'app/a' }],
    },
  },
  {
    op: 'txn',
    request: {
      compare: [{ key: 'app/a', target: 'modRevision', op: '<', operand: 3 }],
      success: [{ type: 'put', key: 'app/never', value: 'x' }],
      failure: [
        { type: 'get', key: 'app/a' },
        { type: 'get', key: 'app/b' },
      ],
    },
  },
  { op: 'get', key: 'app/b' },
  { op: 'delete', key: 'app/a', condition: { modRevision: 2 } },
  { op: 'delete', key: 'app/missing', condition: { exists: true } },
  { op: 'delete', key: 'app/missing' },
  { op: 'put', key: 'app/d', value: 'to be cleared' },
  { op: 'deleteRange', selector: { prefix: 'app/' } },
  { op: 'deleteRange', selector: { prefix: 'app/' } },
  { op: 'range', query: { prefix: '' } },
  { op: 'put', key: 'other', value: 'recreated' },
  { op: 'delete', key: 'other' },
  { op: 'put', key: 'other', value: 'generation two', condition: { modRevision: 0 } },
  { op: 'get', key: 'other' },
  { op: 'put', key: '', value: 'empty key' },
  { op: 'get', key: 'never-written' },
];

/** Runs the steps in order, one outcome per step; refuses at once a step the driver cannot run. */
export async function runScenario(driver: ScenarioDriver, steps: readonly Step[]): Promise<unknown[]> {
  const missing = steps.find((step) => !driver.capabilities.has(capabilityOf(step)));
  if (missing !== undefined) throw new Error(`the driver cannot run ${missing.op}`);
  const outcomes: unknown[] = [];
  for (const step of steps) outcomes.push({ step: step.op, outcome: await runStep(driver, step) });
  return outcomes;
}

function runStep(driver: ScenarioDriver, step: Step): Promise<unknown> {
  switch (step.op) {
    case 'put':
      return driver.put(step.key, step.value, step.condition);
    case 'get':
      return driver.get(step.key);
    case 'delete':
      return driver.delete(step.key, step.condition);
    case 'range':
      return driver.range!(step.query);
    case 'deleteRange':
      return driver.deleteRange!(step.selector);
    case 'txn':
      return driver.txn!(step.request);
  }
}

/** The failure of a thrown core error, in the scenario's terms. */
export function failureOf(error: unknown): Failure {
  if (!(error instanceof KvsError)) throw error;
  if (error instanceof PreconditionFailedError) {
    return { ok: false, code: error.code, currentModRevision: error.currentModRevision };
  }
  return { ok: false, code: error.code };
}

/** The reference: the scenario run directly on the core store, with no transport at all. */
export function coreScenarioDriver(store: KeyValueStore): ScenarioDriver {
  const attempt = async <T>(work: () => T | Promise<T>): Promise<T | Failure> => {
    try {
      return await work();
    } catch (error) {
      return failureOf(error);
    }
  };
  return {
    capabilities: new Set<Capability>(['key', 'range', 'deleteRange', 'txn']),
    put: (key, value, condition) =>
      attempt(async () => ({ ok: true as const, revision: (await store.put(key, value, condition)).revision })),
    get: (key) =>
      attempt(() => {
        const { entry, revision } = store.read(key);
        if (entry === undefined) return { ok: false as const, code: 'KEY_NOT_FOUND' as const };
        return { ok: true as const, revision, ...entry };
      }),
    delete: (key, condition) =>
      attempt(async () => ({ ok: true as const, revision: (await store.delete(key, condition)).revision })),
    range: (query) =>
      attempt(() => {
        const page = store.range(query);
        return {
          ok: true as const,
          revision: page.revision,
          entries: page.entries.map((entry) => ({ ...entry })),
          more: page.more,
          nextStartAfter: page.nextStartAfter,
        };
      }),
    deleteRange: (selector) => attempt(async () => ({ ok: true as const, ...(await store.deleteRange(selector)) })),
    txn: (request) =>
      attempt(async () => {
        const result = await store.txn(request);
        const results = result.results.map((op): TxnOpOutcome => {
          if (op.type === 'put') return { type: 'put' };
          if (op.type === 'delete') return { type: 'delete', deleted: op.deleted };
          return op.entry === undefined ? { type: 'get' } : { type: 'get', entry: { ...op.entry } };
        });
        return { ok: true as const, succeeded: result.succeeded, revision: result.revision, results };
      }),
  };
}
