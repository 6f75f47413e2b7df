/** Polls `probe` until it returns a truthy value or the timeout passes; returns that value or throws. */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 15000);
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${options.what ?? 'a condition'} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
