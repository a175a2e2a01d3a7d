import type { Server, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { ReadinessSignal } from '../readiness-signal.port';

type WatchCall = ServerWritableStream<unknown, unknown>;

/** The name the KeyValue service has in health checks: its full name, as there is no proto package. */
export const KEYVALUE_SERVICE_NAME = 'KeyValue';

/**
 * grpc.health.v1.Health for one server. The overall status ("") and KeyValue's are SERVING
 * while the frontend is started and the service's readiness says so (when it has one), and
 * NOT_SERVING from the moment stop() begins.
 */
export class GrpcHealth {
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', [KEYVALUE_SERVICE_NAME]: 'NOT_SERVING' });
  private readonly watches = new Set<WatchCall>();
  private started = false;

  constructor(private readonly readiness?: ReadinessSignal) {
    readiness?.onChange(() => this.update());
  }

  /** Registers the Health service, keeping track of open Watch streams. */
  addToServer(server: Server): void {
    this.health.addToServer({
      addService: (service, implementation: UntypedServiceImplementation) =>
        server.addService(service, {
          ...implementation,
          watch: (call: WatchCall) => this.watch(call, implementation),
        }),
    });
  }

  /** The frontend listens: every service is SERVING whenever the service is ready. */
  serving(): void {
    this.started = true;
    this.update();
  }

  /**
   * Reports NOT_SERVING to checks and watchers, then ends the Watch streams: they never end on
   * their own and would otherwise hold a graceful shutdown open until its deadline.
   */
  notServing(): void {
    this.started = false;
    this.update();
    for (const call of this.watches) call.end();
    this.watches.clear();
  }

  private update(): void {
    this.setAll(this.started && (this.readiness?.ready ?? true) ? 'SERVING' : 'NOT_SERVING');
  }

  private setAll(status: 'SERVING' | 'NOT_SERVING'): void {
    this.health.setStatus('', status);
    this.health.setStatus(KEYVALUE_SERVICE_NAME, status);
  }

  private watch(call: WatchCall, implementation: UntypedServiceImplementation): void {
    this.watches.add(call);
    call.on('cancelled', () => this.watches.delete(call));
    (implementation.watch as (call: WatchCall) => void)(call);
  }
}
