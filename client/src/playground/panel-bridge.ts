import type { FromTrainingPanel } from '../../../server/src/protocol/webview';

/**
 * panel/bridge.js, loaded first in the playground's training panel frame: the webview API the
 * panel's script (webview/trainingPanel.ts) asks VS Code for, here posting to the page that holds
 * the frame (playground/panel.ts), which answers with the same messages the extension sends.
 */
(window as unknown as { acquireVsCodeApi(): { postMessage(m: FromTrainingPanel): void } }).acquireVsCodeApi = () => ({
  // '*': this frame is a srcdoc document (its own location.origin may read "null"); the page checks the sender.
  postMessage: (m) => window.parent.postMessage(m, '*'),
});
