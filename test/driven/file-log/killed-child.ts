import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Runs `script` (a child of a kill -9 test) with `args`, hands each line it prints to `onLine`
 * (with the child, so the test can SIGKILL it), and resolves once it is gone; rejects unless it
 * died of SIGKILL, with what it wrote to stderr.
 */
export async function runUntilKilled(
  script: string,
  args: readonly string[],
  onLine: (line: string, child: ChildProcess) => void,
): Promise<void> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let pending = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) onLine(line, child);
  });
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal])),
  );
  if (signal !== 'SIGKILL') throw new Error(`child exited with ${code}: ${errors}`);
}
