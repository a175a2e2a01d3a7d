import { declarationOf } from './variables';

/** A configuration mistake; main prints its one-line message and exits with status 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Options of a single variable lookup. */
interface LookupOptions {
  /** Never echo the value in error messages (passwords). */
  readonly secret?: boolean;
}

/**
 * Typed, validated access to environment variables. Every error names the variable, the
 * value it had and what is accepted, so a misconfigured service says exactly what to fix.
 * An empty variable counts as unset, as shells and compose files often leave them so.
 * Only variables declared in src/config/variables.ts can be read, and a fallback must be the
 * declared default: reading anything else is a bug, thrown as a plain Error.
 */
export class EnvReader {
  private readonly looked = new Set<string>();

  constructor(private readonly env: Readonly<Record<string, string | undefined>>) {}

  /** Every variable name looked up so far, set or not: what this configuration reads. */
  get namesRead(): ReadonlySet<string> {
    return this.looked;
  }

  /** The variable's value, or `fallback` when unset or empty. */
  string(name: string, fallback: string): string {
    return this.optional(name, fallback) ?? fallback;
  }

  /** The variable's value, or undefined when unset or empty. */
  optional(name: string, fallback?: string | number | readonly string[]): string | undefined {
    const declared = declarationOf(name);
    if (declared === undefined) throw new Error(`${name} is read but not declared in src/config/variables.ts`);
    const shown = Array.isArray(fallback) ? fallback.join(',') : fallback;
    if (shown !== undefined && declared.default !== undefined && String(shown) !== declared.default) {
      throw new Error(`${name}: the reader's default ${String(shown)} is not the declared ${declared.default}`);
    }
    this.looked.add(name);
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  /** The variable's value; a ConfigError when unset or empty. */
  required(name: string, what: string): string {
    const value = this.optional(name);
    if (value === undefined) throw new ConfigError(`config: ${name} is not set; it must name ${what}`);
    return value;
  }

  /** One of `accepted` (case-insensitive), or `fallback` when unset. */
  oneOf<T extends string>(name: string, accepted: readonly T[], fallback: T): T {
    const raw = this.optional(name, fallback);
    if (raw === undefined) return fallback;
    const match = accepted.find((choice) => choice === raw.trim().toLowerCase());
    if (match === undefined) throw this.invalid(name, raw, accepted.join(', '));
    return match;
  }

  /** A comma-separated, duplicate-free, non-empty list drawn from `accepted`, or `fallback` when unset. */
  listOf<T extends string>(name: string, accepted: readonly T[], fallback: readonly T[]): T[] {
    const raw = this.optional(name, fallback);
    if (raw === undefined) return [...fallback];
    const what = `a comma-separated list of ${accepted.join(', ')}`;
    const items = raw.split(',').map((item) => item.trim().toLowerCase());
    const chosen: T[] = [];
    for (const item of items) {
      const match = accepted.find((choice) => choice === item);
      if (match === undefined) throw this.invalid(name, raw, what);
      if (!chosen.includes(match)) chosen.push(match);
    }
    return chosen;
  }

  /** An integer in [min, max], or `fallback` when unset. */
  integer(name: string, fallback: number, min: number, max: number, options: LookupOptions = {}): number {
    const raw = this.optional(name, fallback);
    if (raw === undefined) return fallback;
    const value = /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw this.invalid(name, raw, `an integer from ${min} to ${max}`, options);
    }
    return value;
  }

  /** A TCP port number (0 means any free port), or `fallback` when unset. */
  port(name: string, fallback: number): number {
    return this.integer(name, fallback, 0, 65535);
  }

  /** A ConfigError for a value that is set but not acceptable. */
  invalid(name: string, raw: string, accepted: string, options: LookupOptions = {}): ConfigError {
    const shown = options.secret ? '(hidden)' : JSON.stringify(raw);
    return new ConfigError(`config: ${name}=${shown} is not valid; expected ${accepted}`);
  }
}
