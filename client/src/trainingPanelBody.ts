/**
 * The training panel's page body: the elements its script (webview/trainingPanel.ts) draws into,
 * by id. One copy for both hosts of the panel: the VS Code webview (trainingPanel.ts) and the
 * playground page's frame (playground/panel.ts). Pure: a string, no imports.
 *
 * @param startHint HTML saying how to start a run where the panel is shown (trusted text, not user input).
 * @param controls Pause, resume, step, stop and Retrain buttons, and clicks on the picture that
 *   edit the data (the VS Code panel; the playground has neither).
 */
export function trainingPanelBody(startHint: string, controls = false): string {
  return `<header id="header">
  <div class="title"><span id="network">No run yet</span> <span id="data" class="dim"></span></div>${controls ? `
  <div id="controls" class="controls">
    <button id="pause" type="button" title="Pause the run (its parameters go to probes and hovers)" disabled>‖ Pause</button>
    <button id="resume" type="button" title="Resume the run" hidden>▶ Resume</button>
    <button id="stepEpoch" type="button" title="Run one more epoch, then pause" disabled>Step epoch</button>
    <button id="stepBatch" type="button" title="Run one more batch (one optimiser step), then pause" disabled>Step batch</button>
    <button id="stop" type="button" title="Stop the run" disabled>■ Stop</button>
    <button id="retrain" type="button" title="Run the train statement again, as the file now reads" disabled>↻ Retrain</button>
  </div>` : ''}
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
<fieldset id="runs" class="runs" hidden><legend>Compared runs <span class="dim">· loss solid, test loss dashed · choose one for its metrics and picture</span></legend></fieldset>
<main>
  <section id="curve">
    <div class="section-head"><h3>Loss</h3><span class="switches"><label title="Exponential moving average of each loss curve, bias-corrected, as TensorBoard draws it"><input type="checkbox" id="smooth"> smoothing</label> <label><input type="checkbox" id="log" checked> log scale</label></span></div>
    <div id="chart"></div>
    <div id="lrSection" hidden><h4>Learning rate</h4><div id="lrChart"></div></div>
    <p id="empty" class="dim">${startHint}</p>
  </section>
  <section id="boundarySection" hidden>
    <div class="section-head"><h3 id="pictureTitle">Decision boundary</h3><span id="legend" class="legend"></span></div>
    <canvas id="boundary"></canvas>${controls ? `
    <p id="clickHint" class="dim" hidden>Click: add a class 1 sample · Shift-click: class 0 · Alt-click: remove the nearest.</p>` : ''}
  </section>
  <section id="metricsSection" hidden>
    <div class="section-head"><h3>Confusion matrix</h3><span class="dim" title="The header's accuracy is the last epoch's, counted as its batches ran; these use the parameters the run ended with">with the trained parameters · rows: true class, columns: predicted</span></div>
    <div id="confusion" class="confusion-tables"></div>
  </section>
</main>`;
}
