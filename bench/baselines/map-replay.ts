// Baseline for the replay row: the least a replay can do with the same file in node, read it
// whole, walk the records without verifying checksums, decode key and value, Map.set.
import { readFileSync } from 'node:fs';
import { FILE_HEADER_BYTES, PAYLOAD_FIXED_BYTES, RECORD_HEADER_BYTES } from '../../src/driven/file-log/record-format';

const file = readFileSync(process.argv[2]);
const began = performance.now();
const store = new Map<string, string>();
let events = 0;
for (let at = FILE_HEADER_BYTES; at < file.length; events++) {
  const payloadBytes = file.readUInt32LE(at);
  const payload = at + RECORD_HEADER_BYTES;
  const keyEnd = payload + PAYLOAD_FIXED_BYTES + file.readUInt32LE(payload + 9);
  at = payload + payloadBytes;
  store.set(file.toString('utf8', payload + PAYLOAD_FIXED_BYTES, keyEnd), file.toString('utf8', keyEnd, at));
}
const seconds = (performance.now() - began) / 1000;
console.log(
  `baseline: replayed ${events} events (${store.size} live keys) in ${seconds.toFixed(3)} s, ${Math.round(events / seconds)} events/s`,
);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => store.size, 60_000);
