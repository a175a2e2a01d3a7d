import { EventEmitter } from 'node:events';
import type { Frontend } from '../../src/driving/frontend.port';
import { catchStopSignals, stopOnSignalsOrLogFailure } from '../../src/composition/shutdown';
import { MemoryTransactionLog } from '../support/memory-transaction-log';
import { recordingLogger } from '../support/recording-logger';

/** The service's parts with every step of a shutdown recorded in order. */
function service() {
  const steps: string[] = [];
  const log = new MemoryTransactionLog();
  const close = log.close.bind(log);
  log.close = async () => {
    steps.push('log closed');
    await close();
  };
  const frontend: Frontend = {
    name: 'fake',
    start: () => Promise.resolve({ host: '127.0.0.1', port: 1 }),
    stop: async () => {
      steps.push('frontend stopped');
    },
  };
  const signals = new EventEmitter();
  const exited = new Promise<number>((resolve) =>
    stopOnSignalsOrLogFailure({
      frontends: [frontend],
      log,
      readiness: { stopping: () => steps.push('not ready') },
      logger: recordingLogger().logger,
      exit: resolve,
      signals: signals as unknown as NodeJS.Process,
    }),
  );
  return { steps, log, signals, exited };
}

describe('stopping the service', () => {
  it('on SIGTERM: not ready first, then frontends, then the log, and exit 0', async () => {
    const { steps, signals, exited } = service();
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(0);
    expect(steps).toEqual(['not ready', 'frontend stopped', 'log closed']);
  });

  it('when the log fails for good: the same orderly stop, then exit 1 so that the supervisor restarts it', async () => {
    const { steps, log, exited } = service();
    log.healthState.set('unavailable');
    log.healthState.set('ok');
    expect(steps).toEqual([]);
    log.healthState.set('failed');
    expect(await exited).toBe(1);
    expect(steps).toEqual(['not ready', 'frontend stopped', 'log closed']);
  });
});

describe('stop signals caught from the start (catchStopSignals)', () => {
  it('remembers a stop that comes during start-up and carries it out once start-up arms it', async () => {
    const steps: string[] = [];
    const log = new MemoryTransactionLog();
    const signals = new EventEmitter();
    let exitCode: number | undefined;
    const { logger, records } = recordingLogger();
    const stops = catchStopSignals({
      logger,
      exit: (code) => (exitCode = code),
      signals: signals as unknown as NodeJS.Process,
    });
    expect(stops.requested).toBe(false);
    signals.emit('SIGTERM', 'SIGTERM');
    // Nothing is stopped (or exited) in the middle of start-up...
    await stops.whenRequested;
    expect(stops.requested).toBe(true);
    expect(exitCode).toBeUndefined();
    expect(records.map((record) => record.event)).toEqual(['shutdown_requested']);
    // ...until it reaches the safe point: then the orderly stop runs, the log closed last.
    const close = log.close.bind(log);
    log.close = async () => {
      steps.push('log closed');
      await close();
    };
    stops.arm({
      frontends: [],
      workers: { stop: async () => void steps.push('workers drained') },
      log,
      readiness: { stopping: () => steps.push('not ready') },
      logger,
      exit: (code) => (exitCode = code),
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(steps).toEqual(['not ready', 'workers drained', 'log closed']);
    expect(exitCode).toBe(0);
  });

  it('a second signal during start-up exits at once (1)', () => {
    const signals = new EventEmitter();
    const exits: number[] = [];
    catchStopSignals({
      logger: recordingLogger().logger,
      exit: (code) => exits.push(code),
      signals: signals as unknown as NodeJS.Process,
    });
    signals.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([]);
    signals.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
  });
});
