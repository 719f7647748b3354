import { CodeAction, CodeActionKind } from 'vscode-languageserver';
import type { FileAnalysis, RangedDiagnostic, TrainedParameters } from '../analysis/analyze';
import { formatNumber } from '../analysis/format';
import { parameterLines } from '../analysis/weights-text';
import type { Span } from '../syntax/text';
import type { TrainedParametersAnswer } from '../protocol/weights';
import type { Outcome } from './runs';

/**
 * What the editor says about the parameters runs leave: a warning when a run's loss rose, a note
 * when trained weights were dropped because the network's definition changed, and the
 * "Insert trained weights" edit. The runs themselves are runs.ts's; this only reads what they left.
 */

/** A `train` statement's text with whitespace collapsed: a run's warning stays while it is unchanged. */
export function trainText(a: FileAnalysis, stmt: Span): string {
  return a.text.slice(stmt.start, stmt.end).replace(/\s+/g, ' ');
}

function ranged(a: FileAnalysis, span: Span, severity: RangedDiagnostic['severity'], code: RangedDiagnostic['code'], message: string): RangedDiagnostic {
  return { severity, code, message, span: { start: span.start, end: span.end }, range: a.lines.range(span) };
}

/**
 * `loss-rose`: a finished run whose final loss is above its first epoch's — it learned nothing,
 * or undid what it learned. The learning rate is the usual cause (steps that overshoot the
 * minimum), so the warning sits on `learning_rate` (or the `train` keyword when the rate is the
 * default) and suggests a tenth of it. It stays while the `train` statement is the one that ran.
 */
export function lossRoseDiagnostics(a: FileAnalysis, outcomes: ReadonlyMap<string, Outcome>): RangedDiagnostic[] {
  const out: RangedDiagnostic[] = [];
  for (const [network, o] of outcomes) {
    const l = o.losses;
    if (!l || o.diverged || !(l.final > l.first)) continue;
    const t = a.program.trains.find((x) => x.stmt.network.text === network && trainText(a, x.stmt) === l.train);
    if (!t) continue;
    const option = t.stmt.options.find((x) => x.name.text === 'learning_rate');
    const smaller = formatNumber(t.learningRate / 10, 3);
    const span = option ?? { start: t.stmt.start, end: t.stmt.start + 'train'.length };
    const d = ranged(a, span, 'warning', 'loss-rose',
      `The loss rose during the last run of \`${network}\`: from ${formatNumber(l.first, 3)} (epoch 1) to ${formatNumber(l.final, 3)} at the end. ` +
      `The learning rate (${option ? '' : 'the default, '}${formatNumber(t.learningRate)}) is the likely cause: steps that large overshoot the minimum. ` +
      `Try a smaller learning_rate, e.g. ${smaller}, and train again.`);
    if (option) d.suggestion = { title: `Set learning_rate to ${smaller}`, range: a.lines.range(option.value), newText: smaller };
    out.push(d);
  }
  return out;
}

/**
 * The networks of each document whose trained weights were dropped because their definition
 * changed, until they are trained again, reset, or the document closes: each gets an
 * information diagnostic on its name (`trained-weights-dropped`).
 */
export class DroppedWeights {
  private readonly byUri = new Map<string, Set<string>>();

  add(uri: string, network: string): void {
    if (!this.byUri.has(uri)) this.byUri.set(uri, new Set());
    this.byUri.get(uri)!.add(network);
  }

  clear(uri: string, network?: string): void {
    if (network === undefined) this.byUri.delete(uri);
    else this.byUri.get(uri)?.delete(network);
  }

  diagnostics(uri: string, a: FileAnalysis): RangedDiagnostic[] {
    return [...(this.byUri.get(uri) ?? [])].flatMap((network) => {
      const info = a.program.networks.get(network);
      return info ? [ranged(a, info.stmt.name, 'information', 'trained-weights-dropped', droppedMessage(network))] : [];
    });
  }
}

export function droppedMessage(network: string): string {
  return `The trained weights of \`${network}\` were dropped: the network's definition changed after the run (its layers, activations, loss, init or explicit weights), so they belong to a different network. Probes, hovers and evals use the file's own weights; train again for new ones.`;
}

/**
 * "Insert trained weights of N": the `weights`/`bias` lines of a trained network, replacing the
 * ones it has (one undoable edit), one matrix row per line, rounded to `digits` significant
 * digits (results computed from the inserted numbers move slightly: the title says so).
 */
export function insertTrainedWeights(uri: string, a: FileAnalysis, network: string, trained: TrainedParameters, digits: number): CodeAction | undefined {
  const info = a.program.networks.get(network);
  if (!info?.network) return undefined;
  const stmt = info.stmt;
  const text = a.program.file.text;
  // Lines as the document has them (\n, \r\n or a lone \r), never assumed to be \n.
  const eol = /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
  const lineOf = (o: number) => a.lines.position(o).line;
  const startOf = (line: number) => a.lines.offset({ line, character: 0 });
  const nextStart = (line: number) => (line + 1 < a.lines.lineCount ? startOf(line + 1) : text.length);
  const blank = (from: number, to: number) => /^[ \t]*$/.test(text.slice(from, to));
  const close = stmt.end - 1; // the closing brace; an unclosed network has no place for the lines
  if (text[close] !== '}') return undefined;
  const lines: string[] = [];
  for (const [i, l] of info.network.layers.entries()) {
    const p = trained.layers[i];
    const written = p && parameterLines({ name: l.name, inputs: l.inputs, units: l.units, hasBias: l.hasBias, W: p.W, b: p.b }, digits);
    if (!written) return undefined; // a parameter that is not finite has no literal
    lines.push(...written);
  }
  // An item alone on its lines goes with them; one that shares a line (`{ … weights y = … }`) goes alone.
  const edits = stmt.items.filter((i) => i.kind === 'weights' || i.kind === 'bias').map((i) => {
    const alone = blank(startOf(lineOf(i.start)), i.start) && blank(i.end, a.lines.offset({ line: lineOf(i.end), character: Number.MAX_SAFE_INTEGER }));
    const span = alone ? { start: startOf(lineOf(i.start)), end: nextStart(lineOf(i.end)) } : { start: i.start, end: i.end };
    return { range: a.lines.range(span), newText: '' };
  });
  // Before the closing brace: on the lines above it, or, if it shares its line, on new lines before it.
  const braceLine = startOf(lineOf(close));
  const own = blank(braceLine, close);
  const at = own ? braceLine : close;
  edits.push({ range: a.lines.range({ start: at, end: at }), newText: (own ? '' : eol) + lines.join(eol) + eol });
  return CodeAction.create(`Insert trained weights of ${network} (rounded to ${digits} significant digits)`, { changes: { [uri]: edits } }, CodeActionKind.RefactorRewrite);
}

/**
 * `diverged`: a run whose loss became NaN or infinite leaves a warning on its `learning_rate` (or
 * its `train` keyword), with the rate it used: a smaller one is the usual cure.
 */
export function divergedDiagnostics(a: FileAnalysis, outcomes: ReadonlyMap<string, Outcome>): RangedDiagnostic[] {
  const out: RangedDiagnostic[] = [];
  for (const [network, o] of outcomes) {
    const d = o.diverged;
    const t = d && a.program.trains.find((x) => x.stmt.network.text === network);
    if (!d || !t) continue;
    const lr = t.stmt.options.find((x) => x.name.text === 'learning_rate');
    const span = lr ?? { start: t.stmt.start, end: t.stmt.start + 'train'.length };
    out.push(ranged(a, span, 'warning', 'diverged',
      `Training \`${network}\` diverged at epoch ${d.epoch}, step ${d.step}: the batch loss became ${d.loss}. Lower the learning rate${lr ? ` (now ${a.text.slice(lr.value.start, lr.value.end)})` : ''}.`));
  }
  return out;
}

/** `netspec/trainedParameters`: the runs' parameters as plain arrays, for the debugger's probe sessions. */
export function trainedParametersAnswer(trained: ReadonlyMap<string, TrainedParameters>): TrainedParametersAnswer {
  const networks: TrainedParametersAnswer['networks'] = {};
  for (const [name, t] of trained) {
    networks[name] = {
      definition: t.definition,
      layers: t.layers.map((l) => ({ W: Array.from(l.W), b: Array.from(l.b) })),
      ...(t.standardize ? { standardize: { mean: [...t.standardize.mean], std: [...t.standardize.std] } } : {}),
    };
  }
  return { networks };
}
