// parse-prometheus-text-format ships no types; this is the part of its output the tests read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const parsePrometheusTextFormat = require('parse-prometheus-text-format') as (text: string) => MetricFamily[];

/** One sample of a family, as the parser reports it. */
interface Sample {
  readonly labels?: Record<string, string>;
  readonly value?: string;
}

/** A metric family as parsed from the Prometheus text format. */
export interface MetricFamily {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly metrics: Sample[];
}

/** One time series of the exposition: a sample line's name, labels and value. */
interface Series {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * A /metrics exposition read with parse-prometheus-text-format. The parser folds every
 * histogram into one unlabelled sample, so histogram series are read from a second parse with
 * the `# TYPE` lines removed, where each `_bucket`, `_sum` and `_count` line is a series of its own.
 */
export class Scrape {
  readonly families: MetricFamily[];
  private readonly series: Series[];

  constructor(text: string) {
    this.families = parsePrometheusTextFormat(text);
    const untyped = text
      .split('\n')
      .filter((line) => !line.startsWith('# TYPE '))
      .join('\n');
    this.series = parsePrometheusTextFormat(untyped).flatMap((family) =>
      family.metrics.map((sample) => ({ name: family.name, labels: sample.labels ?? {}, value: Number(sample.value) })),
    );
  }

  /** The family called `name`; throws if it is missing. */
  family(name: string): MetricFamily {
    const found = this.families.find((family) => family.name === name);
    if (!found) throw new Error(`no metric family ${name} in the scrape`);
    return found;
  }

  /** The value of the series `name` whose labels include `labels` (0 when there is none yet). */
  value(name: string, labels: Record<string, string> = {}): number {
    const matching = this.series.filter(
      (series) =>
        series.name === name && Object.entries(labels).every(([label, value]) => series.labels[label] === value),
    );
    if (matching.length > 1) throw new Error(`${matching.length} series of ${name} match ${JSON.stringify(labels)}`);
    return matching[0]?.value ?? 0;
  }

  /** A histogram's observation count. */
  count(name: string, labels: Record<string, string> = {}): number {
    return this.value(`${name}_count`, labels);
  }

  /** A histogram's sum of observations. */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.value(`${name}_sum`, labels);
  }
}

/** Fetches and parses `url`'s exposition, checking it is served as Prometheus text. */
export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  const type = response.headers.get('content-type') ?? '';
  if (!type.startsWith('text/plain')) throw new Error(`GET ${url}: content-type ${type}`);
  return new Scrape(await response.text());
}
