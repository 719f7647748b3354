// What the machine's cores give the kernel, each alone and all at once: the ceiling of a threaded
// run's share. The share divides by threads × the kernel's GFLOP/s on the run's own core; on a
// virtual machine whose cores do not run alike (one slower, or slowed when the other works), two
// threads cannot reach that however the work is cut. Linux only (taskset, util-linux).
import { execFileSync, spawn } from 'node:child_process';

/** The kernel's GFLOP/s on each core (by its number), alone, then with every core at work at once, each on its own product. */
export interface CoreKernels {
  cpus: number[];
  alone: number[];
  together: number[];
}

/**
 * The cores this process may run on, from `taskset -cp` ("pid 42's current affinity list:
 * 0,2-3"), or the reason they cannot be pinned.
 */
export function pinnableCores(): number[] | string {
  if (process.platform !== 'linux') return 'pinning a process to a core needs Linux (taskset)';
  let out: string;
  try {
    out = execFileSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  } catch {
    return 'taskset is missing (Debian: apt-get install util-linux)';
  }
  return parseCpuList(out.slice(out.lastIndexOf(':') + 1));
}

/** "0,2-3" → [0, 2, 3]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const piece of list.trim().split(',')) {
    const [from, to] = piece.split('-').map(Number);
    for (let c = from; c <= (to ?? from); c++) cpus.push(c);
  }
  return cpus;
}

/** One kernel sample (bench/kernel-alone.ts, bundled as `script`) in a process pinned to `cpu`. */
function pinnedSample(script: string, cpu: number, ms: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', ['-c', String(cpu), process.execPath, script, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const g = Number(out);
      if (code === 0 && Number.isFinite(g)) resolve(g);
      else reject(new Error(`the kernel pinned to core ${cpu} exited with ${code}: ${out.slice(0, 200)}`));
    });
  });
}

/** Each core's kernel alone (one after the other), then every core's at once, each timed for about `ms` a size. */
export async function coreKernels(script: string, cpus: number[], ms: number): Promise<CoreKernels> {
  const alone: number[] = [];
  for (const cpu of cpus) alone.push(await pinnedSample(script, cpu, ms));
  return { cpus, alone, together: await coresAtOnce(script, cpus, ms) };
}

/** Every core's kernel at once, each on its own product, each timed for about `ms` a size. */
export function coresAtOnce(script: string, cpus: number[], ms: number): Promise<number[]> {
  return Promise.all(cpus.map((cpu) => pinnedSample(script, cpu, ms)));
}
