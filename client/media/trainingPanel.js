// NetSpec: Training — the webview's script (plain JS, no build; copied to dist/media).
// Messages from the extension (client/src/trainingPanel.ts):
//   { type: 'reset' }
//   { type: 'progress', items: TrainProgress[] (no boundary), boundary?: Boundary & { runId } }
// Work is batched: messages only queue, one requestAnimationFrame draws what is queued.
/* global uPlot, acquireVsCodeApi */
(function () {
  'use strict';
  const vscode = acquireVsCodeApi();
  const $ = (id) => document.getElementById(id);
  /** Points kept per series; beyond it every other point is dropped (the newest is kept). */
  const MAX_POINTS = 20000;
  const CLASS_COLORS = [[245, 147, 34], [8, 119, 189]]; // TensorFlow Playground's orange and blue

  let run = emptyRun(undefined);
  let queue = [];
  let frame = 0;
  let chart;
  let chartKey = '';
  let logScale = true;
  let boundaryDirty = false;

  function emptyRun(runId) {
    return { runId, last: undefined, epoch: [], loss: [], testLoss: [], acc: [], testAcc: [], has: { testLoss: false, acc: false, testAcc: false }, boundary: undefined };
  }

  window.addEventListener('message', (event) => {
    queue.push(event.data);
    if (!frame) frame = requestAnimationFrame(drain);
  });

  function drain() {
    frame = 0;
    const q = queue;
    queue = [];
    let header = false;
    let curve = false;
    for (const m of q) {
      if (!m || typeof m !== 'object') continue;
      if (m.type === 'reset') {
        run = emptyRun(undefined);
        header = curve = boundaryDirty = true;
      } else if (m.type === 'progress') {
        for (const p of m.items || []) { add(p); header = curve = true; }
        if (m.boundary && m.boundary.runId === run.runId) { run.boundary = m.boundary; boundaryDirty = true; }
      }
    }
    if (header) drawHeader();
    if (curve) drawCurve();
    if (boundaryDirty) { boundaryDirty = false; drawBoundary(); }
  }

  function add(p) {
    if (p.runId !== run.runId) { run = emptyRun(p.runId); boundaryDirty = true; }
    run.last = p;
    const n = run.epoch.length;
    const at = n > 0 && run.epoch[n - 1] === p.epoch ? n - 1 : n; // the same epoch again: replace it
    if (n > 0 && p.epoch < run.epoch[n - 1]) return;
    run.epoch[at] = p.epoch;
    run.loss[at] = num(p.loss);
    run.testLoss[at] = num(p.testLoss);
    run.acc[at] = num(p.accuracy);
    run.testAcc[at] = num(p.testAccuracy);
    if (run.testLoss[at] !== null) run.has.testLoss = true;
    if (run.acc[at] !== null) run.has.acc = true;
    if (run.testAcc[at] !== null) run.has.testAcc = true;
    if (run.epoch.length > MAX_POINTS) for (const k of ['epoch', 'loss', 'testLoss', 'acc', 'testAcc']) run[k] = halve(run[k]);
  }

  function num(v) { return typeof v === 'number' && Number.isFinite(v) ? v : null; }
  function halve(xs) {
    const out = xs.filter((_, i) => i % 2 === 0);
    if ((xs.length - 1) % 2 !== 0) out.push(xs[xs.length - 1]);
    return out;
  }
  function fmt(v) {
    if (typeof v !== 'number') return '–';
    if (!Number.isFinite(v)) return String(v);
    if (v === 0) return '0';
    const a = Math.abs(v);
    return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
  }
  function pct(v) { return typeof v === 'number' && Number.isFinite(v) ? (v * 100).toFixed(1) + '%' : '–'; }

  // ---------------------------------------------------------------- header

  function drawHeader() {
    const p = run.last;
    if (!p) {
      $('network').textContent = 'No run yet';
      $('data').textContent = '';
      setStatus('idle', 'waiting');
      $('epoch').textContent = '';
      $('bar').style.width = '0';
      $('metrics').textContent = '';
      return;
    }
    $('network').textContent = p.network;
    $('data').textContent = 'on ' + p.data;
    if (p.error) setStatus('error', 'failed: ' + p.error);
    else if (p.diverged) setStatus('diverged', 'diverged at epoch ' + p.diverged.epoch + ' (step ' + p.diverged.step + ', loss ' + fmt(p.diverged.loss) + ')');
    else if (p.cancelled) setStatus('cancelled', 'cancelled at epoch ' + p.epoch);
    else if (p.done) setStatus('done', 'done');
    else setStatus('running', 'running');
    $('epoch').textContent = 'epoch ' + p.epoch + ' / ' + p.epochs;
    $('bar').style.width = (p.epochs > 0 ? Math.min(100, (100 * p.epoch) / p.epochs) : 0) + '%';
    const metrics = [['loss', fmt(p.loss)]];
    if (p.testLoss !== undefined) metrics.push(['test loss', fmt(p.testLoss)]);
    if (p.accuracy !== undefined) metrics.push(['accuracy', pct(p.accuracy)]);
    if (p.testAccuracy !== undefined) metrics.push(['test accuracy', pct(p.testAccuracy)]);
    const box = $('metrics');
    box.textContent = '';
    for (const [k, v] of metrics) {
      const span = document.createElement('span');
      span.append(k + ' ');
      const b = document.createElement('b');
      b.textContent = v;
      span.append(b);
      box.append(span);
    }
  }

  function setStatus(kind, text) {
    const s = $('status');
    s.className = 'status ' + kind;
    s.textContent = text;
  }

  // ---------------------------------------------------------------- loss curve (uPlot)

  function css(name, fallback) {
    const v = getComputedStyle(document.body).getPropertyValue(name).trim();
    return v || fallback;
  }

  function theme() {
    return {
      fg: css('--vscode-editor-foreground', '#888'),
      dim: css('--vscode-descriptionForeground', '#888'),
      grid: withAlpha(css('--vscode-editor-foreground', '#888'), 0.12),
      font: css('--vscode-font-family', 'sans-serif'),
      // Opaque (a theme may give these with alpha, which washes a 2px line out).
      series: [
        withAlpha(css('--vscode-charts-blue', '#3794ff'), 1),
        withAlpha(css('--vscode-charts-orange', '#d18616'), 1),
        withAlpha(css('--vscode-charts-green', '#89d185'), 1),
        withAlpha(css('--vscode-charts-purple', '#b180d7'), 1),
      ],
    };
  }

  function chartData() {
    const data = [run.epoch, run.loss.map((v) => (logScale && v !== null && v <= 0 ? null : v))];
    if (run.has.testLoss) data.push(run.testLoss.map((v) => (logScale && v !== null && v <= 0 ? null : v)));
    if (run.has.acc) data.push(run.acc);
    if (run.has.testAcc) data.push(run.testAcc);
    return data;
  }

  function drawCurve() {
    $('empty').hidden = run.epoch.length > 0;
    $('chart').dataset.epochs = String(run.epoch.length); // how many epochs the curve has (read by the UI test)
    if (run.epoch.length === 0) {
      if (chart) { chart.destroy(); chart = undefined; chartKey = ''; }
      return;
    }
    const key = [run.has.testLoss, run.has.acc, run.has.testAcc, logScale, document.body.className].join();
    if (!chart || key !== chartKey) {
      if (chart) chart.destroy();
      chart = new uPlot(chartOptions(), chartData(), $('chart'));
      chartKey = key;
    } else {
      chart.setData(chartData());
    }
  }

  function chartOptions() {
    const t = theme();
    const font = '11px ' + t.font;
    const axis = (o) => Object.assign({ stroke: t.fg, font, labelFont: font, grid: { stroke: t.grid, width: 1 }, ticks: { stroke: t.grid, width: 1 } }, o);
    const line = (label, color, scale, dash) => ({ label, stroke: color, width: 2, scale, dash, points: { show: false }, value: (u, v) => (scale === 'acc' ? pct(v) : fmt(v)), spanGaps: true });
    const series = [{ label: 'epoch', value: (u, v) => (v === null ? '–' : String(v)) }, line('train loss', t.series[0], 'loss')];
    if (run.has.testLoss) series.push(line('test loss', t.series[1], 'loss'));
    if (run.has.acc) series.push(line('accuracy', t.series[2], 'acc', [6, 3]));
    if (run.has.testAcc) series.push(line('test accuracy', t.series[3], 'acc', [2, 3]));
    const axes = [
      axis({ label: 'epoch', labelSize: 18, size: 34 }),
      axis({ scale: 'loss', label: 'loss', labelSize: 18, size: 54, values: (u, vals) => vals.map((v) => (v === null ? '' : fmt(v))) }),
    ];
    if (run.has.acc || run.has.testAcc) axes.push(axis({ scale: 'acc', side: 1, label: 'accuracy', labelSize: 18, size: 50, grid: { show: false }, values: (u, vals) => vals.map((v) => Math.round(v * 100) + '%') }));
    return {
      width: chartWidth(),
      height: chartHeight(),
      scales: {
        x: { time: false },
        loss: logScale ? { distr: 3, log: 10 } : { auto: true },
        acc: { range: [0, 1] },
      },
      axes,
      series,
      cursor: { drag: { x: true, y: false }, points: { size: 6 } },
      legend: { live: true },
    };
  }

  function chartWidth() { return Math.max(280, Math.floor($('curve').clientWidth)); }
  function chartHeight() { return Math.max(200, Math.min(420, Math.floor(window.innerHeight * 0.5))); }

  $('log').addEventListener('change', (e) => {
    logScale = e.target.checked;
    chartKey = '';
    drawCurve();
  });

  // ---------------------------------------------------------------- decision boundary

  function drawBoundary() {
    const b = run.boundary;
    const section = $('boundarySection');
    section.hidden = !b;
    if (!b) return;
    const canvas = $('boundary');
    const cssSize = Math.max(220, Math.min(380, Math.floor(section.clientWidth || 360)));
    const dpr = window.devicePixelRatio || 1;
    canvas.style.height = cssSize + 'px';
    canvas.width = Math.round(cssSize * dpr);
    canvas.height = Math.round(cssSize * dpr);
    const ctx = canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, cssSize, cssSize);

    const pad = { left: 34, right: 6, top: 6, bottom: 22 };
    const w = cssSize - pad.left - pad.right;
    const h = cssSize - pad.top - pad.bottom;
    const [x0, x1] = b.xRange;
    const [y0, y1] = b.yRange;
    const bg = parseColor(css('--vscode-editor-background', '#ffffff'));
    const fg = css('--vscode-editor-foreground', '#888');

    // The heatmap: resolution×resolution pixels, scaled up smoothly.
    const res = b.resolution | 0;
    if (res > 0 && b.values.length >= res * res) {
      const off = document.createElement('canvas');
      off.width = res;
      off.height = res;
      const octx = off.getContext('2d');
      const img = octx.createImageData(res, res);
      for (let i = 0; i < res * res; i++) {
        const c = heat(b.values[i], bg);
        img.data[4 * i] = c[0];
        img.data[4 * i + 1] = c[1];
        img.data[4 * i + 2] = c[2];
        img.data[4 * i + 3] = 255;
      }
      octx.putImageData(img, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(off, pad.left, pad.top, w, h);
    }

    // The data.
    const sx = (x) => pad.left + ((x - x0) / (x1 - x0 || 1)) * w;
    const sy = (y) => pad.top + ((y1 - y) / (y1 - y0 || 1)) * h;
    ctx.save();
    ctx.beginPath();
    ctx.rect(pad.left, pad.top, w, h);
    ctx.clip();
    ctx.lineWidth = 1;
    ctx.strokeStyle = withAlpha(fg, 0.85);
    const r = b.points.length > 400 ? 2.5 : 3.5;
    for (const pt of b.points) {
      const c = CLASS_COLORS[pt.c === 1 ? 1 : 0];
      ctx.fillStyle = 'rgb(' + c.join(',') + ')';
      ctx.beginPath();
      ctx.arc(sx(pt.x), sy(pt.y), r, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.restore();

    // Frame, the axes through 0 and the ranges' ends.
    ctx.strokeStyle = withAlpha(fg, 0.35);
    ctx.strokeRect(pad.left + 0.5, pad.top + 0.5, w - 1, h - 1);
    ctx.setLineDash([3, 3]);
    ctx.beginPath();
    if (x0 < 0 && x1 > 0) { ctx.moveTo(sx(0), pad.top); ctx.lineTo(sx(0), pad.top + h); }
    if (y0 < 0 && y1 > 0) { ctx.moveTo(pad.left, sy(0)); ctx.lineTo(pad.left + w, sy(0)); }
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.fillStyle = fg;
    ctx.font = '11px ' + css('--vscode-font-family', 'sans-serif');
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(fmt(x0), pad.left, pad.top + h + 5);
    ctx.textAlign = 'right';
    ctx.fillText(fmt(x1), pad.left + w, pad.top + h + 5);
    ctx.textAlign = 'center';
    ctx.fillText('x₁', pad.left + w / 2, pad.top + h + 5);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'top';
    ctx.fillText(fmt(y1), pad.left - 4, pad.top);
    ctx.textBaseline = 'bottom';
    ctx.fillText(fmt(y0), pad.left - 4, pad.top + h);
    ctx.textBaseline = 'middle';
    ctx.fillText('x₂', pad.left - 4, pad.top + h / 2);
  }

  /** Probability of class 1 -> colour: orange (0) through the background (0.5) to blue (1). */
  function heat(p, bg) {
    if (typeof p !== 'number' || !Number.isFinite(p)) return bg;
    const t = Math.max(-1, Math.min(1, 2 * p - 1));
    const c = CLASS_COLORS[t < 0 ? 0 : 1];
    const a = 0.6 * Math.pow(Math.abs(t), 0.8);
    return [0, 1, 2].map((i) => Math.round(bg[i] + (c[i] - bg[i]) * a));
  }

  function parseColor(s) {
    const ctx = parseColor.ctx || (parseColor.ctx = document.createElement('canvas').getContext('2d'));
    ctx.fillStyle = '#000';
    ctx.fillStyle = s;
    const v = ctx.fillStyle; // '#rrggbb' or 'rgba(r, g, b, a)'
    if (v[0] === '#') return [1, 3, 5].map((i) => parseInt(v.slice(i, i + 2), 16));
    const m = v.match(/[\d.]+/g) || ['0', '0', '0'];
    return m.slice(0, 3).map(Number);
  }

  function withAlpha(color, a) {
    const [r, g, b] = parseColor(color);
    return 'rgba(' + r + ',' + g + ',' + b + ',' + a + ')';
  }

  // ---------------------------------------------------------------- resize and theme

  let resizeFrame = 0;
  new ResizeObserver(() => {
    if (resizeFrame) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (chart) chart.setSize({ width: chartWidth(), height: chartHeight() });
      if (run.boundary) drawBoundary();
    });
  }).observe(document.body);

  // VS Code swaps the body's class (vscode-light / vscode-dark / vscode-high-contrast) and the
  // --vscode-* variables when the theme changes: redraw in the new colours.
  const themeObserver = new MutationObserver(() => {
    chartKey = '';
    drawCurve();
    drawBoundary();
  });
  themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });

  drawHeader();
  drawCurve();
  vscode.postMessage({ type: 'ready' });
})();
