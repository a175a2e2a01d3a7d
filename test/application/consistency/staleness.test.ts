import { ReplicaStaleness, type StalenessClock } from '../../../src/application/consistency/staleness';

/** A clock the test moves by hand: its timers run when `advance` passes their time. */
class TimerClock implements StalenessClock {
  private time = 1000;
  private timers: { at: number; run: () => void }[] = [];

  now(): number {
    return this.time;
  }

  after(ms: number, run: () => void): () => void {
    const timer = { at: this.time + ms, run };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((other) => other !== timer));
  }

  /** Timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= until).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.time = due.at;
      due.run();
    }
    this.time = until;
  }
}

/** A shared log's confirmations, fired by the test. */
function confirmations() {
  const listeners = new Set<(sentAt: number) => void>();
  return {
    onHeadConfirmed: (listener: (sentAt: number) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    confirm: (sentAt: number) => listeners.forEach((listener) => listener(sentAt)),
  };
}

describe('ReplicaStaleness: how old a shared replica’s view of the head is', () => {
  it('turns stale once the head goes unconfirmed for longer than the bound, at that moment, and fresh at the next confirmation', () => {
    const clock = new TimerClock();
    const source = confirmations();
    const staleness = new ReplicaStaleness(source, 500, clock);
    const changes: boolean[] = [];
    staleness.onChange((stale) => changes.push(stale));

    // Start-up counts as a confirmation.
    clock.advance(500);
    expect([staleness.stale, changes]).toEqual([false, []]);
    clock.advance(2);
    expect([staleness.stale, changes]).toEqual([true, [true]]);
    // Stale, no timer runs: nothing can change until a confirmation arrives.
    expect(clock.pending).toBe(0);

    source.confirm(clock.now());
    expect([staleness.stale, staleness.ageMs, changes]).toEqual([false, 0, [true, false]]);
    clock.advance(501);
    expect(changes).toEqual([true, false, true]);
  });

  it('stays fresh while confirmations keep coming, and counts from when the confirming read was sent', () => {
    const clock = new TimerClock();
    const source = confirmations();
    const staleness = new ReplicaStaleness(source, 500, clock);
    const changes: boolean[] = [];
    staleness.onChange((stale) => changes.push(stale));
    for (let i = 0; i < 20; i++) {
      clock.advance(200);
      source.confirm(clock.now());
    }
    expect([staleness.stale, changes, clock.pending]).toEqual([false, [], 1]);

    // A read sent 400 ms ago and answered now confirms the head as of 400 ms ago.
    clock.advance(450);
    source.confirm(clock.now() - 400);
    expect(staleness.ageMs).toBe(400);
    clock.advance(100);
    expect([staleness.stale, changes]).toEqual([false, []]);
    clock.advance(2);
    expect([staleness.stale, changes]).toEqual([true, [true]]);
  });

  it('ignores a confirmation older than the newest one (a slow read answered after a quick one)', () => {
    const clock = new TimerClock();
    const source = confirmations();
    const staleness = new ReplicaStaleness(source, 500, clock);
    clock.advance(300);
    source.confirm(clock.now());
    source.confirm(clock.now() - 250);
    expect(staleness.ageMs).toBe(0);
  });
});
