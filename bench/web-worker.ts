// The browser bench's training worker (out/bench/web/worker.js, an iife for a dedicated Web
// Worker): times the engine's Trainer on the bench's networks with exactly the loop the Node side
// times (steps.ts), one request at a time, so the page can alternate it with Node's runs.
import { CASES } from './cases';
import { timedSteps, trainerSteps, useKernels, type StepsReply, type StepsRequest, type TrainerSteps } from './steps';

/** The little of a dedicated worker's global scope used here (the project's lib has no DOM types). */
interface WorkerScope {
  postMessage(message: StepsReply): void;
  addEventListener(type: 'message', listener: (e: { data: StepsRequest }) => void): void;
}

const scope = globalThis as unknown as WorkerScope;
/** One trainer per case, kept from request to request: warm, like a run in progress. */
const trainers = new Map<string, TrainerSteps>();

scope.addEventListener('message', ({ data: request }) => {
  try {
    if (request.kind === 'kernels') {
      trainers.clear();
      scope.postMessage({ kind: 'kernels', kernels: useKernels(request.mode) });
      return;
    }
    const c = CASES.find((x) => x.id === request.id);
    if (!c) throw new Error(`no bench case ${request.id}`);
    let t = trainers.get(c.id);
    if (!t) trainers.set(c.id, (t = trainerSteps(c)));
    const steps = t;
    const timed = timedSteps(request.ms, () => steps.epoch());
    scope.postMessage({ kind: 'timed', kernels: steps.kernels(), ...timed });
  } catch (err) {
    scope.postMessage({ kind: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  }
});
