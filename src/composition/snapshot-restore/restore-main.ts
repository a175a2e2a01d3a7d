// The offline restore tool behind `kvs snapshot restore FILE [--force] [--json]`; the CLI runs
// it as a process of its own (src/client/cli/kvs-snapshot.ts says why).
import { runRestore } from './run-restore';

/** Arguments as the CLI passes them: the file, then its flags. */
function requestOf(args: readonly string[]): { file: string; force: boolean; json: boolean } {
  const [file = '', ...flags] = args;
  return { file, force: flags.includes('--force'), json: flags.includes('--json') };
}

runRestore(requestOf(process.argv.slice(2)), process).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`kvs: restore failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 4;
  },
);
