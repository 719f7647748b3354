import type { PanelRow } from '../../../server/src/protocol/webview';
import { runSummary } from '../runFigures';

/**
 * The list of compared runs (Train All): a radio group, one choice per `train` statement in its
 * curve's colour, named by its label (`line 12: adam lr 0.01`) with its state; the chosen run is
 * the one whose header, metrics, picture and replay the panel shows. Updated in place, so keyboard
 * focus survives the redraws of a run in progress. An empty list hides the box.
 */
export function drawRuns(box: HTMLElement, runs: readonly { runId: string | undefined; last: PanelRow | undefined }[], chosen: string | undefined, colors: readonly string[], choose: (runId: string) => void): void {
  box.hidden = runs.length === 0;
  const ids = runs.map((r) => r.runId ?? '');
  const labels = Array.from(box.querySelectorAll<HTMLLabelElement>('label'));
  if (labels.map((l) => l.dataset.runId).join() !== ids.join()) {
    labels.forEach((l) => l.remove());
    for (const id of ids) {
      const label = document.createElement('label');
      label.dataset.runId = id;
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'run';
      input.value = id;
      input.addEventListener('change', () => choose(id));
      const swatch = document.createElement('i');
      swatch.className = 'line';
      const state = document.createElement('span');
      state.className = 'dim';
      label.append(input, swatch, document.createElement('b'), state);
      box.append(label);
    }
  }
  box.querySelectorAll<HTMLLabelElement>('label').forEach((label, i) => {
    const r = runs[i];
    const [input, swatch, name, state] = Array.from(label.children) as HTMLElement[];
    (input as HTMLInputElement).checked = r.runId === chosen;
    swatch.style.setProperty('--c', colors[i % colors.length]);
    name.textContent = r.last?.label ?? r.runId ?? '';
    state.textContent = ' ' + runSummary(r.last);
  });
}
