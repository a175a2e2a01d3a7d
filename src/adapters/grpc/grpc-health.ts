import type { Server, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

type WatchCall = ServerWritableStream<unknown, unknown>;

/** The name the KeyValue service has in health checks: its full name, as there is no proto package. */
export const KEYVALUE_SERVICE_NAME = 'KeyValue';

/**
 * grpc.health.v1.Health for one server. The overall status ("") and KeyValue's follow the
 * frontend's lifecycle: SERVING once started, NOT_SERVING from the moment stop() begins.
 */
export class GrpcHealth {
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', [KEYVALUE_SERVICE_NAME]: 'NOT_SERVING' });
  private readonly watches = new Set<WatchCall>();

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

  /** Reports every service as SERVING. */
  serving(): void {
    this.setAll('SERVING');
  }

  /**
   * Reports NOT_SERVING to checks and watchers, then ends the Watch streams: they never end on
   * their own and would otherwise hold a graceful shutdown open until its deadline.
   */
  notServing(): void {
    this.setAll('NOT_SERVING');
    for (const call of this.watches) call.end();
    this.watches.clear();
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
