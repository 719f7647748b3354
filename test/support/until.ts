/**
 * The one way tests wait: polls `f` every `pauseMs` until it gives something other than undefined
 * or false, and returns that; after `timeoutMs` it fails with what was awaited (`what`, or what it
 * returns then, so a message can show the last state seen). For tests that wait on what a server,
 * an extension host or a browser does in its own time.
 */
export async function until<T>(
  what: string | (() => string),
  f: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 60_000,
  pauseMs = 20,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}
