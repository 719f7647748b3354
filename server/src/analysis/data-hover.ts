import { groupDigits } from '../engine/value';
import { FUNCTION_VARIABLES, type DataInfo, type NetworkInfo, type Program } from '../semantics/program';
import type { DataStmt } from '../syntax/ast';
import { formatNumber } from './format';

/**
 * What the hover says of a data set (what it holds: inputs, targets, how many, from where, and
 * its standardization) and of a network's input standardization.
 */

const plural = (n: number, word: string) => `${groupDigits(n)} ${word}${n === 1 ? '' : 's'}`;

/** The hover of the data set `name` (its declaration, or a `train … on name`). */
export function dataDoc(program: Program, name: string): string | undefined {
  const info = program.data.get(name);
  if (!info) return undefined;
  const from = source(program, info);
  const lines = [`**data ${name}**${shape(info)}`, ...(from.length ? ['', ...from] : [])];
  if (info.stmt.standardize) lines.push('', ...standardizeLines(program, name));
  return lines.join('\n');
}

/** `x` (or `x1`, `x2`) in `function(EXPR, …)`: the input it stands for; undefined for other names. */
export function functionInputDoc(program: Program, stmt: DataStmt, name: string): string | undefined {
  if (stmt.source.kind !== 'function') return undefined;
  const info = program.data.get(stmt.name.text);
  const variables: readonly string[] = info?.stmt === stmt && info.function ? info.function.variables : [...FUNCTION_VARIABLES.one, ...FUNCTION_VARIABLES.two];
  const i = variables.indexOf(name);
  if (i < 0) return undefined;
  const which = variables.length === 2 ? `input ${i + 1} of 2` : 'the input';
  const range = info?.function ? `, from ${formatNumber(info.function.params.from)} to ${formatNumber(info.function.params.to)}` : '';
  return `\`${name}\`: ${which} of the data set \`${stmt.name.text}\`${range}`;
}

function shape(info: DataInfo): string {
  const n = info.samples?.length ?? info.generator?.n ?? sampleCount(info);
  const count = n !== undefined ? ` · ${plural(n, 'sample')}` : '';
  const widths = info.inputWidth !== undefined ? ` · ${plural(info.inputWidth, 'input')}${info.targetWidth !== undefined ? ` → ${plural(info.targetWidth, 'target')}` : ''}` : '';
  return count + widths;
}

/** A function generator's sample count: n for one input, the m × m grid (m = ⌈√n⌉) for two. */
function sampleCount(info: DataInfo): number | undefined {
  const f = info.function;
  if (!f) return undefined;
  if (f.params.inputs === 1) return f.params.n;
  const m = Math.ceil(Math.sqrt(f.params.n));
  return m * m;
}

function source(program: Program, info: DataInfo): string[] {
  const src = info.stmt.source;
  if (src.kind === 'function' && info.function) {
    const { params, variables } = info.function;
    const expr = program.file.text.slice(src.expr.start, src.expr.end).replace(/\s+/g, ' ');
    const target = `target = \`${expr}\`${params.noise > 0 ? ` + ${formatNumber(params.noise)}·N(0, 1) (seed ${params.seed})` : ''}`;
    if (params.inputs === 1) return [`x: ${plural(params.n, 'evenly spaced point')} from ${formatNumber(params.from)} to ${formatNumber(params.to)} · ${target}`];
    const m = Math.ceil(Math.sqrt(params.n));
    return [`${variables.join(', ')}: a ${m} × ${m} grid over [${formatNumber(params.from)}, ${formatNumber(params.to)}]² · ${target}`];
  }
  if (src.kind === 'generator' && info.generator) {
    const g = info.generator;
    return [`\`${g.name}\`: two classes, alternating · noise ${formatNumber(g.noise)} · seed ${g.seed}`];
  }
  if (src.kind === 'file') return [`Read from \`${src.path.value}\` when a run starts.`];
  return [];
}

/** The standardization a `standardize` data set gives each network its first train statement trains on it. */
function standardizeLines(program: Program, name: string): string[] {
  const users = [...program.networks.values()].filter((n) => n.standardization?.data === name);
  const lines = ['`standardize`: each input becomes (x − mean) / std, with the mean and the (population) standard deviation of the training part.'];
  if (users.length === 0) lines.push('', 'No network is trained on it first, so nothing is standardized by it yet.');
  for (const n of users) lines.push('', ...standardizationLines(n));
  return lines;
}

/** A network's input standardization, for its hover and its data set's; empty when it has none. */
export function standardizationLines(info: NetworkInfo): string[] {
  const s = info.standardization;
  if (!s) return [];
  const name = info.stmt.name.text;
  if (!s.stats) {
    const trained = info.network?.standardize;
    if (!trained) return [`\`${name}\` standardizes its inputs by \`${s.data}\`, a CSV file: its statistics are computed when a run reads it; until then probes and evals use the raw inputs.`];
    return [`\`${name}\` standardizes its inputs (statistics of \`${s.data}\`, from the last run):`, '', ...table(info, trained)];
  }
  return [`\`${name}\` standardizes its inputs (statistics of \`${s.data}\`):`, '', ...table(info, s.stats)];
}

function table(info: NetworkInfo, s: { mean: readonly number[]; std: readonly number[] }): string[] {
  const input = info.layers.find((l) => l.kind === 'input')?.name.text ?? 'x';
  const rows = s.mean.map((m, j) => `| ${input}${s.mean.length > 1 ? subscript(j + 1) : ''} | ${formatNumber(m)} | ${formatNumber(s.std[j])} |`);
  const shown = rows.length > 12 ? [...rows.slice(0, 12), `| … | ${rows.length - 12} more | |`] : rows;
  return ['| input | mean | std |', '|---|---|---|', ...shown];
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => '₀₁₂₃₄₅₆₇₈₉'[Number(d)]);
}
