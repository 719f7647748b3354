/**
 * The training panel's page body: the elements its script (webview/trainingPanel.ts) draws into,
 * by id. One copy for both hosts of the panel: the VS Code webview (trainingPanel.ts) and the
 * playground page's frame (playground/panel.ts). Pure: a string, no imports.
 *
 * @param startHint HTML saying how to start a run where the panel is shown (trusted text, not user input).
 */
export function trainingPanelBody(startHint: string): string {
  return `<header id="header">
  <div class="title"><span id="network">No run yet</span> <span id="data" class="dim"></span></div>
  <div class="row"><span id="status" class="status idle">waiting</span> <span id="epoch"></span></div>
  <div class="bar"><div id="bar"></div></div>
  <div id="metrics" class="metrics"></div>
  <p id="verdict" class="verdict" hidden></p>
  <div id="replay" class="replay" hidden>
    <button id="play" type="button" title="Replay the run">▶</button>
    <input id="replaySlider" type="range" min="0" max="0" step="1" value="0" aria-label="Replay: epoch">
    <span id="replayEpoch" class="dim"></span>
  </div>
</header>
<main>
  <section id="curve">
    <div class="section-head"><h3>Loss</h3><span class="switches"><label title="Exponential moving average of each loss curve, bias-corrected, as TensorBoard draws it"><input type="checkbox" id="smooth"> smoothing</label> <label><input type="checkbox" id="log" checked> log scale</label></span></div>
    <div id="chart"></div>
    <p id="empty" class="dim">${startHint}</p>
  </section>
  <section id="boundarySection" hidden>
    <div class="section-head"><h3 id="pictureTitle">Decision boundary</h3><span id="legend" class="legend"></span></div>
    <canvas id="boundary"></canvas>
  </section>
</main>`;
}
