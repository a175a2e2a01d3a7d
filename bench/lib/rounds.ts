import type { FailedRow, LoadRowResult } from './results';
import type { LoadRow } from './scenarios';

/** Measures one row once. */
export type MeasureRow = (row: LoadRow) => Promise<LoadRowResult>;

/**
 * Measures every row `rounds` times and keeps each row's best run (by throughput), applying the
 * same rule to the service and its baselines. Rows of one scenario run back to back, in
 * reverse order on every other round, so no server always runs first after a pause.
 * Errors are summed over all rounds and the peak RSS is the highest seen: the best run
 * must not hide a failure of another.
 */
export async function measureInRounds(
  rows: readonly LoadRow[],
  rounds: number,
  measure: MeasureRow,
  progress: (message: string) => void,
): Promise<{ load: LoadRowResult[]; failed: FailedRow[] }> {
  const runs = new Map<string, LoadRowResult[]>();
  const failures = new Map<string, FailedRow>();
  const groups = scenarioGroups(rows);
  let done = 0;
  for (let round = 0; round < rounds; round++) {
    for (const group of groups) {
      for (const row of round % 2 === 0 ? group : [...group].reverse()) {
        progress(`[${++done}/${rows.length * rounds}] ${row.id} ... `);
        try {
          const result = await measure(row);
          runs.set(row.id, [...(runs.get(row.id) ?? []), result]);
          progress(
            `${Math.round(result.requestsPerSecond)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, errors ${result.errors}\n`,
          );
        } catch (error) {
          failures.set(row.id, { row, reason: error instanceof Error ? error.message : String(error) });
          progress(`FAILED: ${String(error).split('\n')[0]}\n`);
        }
      }
    }
  }
  const load = rows.flatMap((row) => {
    const results = runs.get(row.id) ?? [];
    if (results.length === 0) return [];
    const best = results.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
    return [
      {
        ...best,
        errors: results.reduce((sum, r) => sum + r.errors, 0),
        peakRssMiB: Math.max(...results.map((r) => r.peakRssMiB)),
      },
    ];
  });
  return { load, failed: [...failures.values()] };
}

/** Consecutive rows of the same protocol, operation and connection count. */
function scenarioGroups(rows: readonly LoadRow[]): LoadRow[][] {
  const groups: LoadRow[][] = [];
  let key = '';
  for (const row of rows) {
    const rowKey = `${row.protocol}/${row.operation}/${row.connections}`;
    if (rowKey !== key) groups.push([]);
    key = rowKey;
    groups[groups.length - 1].push(row);
  }
  return groups;
}
