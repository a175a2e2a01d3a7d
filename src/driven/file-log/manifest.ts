import { crc32 } from 'node:zlib';

// The manifest names the files that make up a compacted log (FORMAT.md, "Compaction").

/** The files of a log, in replay order: at most one base, then one or more incrementals. */
export interface Manifest {
  /** File name (in the log's directory) of the base, if any. */
  readonly base: string | undefined;
  /** File names of the incrementals; the last one takes the appends. */
  readonly incrementals: readonly string[];
}

const FIRST_LINE = 'kvs-manifest 1';
const CRC_LINE = /^crc32 ([0-9a-f]{8})$/;

/** The names a log called `log` may use, with the generation number of a base or incremental. */
export class LogFileNames {
  private readonly numbered: RegExp;

  constructor(
    /** File name (no directory) of the log, e.g. "transactions.log". */
    readonly log: string,
  ) {
    const escaped = log.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.numbered = new RegExp(`^${escaped}\\.(base|incr)\\.(\\d{1,15})(\\.tmp)?$`);
  }

  get manifest(): string {
    return `${this.log}.manifest`;
  }

  get manifestTemp(): string {
    return `${this.log}.manifest.tmp`;
  }

  base(generation: number): string {
    return `${this.log}.base.${generation}`;
  }

  incremental(generation: number): string {
    return `${this.log}.incr.${generation}`;
  }

  /** The temp name a file is written under before it is renamed into place. */
  temp(name: string): string {
    return `${name}.tmp`;
  }

  /** Kind and generation of a base or incremental name (temp or not); undefined for any other name. */
  parse(name: string): { kind: 'base' | 'incr'; generation: number; temp: boolean } | undefined {
    const match = this.numbered.exec(name);
    if (!match) return undefined;
    return { kind: match[1] as 'base' | 'incr', generation: Number(match[2]), temp: match[3] !== undefined };
  }

  /** True for a name a compaction creates or retires: the only names start-up may delete. */
  isOwned(name: string): boolean {
    return name === this.log || name === this.manifestTemp || this.parse(name) !== undefined;
  }

  /** The highest generation a manifest uses (0 when none). */
  highestGeneration(manifest: Manifest): number {
    const names = manifest.base === undefined ? manifest.incrementals : [manifest.base, ...manifest.incrementals];
    return Math.max(0, ...names.map((name) => this.parse(name)?.generation ?? 0));
  }
}

/** The manifest's text: the version line, the files in order, then a CRC-32 of all that. */
export function encodeManifest(manifest: Manifest): string {
  const lines = [FIRST_LINE];
  if (manifest.base !== undefined) lines.push(`base ${manifest.base}`);
  for (const name of manifest.incrementals) lines.push(`incr ${name}`);
  const body = `${lines.join('\n')}\n`;
  return `${body}crc32 ${crc32(body).toString(16).padStart(8, '0')}\n`;
}

/**
 * Parses a manifest's text, or returns what is wrong with it. Every name must be one the log
 * owns (so a damaged manifest cannot point outside the directory), bases named as bases and
 * incrementals as incrementals (or the original log file).
 */
export function parseManifest(text: string, names: LogFileNames): Manifest | string {
  const crcAt = text.lastIndexOf('crc32 ');
  const crcLine = CRC_LINE.exec(text.slice(crcAt).trimEnd());
  if (crcAt < 0 || !crcLine) return 'no checksum line';
  const body = text.slice(0, crcAt);
  if (crc32(body) !== parseInt(crcLine[1], 16)) return 'checksum mismatch';
  const lines = body.split('\n');
  if (lines.pop() !== '' || lines[0] !== FIRST_LINE) return `first line is not "${FIRST_LINE}"`;
  let base: string | undefined;
  const incrementals: string[] = [];
  for (const line of lines.slice(1)) {
    const [kind, name, extra] = line.split(' ');
    const parsed = names.parse(name ?? '');
    if (extra !== undefined || (parsed?.temp ?? false)) return `bad line "${line}"`;
    if (kind === 'base' && parsed?.kind === 'base' && base === undefined && incrementals.length === 0) base = name;
    else if (kind === 'incr' && (parsed?.kind === 'incr' || name === names.log)) incrementals.push(name);
    else return `bad line "${line}"`;
  }
  if (incrementals.length === 0) return 'no incremental file';
  return { base, incrementals };
}
