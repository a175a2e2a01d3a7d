import { MemoryTransactionLog } from '../support/memory-transaction-log';
import { runTransactionLogContract } from '../contracts/transaction-log.contract';

// The fake used by the core's unit tests must itself keep the port's contract.
runTransactionLogContract('memory (test fake)', {
  async newFixture() {
    let events: MemoryTransactionLog['events'] = [];
    return {
      async open() {
        const log = new MemoryTransactionLog(events);
        events = log.events;
        return log;
      },
      async dispose() {},
    };
  },
});
