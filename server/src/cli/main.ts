import * as fs from 'fs';
import { analyze, type FileAnalysis } from '../analysis/analyze';
import { formatMatrix, formatNumber, formatValue } from '../analysis/format';
import { toJson } from './json';

/**
 * `netspec check | eval | grad`: the language without an editor. Exit codes: 0 success, 1 a
 * checked file has errors, 2 a usage or I/O error (with a message on stderr, never a stack trace).
 */

const USAGE = `Usage:
  netspec check FILE... [--json]   report syntax, name, shape and numeric problems
  netspec eval FILE [--json]       print the value of every \`eval\`
  netspec grad FILE [--json]       print output, loss, dE/dW, dE/db and delta of every \`probe\`
  netspec --help | --version`;

class UsageError extends Error {}

interface Io {
  out(s: string): void;
  err(s: string): void;
}

export function main(argv: string[], io: Io): number {
  try {
    return run(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`netspec: ${err.message}\n${USAGE}\n`);
      return 2;
    }
    io.err(`netspec: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}

function run(argv: string[], io: Io): number {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  if (args.includes('--help') || args.includes('-h')) {
    io.out(USAGE + '\n');
    return 0;
  }
  if (args.includes('--version')) {
    io.out(`netspec ${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = args;
  const unknownFlag = rest.find((a) => a.startsWith('-'));
  if (unknownFlag) throw new UsageError(`unknown option ${unknownFlag}`);
  if (!command) throw new UsageError('no command given');
  switch (command) {
    case 'check': {
      if (rest.length === 0) throw new UsageError('check needs at least one file');
      const files = readAll(rest, io);
      if (!files) return 2;
      return check(files, json, io);
    }
    case 'eval':
    case 'grad': {
      if (rest.length !== 1) throw new UsageError(`${command} takes exactly one file`);
      const files = readAll(rest, io);
      if (!files) return 2;
      const [file] = files;
      const a = analyze(file.text);
      printDiagnostics(file.name, a, io, 'stderr');
      if (command === 'eval') printEvals(file.name, a, json, io);
      else printProbes(file.name, a, json, io);
      return hasErrors(a) ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

declare const NETSPEC_VERSION: string | undefined;
const VERSION = typeof NETSPEC_VERSION === 'string' ? NETSPEC_VERSION : '0.1.0';

function readAll(paths: string[], io: Io): { name: string; text: string }[] | undefined {
  const files: { name: string; text: string }[] = [];
  for (const p of paths) {
    try {
      if (fs.statSync(p).isDirectory()) {
        io.err(`netspec: ${p} is a directory, not a file\n`);
        return undefined;
      }
      files.push({ name: p, text: fs.readFileSync(p, 'utf8') });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
      io.err(`netspec: cannot read ${p}: ${why}\n`);
      return undefined;
    }
  }
  return files;
}

const hasErrors = (a: FileAnalysis) => a.diagnostics.some((d) => d.severity === 'error');

function check(files: { name: string; text: string }[], json: boolean, io: Io): number {
  const analyses = files.map((f) => ({ file: f.name, a: analyze(f.text) }));
  if (json) {
    io.out(toJson({
      files: analyses.map(({ file, a }) => ({
        file,
        diagnostics: a.diagnostics.map((d) => ({
          severity: d.severity, code: d.code, message: d.message, range: d.range,
          ...(d.suggestion ? { suggestion: d.suggestion } : {}),
        })),
      })),
    }) + '\n');
  } else {
    let errors = 0;
    let warnings = 0;
    for (const { file, a } of analyses) {
      printDiagnostics(file, a, io, 'stdout');
      errors += a.diagnostics.filter((d) => d.severity === 'error').length;
      warnings += a.diagnostics.filter((d) => d.severity === 'warning').length;
    }
    io.out(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
  }
  return analyses.some(({ a }) => hasErrors(a)) ? 1 : 0;
}

/** `file:line:col: severity [code] message`, 1-based as compilers print them, with the suggestion. */
function printDiagnostics(file: string, a: FileAnalysis, io: Io, to: 'stdout' | 'stderr'): void {
  const write = to === 'stdout' ? io.out : io.err;
  for (const d of a.diagnostics) {
    const { line, character } = d.range.start;
    write(`${file}:${line + 1}:${character + 1}: ${d.severity} [${d.code}] ${d.message}\n`);
    // Control characters would garble the terminal; each becomes one U+FFFD, keeping the caret aligned.
    const src = a.lines.lineText(line).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd');
    if (src.length <= 200) {
      const width = d.range.end.line === line ? Math.max(1, d.range.end.character - character) : Math.max(1, src.length - character);
      write(`  ${src}\n  ${' '.repeat(character)}${'^'.repeat(width)}\n`);
    }
  }
}

function printEvals(file: string, a: FileAnalysis, json: boolean, io: Io): void {
  if (json) {
    io.out(toJson({ file, results: a.evals.map((r) => ({ line: r.line, expr: r.expr, value: r.value ?? null, ...(r.error ? { error: r.error } : {}) })) }) + '\n');
    return;
  }
  for (const r of a.evals) {
    io.out(`${file}:${r.line}: ${r.expr} = ${r.value !== undefined ? formatValue(r.value, 10) : `(error: ${r.error})`}\n`);
  }
}

function printProbes(file: string, a: FileAnalysis, json: boolean, io: Io): void {
  if (json) {
    io.out(toJson({
      file,
      probes: a.probes.map((p) => ({
        line: p.line,
        network: p.network,
        ...(p.result
          ? {
              output: p.result.output,
              loss: p.result.loss,
              layers: Object.fromEntries(p.result.layers.map((l) => [l.name, { dW: l.dW, db: l.db ?? null, delta: l.delta }])),
            }
          : { output: null, loss: null, layers: {}, error: p.error }),
      })),
    }) + '\n');
    return;
  }
  for (const p of a.probes) {
    io.out(`${file}:${p.line}: probe ${p.network}\n`);
    if (!p.result) {
      io.out(`  (error: ${p.error})\n`);
      continue;
    }
    io.out(`  output ${formatValue(p.result.output)}   loss E = ${formatNumber(p.result.loss, 10)}\n`);
    for (const l of p.result.layers) {
      io.out(`  layer ${l.name}\n    delta = dE/dz  ${formatValue(l.delta)}\n`);
      if (l.db) io.out(`    dE/db          ${formatValue(l.db)}\n`);
      io.out(`    dE/dW [${l.dW.length}][${l.delta.length}]:\n${formatMatrix(l.dW, '      ')}\n`);
    }
  }
}

if (require.main === module) {
  // `netspec … | head` closes the pipe early; that is not an error worth a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    });
  }
  const code = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
  process.exitCode = code;
}
