// Child process of file-log-restore-sigkill.test.ts: restores a store of 500 keys at revision
// 1000 (with --force) into the file log named in argv[2], and SIGKILLs itself right after the
// restore step named in argv[3]. It runs the build (npm test builds first), which starts in a
// fraction of the time compiling the sources would take.
const { restoreFileLog } = require('../../../dist/driven/file-log/file-log-restore');

const entries = Array.from({ length: 500 }, (_, i) => ({
  key: `new-${String(i).padStart(3, '0')}`,
  value: `restored ${i}`,
  createRevision: 1 + i,
  modRevision: 1 + i,
  version: 1,
}));
const view = { revision: 1000, size: entries.length, entries: () => entries, leases: () => [] };

const [filename, killAfter] = process.argv.slice(2);
restoreFileLog(filename, view, {
  force: true,
  warn: () => undefined,
  afterStep: (step) => {
    if (step === killAfter) process.kill(process.pid, 'SIGKILL');
  },
}).then(
  () => {
    process.stderr.write(`the restore finished without reaching ${killAfter}\n`);
    process.exit(3);
  },
  (error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
