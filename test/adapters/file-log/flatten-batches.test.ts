import { flattenBatches } from '../../../src/adapters/file-log/flatten-batches';

async function* batchesOf<T>(batches: T[][], log: string[]): AsyncGenerator<T[]> {
  try {
    for (const batch of batches) {
      log.push('batch');
      yield batch;
    }
  } finally {
    log.push('source closed');
  }
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('flattenBatches', () => {
  it('yields every item in order, skipping empty batches', async () => {
    const log: string[] = [];
    expect(await collect(flattenBatches(batchesOf([[1, 2], [], [3], [4, 5, 6]], log)))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log).toEqual(['batch', 'batch', 'batch', 'batch', 'source closed']);
  });

  it('pulls the next batch only once the current one is used up', async () => {
    const log: string[] = [];
    const items = flattenBatches(batchesOf([[1, 2], [3]], log));
    expect(log).toEqual([]);
    await items.next();
    await items.next();
    expect(log).toEqual(['batch']);
    await items.next();
    expect(log).toEqual(['batch', 'batch']);
  });

  it('closes the source when the consumer leaves early', async () => {
    const log: string[] = [];
    for await (const item of flattenBatches(batchesOf([[1, 2], [3]], log))) {
      if (item === 1) break;
    }
    expect(log).toEqual(['batch', 'source closed']);
  });

  it('passes on the error of a failing source', async () => {
    async function* failing(): AsyncGenerator<number[]> {
      yield [1];
      throw new Error('disk on fire');
    }
    await expect(collect(flattenBatches(failing()))).rejects.toThrow('disk on fire');
  });
});
