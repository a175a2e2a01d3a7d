/** Runs `count` cases, `concurrency` at a time, and resolves with their results in case order (fuzz tests). */
export async function runCases<T>(
  count: number,
  concurrency: number,
  run: (index: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next++;
      results[index] = await run(index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
