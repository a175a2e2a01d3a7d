import * as grpc from '@grpc/grpc-js';
import type { KeyValueStore, Limits } from '../../core';
import { loadKeyValueDefinition, loadKeyValuePackage } from '../../api/keyvalue-proto';
import { PortInUseError, type Frontend, type ListeningAddress } from '../frontend.port';
import { silentLogger, type Logger } from '../../platform/logging/logger';
import type { ReadinessSignal } from '../readiness-signal.port';
import type { ServerTls } from '../../platform/tls/server-tls';
import type { GrpcOptions } from './grpc.config';
import { keyValueHandlers } from './key-value-handlers';
import { loadKvsAdminDefinition, loadKvsAdminPackage } from '../../api/kvs-admin-proto';
import { adminHandlers } from './admin-handlers';
import { leaseHandlers } from './lease-handlers';
import { GrpcHealth } from './grpc-health';
import { ReloadableServerCredentials } from './reloadable-server-credentials';
import { addReflection } from './grpc-reflection';
import { RequestWireCheck } from './request-wire-check';
import { OperationTable } from '../../application/operations';
import { PolicyPipeline } from '../../application/pipeline';
import { grpcCallAdapter } from './grpc-call-adapter';
import { ReadConsistency } from '../../application/consistency/read-consistency';
import { WatchService } from '../../application/watch/watch-service';

/** How long stop() lets in-flight calls run before cutting their connections. */
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
/** Room in a request for field tags, length prefixes and a few unknown fields besides key and value. */
const REQUEST_OVERHEAD_BYTES = 1024;

/** Options of the frontend beyond where it listens. */
export interface GrpcFrontendOptions extends GrpcOptions {
  /** How long stop() waits for in-flight calls before forcing connections closed. */
  readonly shutdownGraceMs?: number;
}

/** What the composition root hands the gRPC frontend besides the store and where to listen. */
export interface GrpcDependencies {
  /** Where server faults are reported. */
  readonly logger?: Logger;
  /** The operations served (default: the service's table); a method without a row is refused. */
  readonly operations?: OperationTable;
  /**
   * The observers (request logs, metrics) that see every call and the policies (shedding, auth,
   * limits, read-only) it goes through; none by default.
   */
  readonly pipeline?: PolicyPipeline;
  /** The service's readiness, which grpc.health.v1 reports while the frontend runs. */
  readonly readiness?: ReadinessSignal;
  /** Serve TLS with these certificates (reloaded in place); plaintext when unset. */
  readonly tls?: ServerTls;
  /** The watches KeyValue.Watch opens (none: every watch is refused). */
  readonly watches?: WatchService;
  /** What min_revision and linearizable reads wait on (default: the store is its own head). */
  readonly reads?: ReadConsistency;
}

/**
 * The gRPC frontend: the book's KeyValue service on grpc-js, plus the operator service
 * KvsAdmin, grpc.health.v1.Health and server reflection, all on one port.
 */
export class GrpcFrontend implements Frontend {
  readonly name = 'grpc';
  private readonly server: grpc.Server;
  private readonly health: GrpcHealth;
  private listening = false;
  private readonly credentials: grpc.ServerCredentials;
  private readonly methods: string[] = [];

  constructor(
    store: KeyValueStore,
    private readonly options: GrpcFrontendOptions,
    {
      logger = silentLogger,
      readiness,
      tls,
      operations = new OperationTable(),
      pipeline = new PolicyPipeline(),
      watches = WatchService.none(),
      reads = new ReadConsistency(store),
    }: GrpcDependencies = {},
  ) {
    this.health = new GrpcHealth(readiness);
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': maxRequestBytes(store.limits),
      // Metadata over the limit is refused before the call adapter, so before any observer or
      // policy reads a header (such a refusal is therefore neither logged nor counted).
      interceptors: [grpcCallAdapter(operations, pipeline)],
    });
    this.noteMethods();
    const definition = loadKeyValueDefinition();
    // Both API services get the wire check, their string fields taken from the operation table.
    const check = new RequestWireCheck(operations);
    this.server.addService(
      check.wrap(loadKeyValuePackage(definition).KeyValue.service),
      keyValueHandlers(store, watches, logger, reads),
    );
    this.server.addService(
      check.wrap(loadKvsAdminPackage(loadKvsAdminDefinition()).KvsAdmin.service),
      adminHandlers(store, logger),
    );
    this.server.addService(check.wrap(loadKeyValuePackage(definition).Lease.service), leaseHandlers(store, logger));
    this.health.addToServer(this.server);
    if (options.reflection !== false) addReflection(this.server, definition);
    this.credentials =
      tls === undefined ? grpc.ServerCredentials.createInsecure() : new ReloadableServerCredentials(tls);
  }

  /** Every method path registered on the server ('/Service/Method'), for the operation-table test. */
  registeredMethods(): readonly string[] {
    return this.methods;
  }

  /** Records the paths of every service added, as grpc-js keeps its handler map private. */
  private noteMethods(): void {
    const addService = this.server.addService.bind(this.server);
    this.server.addService = (service, implementation) => {
      for (const method of Object.values(service)) this.methods.push(method.path);
      addService(service, implementation);
    };
  }

  start(): Promise<ListeningAddress> {
    const { host, port } = this.options;
    return new Promise((resolve, reject) => {
      this.server.bindAsync(hostPort(host, port), this.credentials, (error, boundPort) => {
        if (error) {
          // grpc-js folds the listen errors into one message, without the errno code.
          reject(/\bEADDRINUSE\b/.test(error.message) ? new PortInUseError(host, port) : error);
          return;
        }
        this.listening = true;
        this.health.serving();
        resolve({ host, port: boundPort });
      });
    });
  }

  stop(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    this.health.notServing();
    return new Promise((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, this.options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }
}

/**
 * The largest request the server accepts: a maximal key and value plus framing, so a value
 * slightly over the limit reaches the core (and its precise error) while anything far over it
 * is refused by grpc-js, before it is buffered, with RESOURCE_EXHAUSTED.
 */
export function maxRequestBytes(limits: Limits): number {
  return limits.maxKeyBytes + limits.maxValueBytes + REQUEST_OVERHEAD_BYTES;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
