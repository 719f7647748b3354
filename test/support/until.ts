/**
 * Polls `f` every 20 ms until it gives something other than undefined, and returns that; fails
 * with what was awaited after `timeoutMs`. For tests that wait on notifications a server sends.
 */
export async function until<T>(what: string, f: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
