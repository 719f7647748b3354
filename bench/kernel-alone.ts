// One sample of the kernel's large-product GFLOP/s in a process of its own, printed as JSON on
// stdout: `node out/bench/kernelAlone.js MS`. bench/cores.ts starts it pinned to one core
// (taskset), one core after the other and then on every core at once. Bundled by bench/run.js.
import { kernelGflops } from './kernel';

const ms = Number(process.argv[2] ?? 300);
process.stdout.write(JSON.stringify(kernelGflops(Number.isFinite(ms) && ms > 0 ? ms : 300)));
