import { Counter, Gauge, type Registry } from 'prom-client';
import type { ExpiryStats } from '../../core';

/**
 * The TTL and lease metrics, on the service's registry: leases and keys with a deadline (read
 * when scraped) and the keys whose expiry was logged. Returns what counts an expiry record.
 */
export function expiryMetrics(registry: Registry, stats: () => ExpiryStats): (keys: number) => void {
  new Gauge({
    name: 'kvs_leases',
    help: 'Leases granted and not yet revoked or expired (those whose end is not logged yet included).',
    registers: [registry],
    collect() {
      this.set(stats().leases);
    },
  });
  new Gauge({
    name: 'kvs_keys_with_ttl',
    help: 'Keys whose generation carries a deadline (TTL), including those past it whose delete is not logged yet.',
    registers: [registry],
    collect() {
      this.set(stats().keysWithTtl);
    },
  });
  const expired = new Counter({
    name: 'kvs_expired_keys_total',
    help: 'Keys deleted by expiry (their TTL or their lease ran out), counted once the delete is logged.',
    registers: [registry],
  });
  return (keys) => expired.inc(keys);
}
