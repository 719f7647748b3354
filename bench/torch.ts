// Debian's PyTorch as a bench peer (torch_peer.py in a python process that stays up for the
// whole case, so its start-up is never timed): the same weights and data, one thread, in float64
// (NetSpec's arithmetic) or float32.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Network } from '../server/src/engine/network';
import type { Sample } from '../server/src/engine/train';
import type { Case } from './cases';

const PYTHON = process.env.NETSPEC_PYTHON ?? '/usr/bin/python3';

/** true, or why PyTorch is not measured (a benchmark reports a missing peer; it does not fail). */
export function torchAvailable(): true | string {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `not installed (Debian's python3-torch: apt-get install python3-torch)`;
  return true;
}

type Timed = { steps: number; ms: number; cpuMs: number };

/** A bench engine (training.ts's Engine) backed by torch_peer.py. */
export function torchEngine(c: Case, net: Network, data: Sample[], dtype: 'float64' | 'float32') {
  let child: ChildProcess | undefined;
  let lines: AsyncIterator<string> | undefined;
  const start = () => {
    if (child) return;
    // The script sits beside this bench's sources; the bundle runs from out/bench.
    const script = path.join(__dirname, '..', '..', 'bench', 'torch_peer.py');
    child = spawn(PYTHON, [script], { stdio: ['pipe', 'pipe', 'inherit'] });
    lines = readline.createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const rows = (a: Float64Array, M: number, K: number) => Array.from({ length: M }, (_, j) => Array.from(a.subarray(j * K, (j + 1) * K)));
    child.stdin!.write(JSON.stringify({
      widths: c.widths, hidden: c.hidden, output: c.output, loss: c.loss, batch: c.batch, lr: c.lr, dtype, threads: 1,
      W: net.layers.map((l) => rows(l.W, l.inputs, l.units)),
      b: net.layers.map((l) => Array.from(l.b)),
      X: data.map((s) => Array.from(s.input)),
      T: data.map((s) => Array.from(s.target)),
    }) + '\n');
  };
  const ask = async <T>(command: string): Promise<T> => {
    start();
    child!.stdin!.write(command + '\n');
    const next = await lines!.next();
    if (next.done) throw new Error(`torch_peer.py (${dtype}) ended without answering ${command}`);
    return JSON.parse(next.value) as T;
  };
  return {
    name: `torch-${dtype === 'float64' ? 'f64' : 'f32'}`,
    prepare() {},
    run: (ms: number) => ask<Timed>(`run ${ms}`),
    gradients: async () => (await ask<number[][]>('grad')).map((g) => Float64Array.from(g)),
    close() {
      child?.stdin?.end();
      child = undefined;
    },
  };
}
