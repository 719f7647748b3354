import { LSPErrorCodes, ResponseError, type CancellationToken, type ConnectionStrategy, type Message, type RequestMessage, type ResponseMessage } from 'vscode-languageserver';

/**
 * Cancelled requests are answered as cancelled (LSP: error RequestCancelled, -32800).
 *
 * vscode-jsonrpc does not do this by itself: a request cancelled while it waits in the queue is
 * still dispatched, with a cancelled token, and our handlers (synchronous, so a request already
 * running cannot see a cancellation arrive) would answer it in full. This strategy answers a
 * queued request the moment its `$/cancelRequest` arrives; `cancelled` does it for a handler
 * that awaited something in between.
 */
export const cancellationStrategy: ConnectionStrategy = {
  // Called only for requests (vscode-jsonrpc checks), so the message has an id and a method.
  cancelUndispatched: (message: Message): ResponseMessage => {
    const request = message as RequestMessage;
    return { jsonrpc: '2.0', id: request.id, error: { code: LSPErrorCodes.RequestCancelled, message: `${request.method} was cancelled` } };
  },
};

/** The RequestCancelled error to answer with, if `token` was cancelled; otherwise undefined. */
export function cancelled(token: CancellationToken | undefined, method: string): ResponseError<void> | undefined {
  return token?.isCancellationRequested ? new ResponseError<void>(LSPErrorCodes.RequestCancelled, `${method} was cancelled`) : undefined;
}
