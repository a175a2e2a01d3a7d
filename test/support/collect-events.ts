import type { Event } from '../../src/core';

/** Every event a logger's readEvents yields, its batches flattened in order. */
export async function collectEvents(batches: AsyncIterable<readonly Event[]>): Promise<Event[]> {
  const all: Event[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}
