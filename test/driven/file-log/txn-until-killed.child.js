// Child process of file-log-txn-sigkill.test.ts: a store on the file log named in argv[2] under
// concurrent transactions, SIGKILLed by the test. Worker w repeats one transaction: if its
// counter key `w{w}/count` still has the version it read, put the next n to it and to three more
// keys `w{w}/a..c` (values of 0 to 6 KiB, so records span chunks and batches). Each acknowledged
// transaction is printed as "w n revision" (stdout to a pipe is synchronous on Linux, so a
// printed ack was real).
require('./ts-require');

const { FileTransactionLog } = require('../../../src/driven/file-log');
const { KeyValueStore } = require('../../../src/core');

const WORKERS = 8;

async function worker(store, w) {
  for (;;) {
    const counter = store.read(`w${w}/count`).entry;
    const n = counter ? Number(counter.value) + 1 : 1;
    const value = `${n}:${'x'.repeat((n % 4) * 2048)}`;
    const result = await store.txn({
      compare: [{ key: `w${w}/count`, target: 'version', op: '==', operand: counter ? counter.version : 0 }],
      success: [
        { type: 'put', key: `w${w}/count`, value: String(n) },
        ...['a', 'b', 'c'].map((k) => ({ type: 'put', key: `w${w}/${k}`, value })),
      ],
      failure: [],
    });
    if (!result.succeeded) throw new Error(`worker ${w}: its own counter moved`);
    process.stdout.write(`${w} ${n} ${result.revision}\n`);
  }
}

async function main() {
  const log = new FileTransactionLog({ filename: process.argv[2], sync: 'always' });
  const store = new KeyValueStore(log);
  await store.restore();
  for (let w = 0; w < WORKERS; w++) worker(store, w).catch(fail);
}

function fail(error) {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

main().catch(fail);
