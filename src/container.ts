import { Container } from 'inversify';
import { KeyValueStore, type TransactionLogger } from './core';
import type { Frontend } from './adapters/frontend';
import { FileTransactionLogger, readFileLogConfig } from './adapters/file-log';
import { GrpcFrontend, readGrpcConfig } from './adapters/grpc';
import { PostgresTransactionLogger, readPostgresLogConfig } from './adapters/postgres-log';
import { readRestConfig, RestFrontend } from './adapters/rest';
import type { EnvReader } from './config/env-reader';
import { readServiceConfig } from './config/service-config';

/** Service identifiers of the container's bindings. */
export const TOKENS = {
  TransactionLogger: Symbol.for('kvs.TransactionLogger'),
  KeyValueStore: Symbol.for('kvs.KeyValueStore'),
  Frontend: Symbol.for('kvs.Frontend'),
} as const;

/**
 * Pairs an adapter's config reader with its constructor. The reader runs when the container is
 * built, so every config error surfaces before anything starts; the constructor runs on demand.
 */
function adapter<Options, Args extends unknown[], Built>(
  readConfig: (env: EnvReader) => Options,
  create: (options: Options, ...args: Args) => Built,
): (env: EnvReader) => (...args: Args) => Built {
  return (env) => {
    const options = readConfig(env);
    return (...args) => create(options, ...args);
  };
}

// The adapter registries. Adding a logger or a frontend means one folder under src/adapters
// and one line here; TLOG_TYPE and FRONTEND_TYPE accept exactly these names.
const TRANSACTION_LOGGERS = {
  file: adapter(readFileLogConfig, (options): TransactionLogger => new FileTransactionLogger(options)),
  postgres: adapter(readPostgresLogConfig, (options): TransactionLogger => new PostgresTransactionLogger(options)),
};
const FRONTENDS = {
  rest: adapter(readRestConfig, (options, store: KeyValueStore): Frontend => new RestFrontend(store, options)),
  grpc: adapter(readGrpcConfig, (options, store: KeyValueStore): Frontend => new GrpcFrontend(store, options)),
};

type LoggerName = keyof typeof TRANSACTION_LOGGERS;
type FrontendName = keyof typeof FRONTENDS;

/** Reads and validates the whole configuration, then binds the chosen adapters around the core. */
export function buildContainer(env: EnvReader): Container {
  const config = readServiceConfig(
    env,
    Object.keys(TRANSACTION_LOGGERS) as LoggerName[],
    Object.keys(FRONTENDS) as FrontendName[],
    { logger: 'file', frontends: ['rest', 'grpc'] },
  );
  const createLogger = TRANSACTION_LOGGERS[config.logger](env);
  const frontendFactories = config.frontends.map((name) => FRONTENDS[name](env));

  const container = new Container({ defaultScope: 'Singleton' });
  container.bind<TransactionLogger>(TOKENS.TransactionLogger).toDynamicValue(() => createLogger());
  container
    .bind<KeyValueStore>(TOKENS.KeyValueStore)
    .toDynamicValue((context) => new KeyValueStore(context.get(TOKENS.TransactionLogger), config.limits));
  for (const create of frontendFactories) {
    container.bind<Frontend>(TOKENS.Frontend).toDynamicValue((context) => create(context.get(TOKENS.KeyValueStore)));
  }
  return container;
}
