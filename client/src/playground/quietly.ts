/**
 * A provider's request, answered with nothing when it no longer matters: Monaco cancels what it
 * asked when the text or the cursor moves on, and the server then answers "cancelled" (or
 * "content modified"); a server being restarted drops what was pending. Those are not errors for
 * the person typing, so they reach neither the console as uncaught nor the editor as a failure.
 */

/** JSON-RPC's codes for an answer that was cancelled or outdated (LSP's RequestCancelled, ContentModified, ServerCancelled). */
const OUTDATED = new Set([-32800, -32801, -32802]);

export async function quietly<T>(token: { readonly isCancellationRequested: boolean }, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (!token.isCancellationRequested && !(typeof code === 'number' && OUTDATED.has(code))) console.warn('NetSpec playground: a request failed:', err);
    return undefined;
  }
}
