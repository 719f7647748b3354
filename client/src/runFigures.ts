import type { RunMetrics } from '../../server/src/protocol/training';

/**
 * What the training panel shows of a run beyond its loss, as plain data: the final metrics in
 * words, the confusion matrix as a table's cells, the curves of compared runs on one epoch axis, and
 * whether a run's learning rate moved. Pure (types only), so the page script bundles it and the
 * unit tests read it.
 */

/** A metric for people: 4 significant digits, exponential below 1e-3 or past 1e5; '–' for none (null on the wire: not finite). */
export function metricNumber(v: number | null | undefined): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

/**
 * The final metrics of one set as the header's figures, named for the set (`test ` before the
 * test set's): a classifier's accuracy as a percentage with its count, `accuracy 95.0% (114/120)`
 * (its confusion matrix is a table of its own); another network's `RMSE` and `R²`.
 */
export function metricFigures(m: RunMetrics | undefined, set: 'training' | 'test'): [string, string][] {
  if (!m) return [];
  const prefix = set === 'test' ? 'test ' : '';
  if (m.kind === 'regression') return [[prefix + 'RMSE', metricNumber(m.rmse)], [prefix + 'R²', metricNumber(m.r2)]];
  const t = confusionTable(m.confusion);
  const pct = t.total ? ((100 * t.correct) / t.total).toFixed(1) + '%' : '–';
  return [[prefix + 'accuracy', `${pct} (${t.correct}/${t.total})`]];
}

/** One cell of a confusion matrix: its count, its share of its row (of the samples of that true class), and whether it is the diagonal. */
export interface ConfusionCell {
  count: number;
  share: number;
  correct: boolean;
}

/**
 * A confusion matrix (`confusion[true class][predicted class]` = count, engine/metrics.ts) as the
 * panel's table: rows the true class, columns the predicted one; each cell's share of its row
 * (count / the row's total, 0 for a class with no samples: the recall on the diagonal), each row's
 * total, and the diagonal's sum (the samples classified right) over the total.
 */
export function confusionTable(confusion: number[][]): { classes: number; rows: { cells: ConfusionCell[]; total: number }[]; correct: number; total: number } {
  let correct = 0;
  let total = 0;
  const rows = confusion.map((row, c) => {
    const sum = row.reduce((a, b) => a + b, 0);
    total += sum;
    correct += row[c] ?? 0;
    return { total: sum, cells: row.map((count, k) => ({ count, share: sum ? count / sum : 0, correct: k === c })) };
  });
  return { classes: confusion.length, rows, correct, total };
}

/**
 * Compared runs' series on one epoch axis, as a chart with one x array needs them: x is every epoch
 * any run has, ascending; each run's series has its value at each of those epochs, `null` where the
 * run has none (it ended sooner, or its points were thinned).
 */
export function alignedSeries(runs: readonly { epoch: readonly number[]; values: readonly (number | null)[] }[]): { x: number[]; ys: (number | null)[][] } {
  const x = [...new Set(runs.flatMap((r) => r.epoch))].sort((a, b) => a - b);
  const ys = runs.map((r) => {
    const at = new Map<number, number | null>();
    r.epoch.forEach((e, i) => at.set(e, r.values[i] ?? null));
    return x.map((e) => at.get(e) ?? null);
  });
  return { x, ys };
}

/** Whether a run's learning rate moved (a `schedule`): more than one finite rate among its epochs. The panel charts the rate only then. */
export function rateMoves(lr: readonly (number | null)[]): boolean {
  let first: number | undefined;
  for (const v of lr) {
    if (v === null || !Number.isFinite(v)) continue;
    if (first === undefined) first = v;
    else if (v !== first) return true;
  }
  return false;
}

/** What the list of compared runs needs of a run's newest row (protocol/webview.ts PanelRow). */
interface RunRow {
  epoch?: number;
  epochs?: number;
  done: boolean;
  finalLoss?: number;
  diverged?: unknown;
  stoppedEarly?: boolean;
  metrics?: RunMetrics;
  testMetrics?: RunMetrics;
  cancelled?: boolean;
  error?: string;
}

/**
 * A run's state in the list of compared runs, after its label: its epoch while it goes; at its end
 * how it ended, its final loss and the figure runs are compared by — the test set's accuracy or R²
 * when there is a test set, else the training set's.
 */
export function runSummary(p: RunRow | undefined): string {
  if (!p) return '';
  if (p.error !== undefined) return 'failed';
  if (p.cancelled) return p.epoch === undefined ? 'stopped' : `stopped at epoch ${p.epoch}`;
  if (!p.done) return `epoch ${p.epoch ?? 0} / ${p.epochs ?? '?'}`;
  const figures = [p.diverged ? 'diverged' : p.stoppedEarly ? `stopped early at epoch ${p.epoch}` : 'done', `loss ${metricNumber(p.finalLoss)}`];
  const set = p.testMetrics ?? p.metrics;
  const which = p.testMetrics ? 'test ' : '';
  if (set?.kind === 'classes') figures.push(`${which}accuracy ${(100 * set.accuracy).toFixed(1)}%`);
  else if (set) figures.push(`${which}R² ${metricNumber(set.r2)}`);
  return figures.join(' · ');
}
