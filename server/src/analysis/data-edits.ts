import { generate } from '../engine/datasets';
import type { Sample } from '../syntax/ast';
import { functionSamples } from '../semantics/data-sets';
import { LIMITS } from '../semantics/limits';
import type { DataInfo } from '../semantics/program';
import type { FileAnalysis } from './analyze';
import { formatNumber } from './format';

/**
 * Edits of a `data` block that the training panel asks for when its picture is clicked: a sample
 * added (written in the style of the block's rows), the sample nearest a point removed, and a
 * generated data set (`= spiral(…)`, `= function(…)`) rewritten as an inline block of the same
 * samples, which clicks can then edit. Each is one replacement of the text (offsets), or why
 * there is none; nothing here knows about LSP.
 */

/** One replacement: the text from `start` to `end` (offsets) becomes `text`. */
export interface DataEdit {
  start: number;
  end: number;
  text: string;
}

/** An edit, or why a click cannot be written (`generated`: the data set could be turned into a block first). */
export type DataEditResult = { edit: DataEdit } | { error: string; generated?: boolean };

/** Significant digits of a clicked point's coordinates: finer than a pixel of the panel's picture. */
const CLICK_DIGITS = 4;

/** The data set named `name`, when it is an inline block (or why a click cannot edit it). */
function inlineSet(a: FileAnalysis, name: string): { set: DataInfo; samples: Sample[] } | { error: string; generated?: boolean } {
  const set = a.program.data.get(name);
  if (!set) return { error: `there is no data set \`${name}\`` };
  const src = set.stmt.source;
  if (src.kind === 'inline') return { set, samples: src.samples };
  if (src.kind === 'file') return { error: `\`${name}\` is read from "${src.path.value}": add points to that file` };
  return { error: `\`${name}\` is generated (${a.text.slice(src.start, src.end)}): turn it into an inline block first`, generated: true };
}

/**
 * The target a click writes for class `c`, in the data set's form: `[c]` for one target,
 * one-hot (1 at index c) for more.
 */
export function clickTarget(width: number, c: number): number[] {
  return width <= 1 ? [c] : Array.from({ length: width }, (_, k) => (k === c ? 1 : 0));
}

/** How the block writes a row: its indentation, the separator in a list, and around the arrow. */
interface RowStyle {
  indent: string;
  comma: string;
  arrow: string;
  eol: string;
}

/** The style of the block's last row (two spaces, ", " and " -> " when it has none). */
function rowStyle(text: string, samples: readonly Sample[]): RowStyle {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const last = samples.at(-1);
  if (!last) return { indent: '  ', comma: ', ', arrow: ' -> ', eol };
  const lineStart = text.lastIndexOf('\n', last.start - 1) + 1;
  const before = text.slice(lineStart, last.start);
  const row = text.slice(last.start, last.end);
  return {
    indent: /^\s*$/.test(before) ? before : (before.match(/^\s*/)?.[0] ?? '  '),
    comma: /,\s/.test(row) || !row.includes(',') ? ', ' : ',',
    arrow: text.slice(last.input.end, last.target.start),
    eol,
  };
}

/** A row as the style writes it: `[x, y] -> [t]`. */
function rowText(style: RowStyle, input: readonly string[], target: readonly string[]): string {
  return `[${input.join(style.comma)}]${style.arrow}[${target.join(style.comma)}]`;
}

/**
 * Adds the sample `input -> target` at the end of the inline block `name`, on a line of its own
 * in the style of the block's last row; the clicked coordinates rounded to CLICK_DIGITS
 * significant digits.
 */
export function addSampleEdit(a: FileAnalysis, name: string, input: readonly number[], target: readonly number[]): DataEditResult {
  const found = inlineSet(a, name);
  if ('error' in found) return found;
  const { set, samples } = found;
  const text = a.text;
  const style = rowStyle(text, samples);
  const row = rowText(style, input.map((x) => formatNumber(x, CLICK_DIGITS)), target.map((t) => formatNumber(t)));
  const last = samples.at(-1);
  const close = set.stmt.source.end - 1; // the block's `}`
  if (last) {
    // After the last row's line (its comment stays on it), unless the block closes on that line.
    const lineEnd = lineEndOf(text, last.end);
    const at = text.slice(last.end, lineEnd).includes('}') ? last.end : lineEnd;
    return { edit: { start: at, end: at, text: `${style.eol}${style.indent}${row}` } };
  }
  // An empty block: the row on its own line before the `}`.
  const closeLineStart = text.lastIndexOf('\n', close - 1) + 1;
  if (/^\s*$/.test(text.slice(closeLineStart, close))) return { edit: { start: closeLineStart, end: closeLineStart, text: `${style.indent}${row}${style.eol}` } };
  return { edit: { start: close, end: close, text: `${style.eol}${style.indent}${row}${style.eol}` } };
}

/**
 * Removes the sample of the inline block `name` whose input is nearest `point` (Euclidean
 * distance over the point's coordinates; the first of equals): its whole line when it is alone
 * on it, else the row and the spaces after it.
 */
export function removeNearestEdit(a: FileAnalysis, name: string, point: readonly number[]): DataEditResult {
  const found = inlineSet(a, name);
  if ('error' in found) return found;
  const { set, samples } = found;
  if (samples.length === 0) return { error: `\`${name}\` has no sample to remove` };
  if (!set.samples || set.samples.length !== samples.length) return { error: `\`${name}\` has errors: fix them first` };
  let best = 0;
  let bestD = Infinity;
  set.samples.forEach((s, i) => {
    const d = point.reduce((sum, p, j) => sum + (p - (s.input[j] ?? NaN)) ** 2, 0);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  const text = a.text;
  const s = samples[best];
  const lineStart = text.lastIndexOf('\n', s.start - 1) + 1;
  const lineEnd = lineEndOf(text, s.end);
  const after = text.slice(s.end, lineEnd);
  if (/^\s*$/.test(text.slice(lineStart, s.start)) && /^\s*(#.*)?$/.test(after)) {
    const next = text.indexOf('\n', lineEnd);
    return { edit: { start: lineStart, end: next < 0 ? lineEnd : next + 1, text: '' } };
  }
  return { edit: { start: s.start, end: s.end + (after.match(/^[ \t]*/)?.[0].length ?? 0), text: '' } };
}

/**
 * The generated data set `name` rewritten as an inline block of the same samples, every number
 * written in full (JavaScript's shortest round-trip form, so the block's samples are the
 * generator's to the last bit); `targets` is the width of the network that trains on it (a
 * generator's targets are `[c]` for 1, one-hot for 2). An inline block is at most
 * `LIMITS.maxInlineSamples` samples.
 */
export function inlineDataEdit(a: FileAnalysis, name: string, targets: number): DataEditResult {
  const set = a.program.data.get(name);
  if (!set) return { error: `there is no data set \`${name}\`` };
  const src = set.stmt.source;
  if (src.kind === 'inline') return { error: `\`${name}\` is already an inline block` };
  if (src.kind === 'file') return { error: `\`${name}\` is read from a file` };
  let samples;
  if (src.kind === 'generator') {
    if (!set.generator) return { error: `\`${name}\` has errors: fix them first` };
    if (targets !== 1 && targets !== 2) return { error: `a generator gives 1 target or 2 (one-hot), not ${targets}` };
    samples = generate(set.generator.name, set.generator, targets);
  } else {
    if (!set.function) return { error: `\`${name}\` has errors: fix them first` };
    samples = functionSamples(set.function, a.program.env);
  }
  if (samples.length > LIMITS.maxInlineSamples) return { error: `\`${name}\` has ${samples.length} samples; an inline block holds at most ${LIMITS.maxInlineSamples}` };
  const style: RowStyle = { indent: '  ', comma: ', ', arrow: ' -> ', eol: a.text.includes('\r\n') ? '\r\n' : '\n' };
  const rows = samples.map((s) => style.indent + rowText(style, s.input.map(String), s.target.map(String)));
  return { edit: { start: set.stmt.name.end, end: src.end, text: ` {${style.eol}${rows.join(style.eol)}${style.eol}}` } };
}


/** The offset of the end of the line holding `offset` (before its line break). */
function lineEndOf(text: string, offset: number): number {
  const n = text.indexOf('\n', offset);
  const end = n < 0 ? text.length : n;
  return text[end - 1] === '\r' ? end - 1 : end;
}
