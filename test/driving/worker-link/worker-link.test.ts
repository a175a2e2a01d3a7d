import {
  KeyAccessDeniedError,
  KeyValueStore,
  LogUnavailableError,
  OutcomeUnknownError,
  PreconditionFailedError,
  ReplicaStore,
  type ChangeBatch,
  type Clock,
  type MessageChannel,
} from '../../../src/core';
import { OwnerLink, ReplicaLog } from '../../../src/driven/owner-link';
import { BroadcastingLog, WorkerRequests } from '../../../src/driving/worker-link';
import { ManualClock, MemoryTransactionLog } from '../../support/memory-transaction-log';

/**
 * Two ends of an IPC channel in memory: asynchronous, in order, every message through JSON (as
 * node:cluster's channel, as the worker pool sets it up), and closable from either side.
 */
function channelPair(): {
  owner: MessageChannel;
  worker: MessageChannel;
  close: () => void;
  /** Every message sent, by whom it went to. */
  sent: { owner: unknown[]; worker: unknown[] };
} {
  const listeners = { owner: [] as ((m: unknown) => void)[], worker: [] as ((m: unknown) => void)[] };
  const sent = { owner: [] as unknown[], worker: [] as unknown[] };
  const closers: (() => void)[] = [];
  let open = true;
  const end = (to: 'owner' | 'worker'): MessageChannel => ({
    send: (message) => {
      if (!open) return;
      const copy: unknown = JSON.parse(JSON.stringify(message));
      sent[to].push(copy);
      setImmediate(() => open && listeners[to].forEach((listener) => listener(copy)));
    },
    onMessage: (listener) => listeners[to === 'owner' ? 'worker' : 'owner'].push(listener),
    onClose: (listener) => closers.push(listener),
  });
  return {
    // What the owner's end sends goes to the worker's listeners, and back.
    owner: end('worker'),
    worker: end('owner'),
    sent,
    close: () => {
      open = false;
      for (const closer of closers) closer();
    },
  };
}

/** An owner store on a memory log; `replica()` attaches another worker's replica over its own in-memory channel. */
async function owner(seed: (store: KeyValueStore) => Promise<void> = async () => undefined) {
  const memory = new MemoryTransactionLog();
  const ownerLog = new BroadcastingLog(memory);
  const store = new KeyValueStore(ownerLog);
  await store.restore();
  await seed(store);
  const requests = new WorkerRequests({ store, log: ownerLog, head: { confirm: async () => store.revision } });
  const listening: unknown[] = [];
  const replica = async (clock?: Clock) => {
    const channels = channelPair();
    requests.attach(channels.owner, (where) => listening.push(where));
    const link = new OwnerLink(channels.worker);
    const changes: ChangeBatch[] = [];
    const replicaLog = new ReplicaLog(link);
    const replicaStore = new ReplicaStore(replicaLog, link, undefined, (batch) => changes.push(batch), clock);
    await replicaStore.restore();
    return { replica: replicaStore, replicaLog, link, channels, changes };
  };
  return { memory, owner: store, listening, replica };
}

/** An owner with one worker's replica attached. */
async function ownerAndWorker(seed?: (store: KeyValueStore) => Promise<void>) {
  const built = await owner(seed);
  return { ...built, ...(await built.replica()) };
}

describe('a worker replica following the owner over the IPC channel', () => {
  it("restores from the owner's snapshot: keys, revisions, versions and leases", async () => {
    const { replica, owner } = await ownerAndWorker(async (store) => {
      await store.put('a', '1');
      await store.put('a', '2');
      const { id } = await store.grantLease(60_000);
      await store.put('leased', 'x', undefined, { lease: id });
      await store.put('b', 'gone');
      await store.delete('b');
    });
    expect(replica.revision).toBe(owner.revision);
    expect(replica.getEntry('a')).toEqual(owner.getEntry('a'));
    expect(replica.getEntry('leased')).toEqual(owner.getEntry('leased'));
    expect(replica.size).toBe(2);
    const lease = owner.getEntry('leased').lease!;
    expect(replica.leaseStatus(lease).keys).toEqual(['leased']);
  });

  it('answers a write only once it has applied its revision: the writer reads it back at once', async () => {
    const { replica, owner, changes } = await ownerAndWorker();
    for (let n = 0; n < 20; n++) {
      const { revision } = await replica.put('k', `v${n}`);
      expect(replica.revision).toBeGreaterThanOrEqual(revision);
      expect(replica.get('k')).toBe(`v${n}`);
    }
    const txn = await replica.txn({ compare: [], success: [{ type: 'put', key: 't', value: 'x' }], failure: [] });
    expect(replica.get('t')).toBe('x');
    expect(replica.revision).toBe(txn.revision);
    expect(owner.revision).toBe(replica.revision);
    // Its watch hub hears every revision in order.
    expect(changes.map((batch) => batch.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it("gets the owner's refusals as the core's errors: a failed condition is PreconditionFailedError", async () => {
    const { replica } = await ownerAndWorker();
    const { revision } = await replica.put('k', 'v');
    await expect(replica.put('k', 'w', { modRevision: revision + 5 })).rejects.toBeInstanceOf(PreconditionFailedError);
    await expect(replica.put('k', 'w', { modRevision: revision + 5 })).rejects.toMatchObject({
      currentModRevision: revision,
    });
    expect(replica.get('k')).toBe('v');
  });

  it("checks a revoke's keys against the caller's prefixes, and the owner refuses a key the replica did not check", async () => {
    const { replica } = await ownerAndWorker();
    const { id } = await replica.grantLease(60_000);
    await replica.put('mine/a', '1', undefined, { lease: id });
    await replica.put('theirs/b', '2', undefined, { lease: id });
    await expect(replica.revokeLease(id, (key) => key.startsWith('mine/'))).rejects.toBeInstanceOf(
      KeyAccessDeniedError,
    );
    expect(replica.size).toBe(2);
    const { deleted } = await replica.revokeLease(id, () => true);
    expect(deleted).toBe(2);
    expect(replica.size).toBe(0);
  });

  it('a write the owner had when it went away is outcome unknown, never "nothing changed"; later ones are unavailable', async () => {
    const { replica, replicaLog, memory, channels, link } = await ownerAndWorker();
    const health: string[] = [];
    replicaLog.onHealthChange((state) => health.push(state));
    memory.holdAppends();
    const pending = replica.put('k', 'v');
    await new Promise((resolve) => setTimeout(resolve, 20));
    channels.close();
    await expect(pending).rejects.toBeInstanceOf(OutcomeUnknownError);
    await expect(replica.put('k', 'w')).rejects.toBeInstanceOf(LogUnavailableError);
    await expect(link.confirm()).rejects.toBeInstanceOf(LogUnavailableError);
    expect(health).toEqual(['failed']);
  });

  it("sends one turn's writes as one message, and gets a group commit's records and replies as one batch", async () => {
    const built = await owner();
    const writer = await built.replica();
    const reader = await built.replica();
    const before = {
      toOwner: writer.channels.sent.owner.length,
      toWriter: writer.channels.sent.worker.length,
      toReader: reader.channels.sent.worker.length,
    };
    built.memory.holdAppends();
    const writes = Array.from({ length: 10 }, (_, n) => writer.replica.put(`k${n}`, `v${n}`));
    await new Promise((resolve) => setTimeout(resolve, 20));
    built.memory.release();
    const results = await Promise.all(writes);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(writer.channels.sent.owner.slice(before.toOwner)).toEqual([
      { kvs: 'requests', requests: expect.any(Array) as unknown },
    ]);
    const toWriter = writer.channels.sent.worker.slice(before.toWriter);
    expect(toWriter).toHaveLength(1);
    expect(toWriter[0]).toMatchObject({ kvs: 'batch', records: { length: 10 }, replies: { length: 10 } });
    // The other worker's replica gets the same records, without replies, in one message too.
    expect(reader.channels.sent.worker.slice(before.toReader)).toEqual([
      { kvs: 'batch', records: expect.any(Array) as unknown, replies: [] },
    ]);
    expect(results.map(({ revision }) => reader.replica.getEntry(`k${revision - 1}`).modRevision)).toEqual(
      results.map(({ revision }) => revision),
    );
    expect(writer.replica.get('k9')).toBe('v9');
  });

  it('a request still waiting for its turn when the owner goes away was never sent: unavailable', async () => {
    const { replica, channels } = await ownerAndWorker();
    const unsent = replica.put('k', 'v');
    channels.close();
    await expect(unsent).rejects.toBeInstanceOf(LogUnavailableError);
    expect(channels.sent.owner.filter((message) => (message as { kvs: string }).kvs === 'requests')).toEqual([]);
  });

  it("waits for the owner's head for a linearizable read, and tells the owner where it listens", async () => {
    const { link, owner, listening } = await ownerAndWorker(async (store) => {
      await store.put('x', '1');
    });
    expect(await link.confirm()).toBe(owner.revision);
    link.listening([{ frontend: 'rest', host: '127.0.0.1', port: 8080 }]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(listening).toEqual([[{ frontend: 'rest', host: '127.0.0.1', port: 8080 }]]);
  });

  it('keeps a lease alive on every replica when its keepalives come through one of them', async () => {
    const built = await owner();
    const one = await built.replica();
    const clock = new ManualClock(Date.now());
    const other = await built.replica(clock);
    const { id } = await one.replica.grantLease(10_000);
    await one.replica.put('leased', 'x', undefined, { lease: id });
    await new Promise((resolve) => setImmediate(resolve));
    expect(other.replica.get('leased')).toBe('x');
    clock.advance(8_000);
    await one.replica.keepAliveLease(id);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Past the grant's deadline on the other replica's clock, but renewed there by the keepalive.
    clock.advance(8_000);
    expect(other.replica.get('leased')).toBe('x');
    expect(other.replica.leaseStatus(id).deadline).toBe(clock.now() - 8_000 + 10_000);
  });
});
