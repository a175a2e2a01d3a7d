import { Container } from 'inversify';
import { KeyValueStore, type TransactionLogger } from './core';
import type { Frontend } from './adapters/frontend';
import { FileTransactionLogger, readFileLogConfig } from './adapters/file-log';
import { GrpcFrontend, readGrpcConfig } from './adapters/grpc';
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
 * Every transaction logger, by its TLOG_TYPE name. Each entry reads its own variables up front
 * (so config errors surface before anything starts) and returns how to build the adapter.
 * Adding a logger means one folder under src/adapters and one line here.
 */
const TRANSACTION_LOGGERS = {
  file: (env: EnvReader) => {
    const options = readFileLogConfig(env);
    return (): TransactionLogger => new FileTransactionLogger(options);
  },
};

/** Every frontend, by its FRONTEND_TYPE name; same shape as TRANSACTION_LOGGERS. */
const FRONTENDS = {
  rest: (env: EnvReader) => {
    const options = readRestConfig(env);
    return (store: KeyValueStore): Frontend => new RestFrontend(store, options);
  },
  grpc: (env: EnvReader) => {
    const options = readGrpcConfig(env);
    return (store: KeyValueStore): Frontend => new GrpcFrontend(store, options);
  },
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
  container.bind<TransactionLogger>(TOKENS.TransactionLogger).toDynamicValue(createLogger);
  container
    .bind<KeyValueStore>(TOKENS.KeyValueStore)
    .toDynamicValue((context) => new KeyValueStore(context.get(TOKENS.TransactionLogger), config.limits));
  for (const create of frontendFactories) {
    container.bind<Frontend>(TOKENS.Frontend).toDynamicValue((context) => create(context.get(TOKENS.KeyValueStore)));
  }
  return container;
}
