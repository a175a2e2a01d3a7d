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

/**
 * The variables with our prefixes that are set but were never looked up, each with the closest
 * name that was (as etcd warns about unrecognised ETCD_ variables): `KVS_HTTP_PROT` → `KVS_HTTP_PORT`.
 */
export function unreadVariables(
  env: Readonly<Record<string, string | undefined>>,
  namesRead: ReadonlySet<string>,
): UnreadVariable[] {
  return Object.keys(env)
    .filter((name) => OUR_PREFIXES.some((prefix) => name.startsWith(prefix)) && !namesRead.has(name))
    .sort()
    .map((name) => {
      const suggestion = closest(name, namesRead);
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
