/** Checks `check` every 50 ms until it returns a value other than undefined or false; fails after timeoutMs with `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  // A wait on a condition ends as soon as it holds; the limit only bounds a failure, and a
  // shared, loaded CI machine can be ten times slower than a quiet one.
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
