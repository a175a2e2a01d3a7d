/** Command-line options of `npm run bench`. */
export interface BenchOptions {
  readonly warmupSeconds: number;
  readonly durationSeconds: number;
  /** Only rows whose id matches run (ids look like rest/get-hit/32/kvs/sync=always, replay, memory). */
  readonly filter?: RegExp;
  /** Run every server under --cpu-prof, one profile per row, in bench/results/profiles/. */
  readonly profile: boolean;
  /** Each row is measured this many times and its best run kept. */
  readonly rounds: number;
  /** The service build to run (default dist/main.js): for A/B runs of a change. */
  readonly main?: string;
  /** Replay runs (the median is reported). */
  readonly replayRuns: number;
  /** Where the markdown goes; a partial run does not overwrite latest.md unless told to. */
  readonly out?: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--filter REGEX] [--duration S] [--warmup S] [--profile] [--out FILE]
  --quick       2 s rows after a 1 s warm-up, one round, one replay run
                (default: 5 s rows after a 2 s warm-up, best of 2 rounds, 3 replay runs)
  --rounds N    measure every row N times and keep its best run (baselines alike)
  --main FILE   run this build of the service instead of dist/main.js (A/B comparisons)
  --filter      only rows whose id matches, e.g. 'rest/get-hit/32' or 'grpc/.*/32/' or 'replay|memory'
  --profile     run the servers with node --cpu-prof; profiles land in bench/results/profiles/
  --out         write the markdown here (default: bench/results/latest.md for a full run,
                bench/results/tmp/partial.md for a filtered or shortened one)`;

/** Parses argv (after the script name); exits with the usage text on a mistake. */
export function parseOptions(args: readonly string[]): BenchOptions {
  let quick = false;
  let filter: RegExp | undefined;
  let duration: number | undefined;
  let warmup: number | undefined;
  let profile = false;
  let out: string | undefined;
  let rounds: number | undefined;
  let main: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) usageError(`${args[i - 1]} needs a value`);
      return next;
    };
    switch (args[i]) {
      case '--quick':
        quick = true;
        break;
      case '--filter':
        filter = new RegExp(value());
        break;
      case '--duration':
        duration = positive(value());
        break;
      case '--warmup':
        warmup = positive(value());
        break;
      case '--profile':
        profile = true;
        break;
      case '--out':
        out = value();
        break;
      case '--rounds':
        rounds = Math.round(positive(value()));
        break;
      case '--main':
        main = value();
        break;
      case '--help':
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        usageError(`unknown option ${args[i]}`);
    }
  }
  return {
    warmupSeconds: warmup ?? (quick ? 1 : 2),
    durationSeconds: duration ?? (quick ? 2 : 5),
    filter,
    profile,
    rounds: rounds ?? (quick ? 1 : 2),
    main,
    replayRuns: quick ? 1 : 3,
    out,
  };
}

function positive(text: string): number {
  const value = Number(text);
  if (!(value > 0)) usageError(`expected a positive number, got ${JSON.stringify(text)}`);
  return value;
}

function usageError(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
