import { runTransactionLogContract } from '../../contracts/transaction-log.contract';
import type { SyncPolicy } from '../../../src/driven/file-log';
import { TempLogDir } from './temp-log-dir';

// The file log must keep the port's contract under every sync policy.
for (const sync of ['always', 'interval', 'never'] as const satisfies readonly SyncPolicy[]) {
  runTransactionLogContract(`file (sync=${sync})`, {
    async newFixture() {
      const dir = await TempLogDir.create();
      return {
        async open() {
          return dir.open({ sync });
        },
        dispose: () => dir.dispose(),
      };
    },
  });
}
