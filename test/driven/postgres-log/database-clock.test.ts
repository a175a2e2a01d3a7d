import { DatabaseClock } from '../../../src/driven/postgres-log/database-clock';

/** A local monotonic clock the test moves by hand. */
function localClock(start = 1000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

/** An instant of the database's wall clock (Unix ms) the samples are built around. */
const DATABASE_EPOCH = Date.UTC(2026, 11, 2, 6, 0, 0);

describe('DatabaseClock: deadlines by the database clock, never the host clock', () => {
  afterEach(() => jest.restoreAllMocks());

  it('tells the database time from the local monotonic clock; the host wall clock is never read', () => {
    const local = localClock();
    const clock = new DatabaseClock(local.now);
    // The request left at 1000 and the answer came at 1004: the database read its clock at about 1002.
    local.advance(4);
    clock.sample(DATABASE_EPOCH, 1000, 1004);
    const hostClock = jest.spyOn(Date, 'now');
    expect(clock.now()).toBe(DATABASE_EPOCH + 2);
    local.advance(10_000);
    expect(clock.now()).toBe(DATABASE_EPOCH + 10_002);
    expect(hostClock).not.toHaveBeenCalled();
  });

  it('keeps the sample with the shortest round trip, so one slow ping does not shift the clock', () => {
    const local = localClock();
    const clock = new DatabaseClock(local.now);
    local.advance(2);
    clock.sample(DATABASE_EPOCH + 1, 1000, 1002); // ±1 ms: the database is DATABASE_EPOCH - 1000 ahead
    local.advance(198 + 800);
    // A 200 ms round trip whose answer was read at its start: taken alone it would put the clock 100 ms behind.
    local.advance(200);
    clock.sample(DATABASE_EPOCH + 1000, 2000, 2200);
    expect(clock.now()).toBe(DATABASE_EPOCH + 1200);
  });

  it('follows a step of the database clock (forward or back) at the first sample after it', () => {
    const local = localClock();
    const clock = new DatabaseClock(local.now);
    clock.sample(DATABASE_EPOCH, 1000, 1000);
    local.advance(1002);
    // The database clock stepped 60 s forward (an NTP step): the samples cannot agree any more.
    clock.sample(DATABASE_EPOCH + 61_001, 2000, 2002);
    expect(clock.now()).toBe(DATABASE_EPOCH + 61_002);
    local.advance(1000);
    // And 30 s back.
    clock.sample(DATABASE_EPOCH + 32_002, 3002, 3002);
    expect(clock.now()).toBe(DATABASE_EPOCH + 32_002);
  });

  it('answers the host clock until the first sample', () => {
    const clock = new DatabaseClock(localClock().now);
    const before = Date.now();
    const now = clock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
