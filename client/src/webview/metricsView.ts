import type { RunMetrics } from '../../../server/src/protocol/training';
import { confusionTable, metricFigures } from '../runFigures';
import { css, withAlpha } from './picture';

/**
 * The training panel's confusion matrices: one real table per set (training, and test with a
 * split), rows the true class and columns the predicted one, each header a `th` with its scope so a
 * screen reader names a cell by its two classes; each cell shaded by its share of its row (the
 * diagonal in the theme's blue, errors in its red), with the count and that share in its title.
 */

/** Draws the tables of a classifier's final metrics into `box`; returns whether there was one to draw. */
export function drawConfusion(box: HTMLElement, sets: { name: 'training' | 'test'; metrics: RunMetrics | undefined }[]): boolean {
  box.textContent = '';
  let drawn = false;
  for (const { name, metrics } of sets) {
    if (metrics?.kind !== 'classes') continue;
    box.append(confusionElement(name, metrics.confusion, metrics));
    drawn = true;
  }
  return drawn;
}

function confusionElement(set: 'training' | 'test', confusion: number[][], metrics: RunMetrics): HTMLTableElement {
  const t = confusionTable(confusion);
  const table = document.createElement('table');
  table.className = 'confusion';
  table.dataset.set = set;
  const caption = document.createElement('caption');
  const [, accuracy] = metricFigures(metrics, 'training')[0];
  caption.textContent = `${set === 'test' ? 'Test' : 'Training'} set · accuracy ${accuracy}`;
  table.append(caption);
  const head = table.createTHead().insertRow();
  const corner = document.createElement('th');
  corner.scope = 'col';
  corner.textContent = 'true ╲ predicted';
  corner.className = 'corner';
  head.append(corner);
  for (let k = 0; k < t.classes; k++) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = String(k);
    head.append(th);
  }
  const body = table.createTBody();
  const right = css('--vscode-charts-blue', '#3794ff');
  const wrong = css('--vscode-charts-red', '#f14c4c');
  t.rows.forEach((row, c) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = String(c);
    tr.append(th);
    for (const [k, cell] of row.cells.entries()) {
      const td = tr.insertCell();
      td.textContent = String(cell.count);
      if (cell.correct) td.className = 'diagonal';
      // The shade is the cell's share of its class: a row reads as where that class's samples went.
      if (cell.count > 0) td.style.background = withAlpha(cell.correct ? right : wrong, 0.15 + 0.55 * cell.share);
      td.title = `true ${c}, predicted ${k}: ${cell.count} sample${cell.count === 1 ? '' : 's'} (${(100 * cell.share).toFixed(1)}% of class ${c})`;
    }
  });
  return table;
}
