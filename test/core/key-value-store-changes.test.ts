import { KeyValueStore, LogUnavailableError, type ChangeBatch } from '../../src/core';
import { MemoryTransactionLog } from '../support/memory-transaction-log';

/** A store whose committed revisions are recorded as the watch hub would get them. */
async function observedStore(log = new MemoryTransactionLog()) {
  const batches: ChangeBatch[] = [];
  const store = new KeyValueStore(log, undefined, (batch) => batches.push(batch));
  await store.restore();
  return { store, log, batches };
}

const summary = (batches: ChangeBatch[]) =>
  batches.map(({ revision, events }) => ({
    revision,
    events: events.map(({ type, entry, previous }) => ({ type, ...entry, previous: previous?.value })),
  }));

describe('KeyValueStore change feed', () => {
  it('tells the observer of every committed revision, with each key after and before, before the write is acknowledged', async () => {
    const { store, batches } = await observedStore();
    await store.put('a', '1');
    const seenAtAcknowledgement = await store.put('a', '2').then(() => batches.length);
    expect(seenAtAcknowledgement).toBe(2);
    await store.txn({
      compare: [],
      success: [
        { type: 'delete', key: 'a' },
        { type: 'put', key: 'b', value: 'x' },
        { type: 'get', key: 'b' },
      ],
      failure: [],
    });
    await store.delete('absent');
    expect(summary(batches)).toEqual([
      {
        revision: 1,
        events: [
          { type: 'put', key: 'a', value: '1', createRevision: 1, modRevision: 1, version: 1, previous: undefined },
        ],
      },
      {
        revision: 2,
        events: [{ type: 'put', key: 'a', value: '2', createRevision: 1, modRevision: 2, version: 2, previous: '1' }],
      },
      {
        revision: 3,
        events: [
          { type: 'delete', key: 'a', value: '', createRevision: 0, modRevision: 3, version: 0, previous: '2' },
          { type: 'put', key: 'b', value: 'x', createRevision: 3, modRevision: 3, version: 1, previous: undefined },
        ],
      },
    ]);
  });

  it('is told nothing of replay or of a write the log refused', async () => {
    const first = await observedStore();
    await first.store.put('a', '1');
    const { store, log, batches } = await observedStore(new MemoryTransactionLog([...first.log.events]));
    expect(batches).toEqual([]);
    log.failNext(1, new LogUnavailableError('disk full'));
    await expect(store.put('a', '2')).rejects.toThrow(LogUnavailableError);
    await store.put('a', '3');
    expect(summary(batches).map((batch) => [batch.revision, batch.events[0].value])).toEqual([[2, '3']]);
  });
});
