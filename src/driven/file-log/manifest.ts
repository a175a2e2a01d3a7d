import { crc32 } from 'node:zlib';

// The manifest names the files that make up a compacted log (FORMAT.md, "Compaction").

/** The files of a log, in replay order: at most one base, then one or more incrementals. */
export interface Manifest {
  /** File name (in the log's directory) of the base, if any. */
  readonly base: string | undefined;
  /** File names of the incrementals; the last one takes the appends. */
  readonly incrementals: readonly string[];
  /**
   * Final byte length of incrementals that no longer take appends, recorded once the next one
   * has taken over (version 2); replay refuses such a file at any other length.
   */
  readonly sealed?: Readonly<Record<string, number>>;
  /**
   * Durable floor of incrementals not sealed (version 3): the length up to which the file was
   * known to hold fdatasynced records when the manifest was written. Replay refuses such a file
   * cut below it; only what lies past it can be a crash's torn tail.
   */
  readonly floors?: Readonly<Record<string, number>>;
}

/** The newest version: one written only when the manifest carries a floor, so older readers keep reading the rest. */
const FORMAT_VERSION = 3;
const FIRST_LINE = /^kvs-manifest ([123])$/;
const BYTES = /^\d{1,15}$/;
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

  /** The folder start-up moves leftovers into (FORMAT.md, "Replay"). */
  get quarantine(): string {
    return `${this.log}.quarantine`;
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

/**
 * The manifest's text: the version line, the files in order, then a CRC-32 of all that. The
 * version is the lowest that can say it all (2 without floors, 3 with), so a log that has no
 * floor to record stays readable by the release before floors.
 */
export function encodeManifest(manifest: Manifest): string {
  const floors = Object.keys(manifest.floors ?? {}).length > 0;
  const lines = [`kvs-manifest ${floors ? FORMAT_VERSION : 2}`];
  if (manifest.base !== undefined) lines.push(`base ${manifest.base}`);
  for (const name of manifest.incrementals) {
    const sealed = manifest.sealed?.[name];
    const floor = manifest.floors?.[name];
    if (sealed !== undefined) lines.push(`incr ${name} ${sealed}`);
    else if (floor !== undefined) lines.push(`incr ${name} floor ${floor}`);
    else lines.push(`incr ${name}`);
  }
  const body = `${lines.join('\n')}\n`;
  return `${body}crc32 ${crc32(body).toString(16).padStart(8, '0')}\n`;
}

/**
 * Parses a manifest's text, or returns what is wrong with it. Every name must be one the log
 * owns (so a damaged manifest cannot point outside the directory), bases named as bases and
 * incrementals as incrementals (or the original log file). Version 1 has no lengths; from
 * version 2 an incremental other than the last may carry its sealed length (`incr <name> <bytes>`),
 * from version 3 one not sealed its durable floor (`incr <name> floor <bytes>`).
 */
export function parseManifest(text: string, names: LogFileNames): Manifest | string {
  const crcAt = text.lastIndexOf('crc32 ');
  const crcLine = CRC_LINE.exec(text.slice(crcAt).trimEnd());
  if (crcAt < 0 || !crcLine) return 'no checksum line';
  const body = text.slice(0, crcAt);
  if (crc32(body) !== parseInt(crcLine[1], 16)) return 'checksum mismatch';
  const lines = body.split('\n');
  const version = Number(FIRST_LINE.exec(lines[0] ?? '')?.[1]);
  if (lines.pop() !== '' || !version) return 'first line is not "kvs-manifest 1", "kvs-manifest 2" or "kvs-manifest 3"';
  let base: string | undefined;
  const incrementals: string[] = [];
  const sealed: Record<string, number> = {};
  const floors: Record<string, number> = {};
  for (const line of lines.slice(1)) {
    const [kind, name, ...rest] = line.split(' ');
    const parsed = names.parse(name ?? '');
    const length = lengthOf(rest, version);
    if (length === undefined || (parsed?.temp ?? false)) return `bad line "${line}"`;
    if (kind === 'base' && parsed?.kind === 'base' && !length.kind && base === undefined && !incrementals.length) {
      base = name;
    } else if (kind === 'incr' && (parsed?.kind === 'incr' || name === names.log) && !incrementals.includes(name)) {
      incrementals.push(name);
      if (length.kind === 'sealed') sealed[name] = length.bytes;
      if (length.kind === 'floor') floors[name] = length.bytes;
    } else {
      return `bad line "${line}"`;
    }
  }
  const last = incrementals.at(-1);
  if (last === undefined) return 'no incremental file';
  if (sealed[last] !== undefined) return 'the last incremental, which takes the appends, is sealed';
  return {
    base,
    incrementals,
    ...(Object.keys(sealed).length > 0 && { sealed }),
    ...(Object.keys(floors).length > 0 && { floors }),
  };
}

/** What follows a line's name: nothing, a sealed length (version 2 on) or a floor (version 3); undefined if neither. */
function lengthOf(
  rest: readonly string[],
  version: number,
): { kind?: undefined } | { kind: 'sealed' | 'floor'; bytes: number } | undefined {
  if (rest.length === 0) return {};
  if (rest.length === 1 && version >= 2 && BYTES.test(rest[0])) return { kind: 'sealed', bytes: Number(rest[0]) };
  if (rest.length === 2 && version >= 3 && rest[0] === 'floor' && BYTES.test(rest[1])) {
    return { kind: 'floor', bytes: Number(rest[1]) };
  }
  return undefined;
}
