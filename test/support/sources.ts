/**
 * What the tests read of the repository's own files: the source files of a folder and their
 * imports (for the tests that hold the code to ARCHITECTURE.md's layering and protocol rules),
 * and the corpus of NetSpec files (the examples and the golden cases) that many tests run over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';

/** Every file under `dir` (relative to the repository root) whose name ends with one of `ends`, relative to the root. */
export function sourceFiles(dir: string, ...ends: string[]): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(repoRoot(), dir), { withFileTypes: true })) {
    const rel = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(rel, ...ends));
    else if (ends.some((e) => entry.name.endsWith(e))) out.push(rel);
  }
  return out;
}

/** A file's text, by its path relative to the repository root. */
export function readSource(rel: string): string {
  return fs.readFileSync(path.join(repoRoot(), rel), 'utf8');
}

/** A module a source file loads: `import … from`, `export … from` or `require(…)`, and whether only types. */
export interface Import {
  from: string;
  typeOnly: boolean;
}

export function importsOf(source: string): Import[] {
  return [...source.matchAll(/^(?:import|export) (type )?[^;]*? from '([^']+)';|require\('([^']+)'\)/gms)]
    .map((m) => ({ from: m[2] ?? m[3], typeOnly: !!m[1] }));
}

/** A NetSpec file of the corpus: its path relative to the repository root, and its text. */
export interface SpecFile {
  name: string;
  text: string;
}

/** The examples, then the golden cases, each folder sorted: the files that say something. */
export function specCorpus(): SpecFile[] {
  return [path.join('examples'), path.join('test', 'golden', 'cases')].flatMap((dir) =>
    fs.readdirSync(path.join(repoRoot(), dir)).filter((f) => f.endsWith('.netspec')).sort()
      .map((f) => ({ name: path.join(dir, f), text: readSource(path.join(dir, f)) })));
}
