// Baseline for the memory row: a bare node process holding the same 1,000,000 keys in a Map.
import { benchKey, benchValue } from '../lib/workload';

const count = Number(process.argv[2]);
const store = new Map<string, string>();
for (let i = 0; i < count; i++) {
  // Through a Buffer, as the service's replay decodes them: flat strings, not ropes.
  store.set(Buffer.from(benchKey(i)).toString('utf8'), Buffer.from(benchValue(i)).toString('utf8'));
}
console.log(`baseline: holding ${store.size} keys`);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => store.size, 60_000);
