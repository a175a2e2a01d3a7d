import { declarationOf, VARIABLES } from './variables';

/** Prefixes of the variables kvs reads: one of ours that nothing read is most likely misspelled. */
const OUR_PREFIXES = ['KVS_', 'TLOG_'];
/** A suggestion further than this many edits away is noise rather than help. */
const MAX_SUGGESTION_DISTANCE = 3;

/** A set variable with one of our prefixes that this configuration does not read. */
export interface UnreadVariable {
  readonly name: string;
  /** The closest name that was read, when one is close enough to be a likely typo. */
  readonly suggestion?: string;
}

/** The names the service may read, from the declarations: what a misspelled name is compared with. */
const SERVICE_NAMES: ReadonlySet<string> = new Set(
  VARIABLES.filter((variable) => variable.readBy !== 'cli').map((variable) => variable.name),
);

/**
 * The variables with our prefixes that are set but were never looked up, each with the closest
 * name that was or could be (as etcd warns about unrecognised ETCD_ variables): `KVS_HTTP_PROT` →
 * `KVS_HTTP_PORT`. Variables declared for the CLI only (KVS_ADDRESS, KVS_TOKEN...) are never named.
 */
export function unreadVariables(
  env: Readonly<Record<string, string | undefined>>,
  namesRead: ReadonlySet<string>,
): UnreadVariable[] {
  const candidates = new Set([...namesRead, ...SERVICE_NAMES]);
  return Object.keys(env)
    .filter((name) => OUR_PREFIXES.some((prefix) => name.startsWith(prefix)) && !namesRead.has(name))
    .filter((name) => declarationOf(name)?.readBy !== 'cli')
    .sort()
    .map((name) => {
      const suggestion = closest(name, candidates);
      return suggestion === undefined ? { name } : { name, suggestion };
    });
}

function closest(name: string, candidates: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = MAX_SUGGESTION_DISTANCE + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Levenshtein distance, with one row of memory. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}
