import { OpenFeature, ProviderEvents, type Client, type Logger as OpenFeatureLogger } from '@openfeature/server-sdk';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { describeError } from '../error-text/error-text';
import { silentLogger, type Logger } from '../logging/logger';

/** The flags kvs reads, with their values when no flag file says otherwise. */
export interface FlagValues {
  /** `read-only`: writes are refused with 503 READ_ONLY / UNAVAILABLE; reads go on. */
  readonly readOnly: boolean;
  /** `request-logging`: one log line per request. */
  readonly requestLogging: boolean;
}

/**
 * Runtime flags from a flagd flag file, through OpenFeature and the flagd provider's in-process
 * resolver (offline mode: it reads and watches the file itself, no flagd daemon). The values
 * are evaluated when the file changes and kept here, so the per-request check is a field read
 * rather than an asynchronous evaluation. A broken file keeps the last good values (the
 * provider refuses it and logs an error); a missing one leaves the defaults.
 */
export class RuntimeFlags {
  private values: FlagValues;
  private client: Client | undefined;

  constructor(
    private readonly defaults: FlagValues,
    private readonly logger: Logger = silentLogger,
  ) {
    this.values = defaults;
  }

  get readOnly(): boolean {
    return this.values.readOnly;
  }

  get requestLogging(): boolean {
    return this.values.requestLogging;
  }

  /** Loads `file` and watches it; without a file (or if it cannot be loaded) the defaults stay. */
  async start(file: string | undefined): Promise<void> {
    if (file === undefined) return;
    const provider = new FlagdProvider(
      { resolverType: 'in-process', offlineFlagSourcePath: file },
      this.providerLogger(),
    );
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, () => void this.refresh());
    try {
      await OpenFeature.setProviderAndWait(provider);
    } catch (error) {
      this.logger.error(
        { event: 'flags_unavailable', file, err: error },
        `flags: cannot load ${file} (${describeError(error)}); using the defaults`,
      );
      return;
    }
    this.client = OpenFeature.getClient();
    await this.refresh();
    this.logger.info({ event: 'flags_loaded', file, flags: this.values }, `flags: loaded from ${file}`);
  }

  /** Stops watching the file. */
  stop(): Promise<void> {
    return this.client ? OpenFeature.close() : Promise.resolve();
  }

  private async refresh(): Promise<void> {
    const client = this.client;
    if (!client) return;
    const [readOnly, requestLogging] = await Promise.all([
      client.getBooleanValue('read-only', this.defaults.readOnly),
      client.getBooleanValue('request-logging', this.defaults.requestLogging),
    ]);
    const next: FlagValues = { readOnly, requestLogging };
    if (this.values.readOnly !== next.readOnly || this.values.requestLogging !== next.requestLogging) {
      this.logger.warn({ event: 'flags_changed', flags: next }, `flags: now ${JSON.stringify(next)}`);
    }
    this.values = next;
  }

  /** The provider's diagnostics in the service's log; a flag file it refuses arrives as an error. */
  private providerLogger(): OpenFeatureLogger {
    const logger = this.logger;
    return {
      error: (...args: unknown[]) =>
        logger.error({ event: 'flags_error' }, `flags: ${args.map(String).join(' ')}; keeping the last good flags`),
      warn: (...args: unknown[]) => logger.warn({ event: 'flags_warning' }, `flags: ${args.map(String).join(' ')}`),
      info: () => undefined,
      debug: () => undefined,
    };
  }
}
