import { MemoryTransactionLogger } from '../support/memory-transaction-logger';
import { runTransactionLoggerContract } from '../contracts/transaction-logger.contract';

// The fake used by the core's unit tests must itself keep the port's contract.
runTransactionLoggerContract('memory (test fake)', {
  async newFixture() {
    let events: MemoryTransactionLogger['events'] = [];
    return {
      async open() {
        const log = new MemoryTransactionLogger(events);
        events = log.events;
        return log;
      },
      async dispose() {},
    };
  },
});
