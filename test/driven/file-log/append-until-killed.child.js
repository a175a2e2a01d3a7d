// Child process of file-log-sigkill.test.ts: opens the file log named in argv[2] with the sync
// policy in argv[3] and appends forever, one record per revision as the store makes them,
// printing each acknowledged revision as soon as its append resolves (stdout to a pipe is synchronous on Linux, so a printed ack was real).
// TypeScript sources are compiled on load with typescript's transpileModule (the project uses
// isolatedModules, so per-file transpiling is faithful).
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

async function main() {
  const log = new FileTransactionLog({ filename: process.argv[2], sync: process.argv[3] });
  let revision = 0;
  for await (const batch of log.readEvents()) for (const record of batch) revision = record.revision;
  for (let round = 0; ; round++) {
    const appends = Array.from({ length: 10 }, (_, i) => {
      const put = {
        type: 'put',
        key: `r${round}-${i}`,
        value: 'v'.repeat(i * 300),
        createRevision: ++revision,
        version: 1,
      };
      return log.append({ revision, writes: [put] }).then(() => {
        process.stdout.write(`${put.createRevision}\n`);
      });
    });
    await Promise.all(appends);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
