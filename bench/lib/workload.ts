/** What one benchmark row asks the server to do. */
export type Operation = 'get-hit' | 'get-miss' | 'put' | 'mix';

/** One request of a workload's cycle. */
export type Step =
  | { readonly kind: 'get'; readonly key: string; readonly expectFound: boolean }
  | { readonly kind: 'put'; readonly key: string; readonly value: string };

/** Distinct keys a workload cycles through (the hot set, preloaded before GET rows). */
export const HOT_KEYS = 1000;
/** Every benchmark key is 16 bytes and every value 100 bytes: small records, where per-request overhead dominates. */
export const KEY_BYTES = 16;
export const VALUE_BYTES = 100;
/** In the mix, one request in this many is a PUT (90/10 GET/PUT). */
const MIX_PUT_EVERY = 10;

/** The i-th stored key: 16 ASCII bytes. */
export function benchKey(index: number): string {
  return `key-${String(index).padStart(KEY_BYTES - 4, '0')}`;
}

/** A 16-byte key that is never written. */
export function missingKey(index: number): string {
  return `nil-${String(index).padStart(KEY_BYTES - 4, '0')}`;
}

/** The i-th value: 100 ASCII bytes that differ from key to key. */
export function benchValue(index: number): string {
  return `value-${String(index).padStart(12, '0')}-`.padEnd(VALUE_BYTES, 'abcdefghij');
}

/** The cycle of requests a load generator repeats for an operation. */
export function workloadSteps(operation: Operation): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < HOT_KEYS; i++) {
    if (operation === 'get-miss') steps.push({ kind: 'get', key: missingKey(i), expectFound: false });
    else if (operation === 'put' || (operation === 'mix' && i % MIX_PUT_EVERY === MIX_PUT_EVERY - 1)) {
      steps.push({ kind: 'put', key: benchKey(i), value: benchValue(i) });
    } else steps.push({ kind: 'get', key: benchKey(i), expectFound: true });
  }
  return steps;
}

/** Whether rows of this operation need the hot keys stored first. */
export function needsPreload(operation: Operation): boolean {
  return operation === 'get-hit' || operation === 'mix';
}
