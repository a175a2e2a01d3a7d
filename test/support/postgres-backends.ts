import { readFileSync } from 'node:fs';
import type { TestPostgres } from './test-postgres';

/**
 * The backends of the test's PostgreSQL that serve connections named `applicationName` (a kvs
 * instance names its connections: see src/driven/postgres-log). They run on this machine, so a
 * test can stop and continue them with real signals.
 */
export async function backendPids(postgres: TestPostgres, applicationName: string): Promise<number[]> {
  const result = await postgres.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid',
    [applicationName],
  );
  return result.rows.map((row) => row.pid);
}

/** The postmaster: the parent of any backend (field 4 of /proc/PID/stat). */
export function postmasterPid(backend: number): number {
  const stat = readFileSync(`/proc/${backend}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Sends `signal` to each process (SIGSTOP freezes a backend mid-conversation, SIGCONT lets it go on). */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) process.kill(pid, signal);
}
