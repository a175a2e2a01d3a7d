// Child process of file-log-compaction-sigkill.test.ts: a store on the file log named in argv[2]
// under steady concurrent writes; after 200 acknowledged writes it compacts, and once the
// compaction reaches the step named in argv[3] and 30 more writes have been acknowledged, it
// SIGKILLs itself. With argv[4] (bytes), the step is one of a durable floor write instead,
// recorded each time the file grows by that much: no compaction then. Each acknowledged write is printed as "worker n" (stdout to a pipe is
// synchronous on Linux, so a printed ack was real). Worker w writes key `w{w}-{n % 5}` = `n`.
// TypeScript sources are compiled on load with typescript's transpileModule.
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  module._compile(outputText, filename);
};

const { FileTransactionLog } = require('../../../src/driven/file-log');
const { KeyValueStore } = require('../../../src/core');

const WORKERS = 8;
let acks = 0;
let onAck = () => undefined;

async function worker(store, w) {
  for (let n = 0; ; n++) {
    await store.put(`w${w}-${n % 5}`, String(n));
    process.stdout.write(`${w} ${n}\n`);
    acks++;
    onAck();
  }
}

function afterMoreAcks(count) {
  const target = acks + count;
  return new Promise((resolve) => {
    onAck = () => {
      if (acks >= target) resolve();
    };
  });
}

async function main() {
  const [filename, killAfter, floorEveryBytes] = process.argv.slice(2);
  const hook = async (step) => {
    // Not at start-up, before any write (a floor is recorded then too): no ack would ever come.
    if (step !== killAfter || acks === 0) return;
    await afterMoreAcks(30);
    process.kill(process.pid, 'SIGKILL');
  };
  const options = { filename, sync: 'always', floorEveryBytes: floorEveryBytes && Number(floorEveryBytes) };
  const log = new FileTransactionLog(options, undefined, undefined, undefined, hook);
  const store = new KeyValueStore(log);
  await store.restore();
  for (let w = 0; w < WORKERS; w++) worker(store, w).catch((error) => fail(error));
  await afterMoreAcks(200);
  if (floorEveryBytes) await afterMoreAcks(20_000);
  else await store.compact();
  process.stderr.write(`the ${floorEveryBytes ? 'writes' : 'compaction'} finished without reaching ${killAfter}\n`);
  process.exit(3);
}

function fail(error) {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

main().catch(fail);
