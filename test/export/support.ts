/**
 * Shared by the export tests: exporting in-process as the CLI does, running exported programs
 * with Debian's python (several per interpreter), and comparing their JSON with `netspec train`'s.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { exportPyTorch } from '../../server/src/export/pytorch';
import { prepareJob } from '../../server/src/runs/jobs';
import { diskFiles } from '../../server/src/runs/files-node';
import { decodeNumbers, PYTHON, requireTorch, TORCH_MISSING, type CliJson, type Discrepancies, type TrainRunJson } from '../oracle/oracle';
import { repoRoot } from '../support/paths';

/** Every `train` statement of a spec (in file order) exported, as `netspec export` writes it. */
export function exportAll(specFile: string, text: string): { network: string; source: string }[] {
  const a = analyze(text);
  const errors = a.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`the spec has errors: ${errors.map((d) => d.message).join('; ')}`);
  const cache = new Map();
  return a.program.trains.map((info) => {
    const job = prepareJob(specFile, a, info, cache, diskFiles);
    const source = exportPyTorch({ file: specFile, program: a.program, info: job.info, line: job.line, network: job.network, dataName: job.dataName, data: job.data, version: 'test' });
    return { network: job.network.name, source };
  });
}

export interface PythonRun {
  script: string;
  args: string[];
  /** Load this checkpoint back after the run (as the README shows) and return its layers. */
  checkpoint?: string;
}

export interface PythonResult {
  /** The program's JSON, "NaN"/"Infinity" decoded: what `netspec train --json` prints. */
  json: CliJson;
  checkpoint?: { layers: Record<string, { W: number[][]; b: number[] | null }>; epochs: number };
}

/** Runs exported programs in one python process (run_exports.py); each with `--json` among its args. */
export function runPrograms(runs: PythonRun[]): PythonResult[] {
  requireTorch();
  const harness = path.join(repoRoot(), 'test', 'export', 'run_exports.py');
  const r = spawnSync(PYTHON, [harness], { input: JSON.stringify({ runs }), encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.error) throw new Error(`cannot run ${PYTHON}: ${r.error.message}`);
  if (r.status === 3) throw new Error(TORCH_MISSING);
  if (r.status !== 0) throw new Error(`the exported programs failed (exit ${r.status}):\n${r.stderr}`);
  const results = JSON.parse(r.stdout).results as { stdout: string; checkpoint: PythonResult['checkpoint'] | null }[];
  return results.map((x) => ({ json: decodeNumbers(JSON.parse(x.stdout)) as CliJson, checkpoint: x.checkpoint ?? undefined }));
}

/** Runs one program as a process of its own; resolves with its exit code and output. */
export function runProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  requireTorch();
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A TCP port nobody listens on now (for MASTER_PORT). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * One run of the exported program against `netspec train --json`'s: the same keys with the same
 * counts, and every number within 1e-9 relative (oracle.ts's rule).
 */
export function compareRuns(found: Discrepancies, what: string, got: TrainRunJson | undefined, want: TrainRunJson | undefined): void {
  if (!got || !want) {
    found.add(`${what}: missing run (got ${JSON.stringify(got)?.slice(0, 200)})`);
    return;
  }
  const keys = (o: object) => Object.keys(o).sort().join(' ');
  if (keys(got) !== keys(want)) found.add(`${what}: keys ${keys(got)} instead of ${keys(want)}`);
  for (const k of ['network', 'data', 'line', 'epochs', 'train_samples', 'test_samples', 'batch', 'steps']) {
    if (got[k] !== want[k]) found.add(`${what}: ${k} ${got[k]} instead of ${want[k]}`);
  }
  if (JSON.stringify(got.diverged) !== JSON.stringify(want.diverged)) found.add(`${what}: diverged ${JSON.stringify(got.diverged)} instead of ${JSON.stringify(want.diverged)}`);
  for (const k of ['loss', 'final_loss', 'test_loss', 'final_test_loss', 'lr', 'rmse', 'r2']) {
    if (want[k] !== undefined) found.check(`${what}: ${k}`, got[k], want[k]);
  }
  for (const k of ['stopped_early', 'epoch_accuracy', 'final_accuracy', 'test_accuracy', 'final_test_accuracy', 'confusion', 'accuracy']) {
    if (JSON.stringify(got[k]) !== JSON.stringify(want[k])) found.add(`${what}: ${k} ${JSON.stringify(got[k])} instead of ${JSON.stringify(want[k])}`);
  }
  if ((got.test === undefined) !== (want.test === undefined)) found.add(`${what}: test ${JSON.stringify(got.test)} instead of ${JSON.stringify(want.test)}`);
  else if (want.test) {
    if (keys(got.test!) !== keys(want.test)) found.add(`${what}: test's keys ${keys(got.test!)} instead of ${keys(want.test)}`);
    for (const k of ['rmse', 'r2'] as const) if (want.test[k] !== undefined) found.check(`${what}: test.${k}`, got.test![k], want.test[k]);
    for (const k of ['confusion', 'accuracy'] as const) {
      if (JSON.stringify(got.test![k]) !== JSON.stringify(want.test[k])) found.add(`${what}: test.${k} ${JSON.stringify(got.test![k])} instead of ${JSON.stringify(want.test[k])}`);
    }
  }
  for (const [name, layer] of Object.entries(want.layers as Record<string, { W: number[][]; b: number[] | null }>)) {
    const g = got.layers?.[name];
    if (!g) {
      found.add(`${what}: no layer ${name}`);
      continue;
    }
    found.check(`${what}: ${name}.W`, g.W, layer.W);
    if (layer.b === null) {
      if (g.b !== null) found.add(`${what}: ${name}.b should be null (nobias)`);
    } else found.check(`${what}: ${name}.b`, g.b, layer.b);
  }
}
