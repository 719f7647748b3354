/**
 * The kernel tests' one network and data (test/unit/kernels*.test.ts): what the batch kernels
 * must handle at once — odd widths (padding everywhere), several activations, a softmax hidden
 * layer, a layer without bias — and samples whose targets are distributions over 3 classes.
 */
import { builtinActivation, buildNetwork, type LayerSpec, type Network } from '../../server/src/engine/network';
import type { Sample } from '../../server/src/engine/train';
import { SeededRandom } from './random';

/** 21 inputs, then layers of 13 (tanh), 7 (softmax, no bias), 9 (leaky relu), 5 (sigmoid) and 3 (softmax) units. */
export function kernelNetwork(): Network {
  const layers: LayerSpec[] = [
    { name: 'a', units: 13, activation: builtinActivation('tanh')!, hasBias: true },
    { name: 'b', units: 7, activation: builtinActivation('softmax')!, hasBias: false },
    { name: 'c', units: 9, activation: builtinActivation('leaky_relu', [0.1])!, hasBias: true },
    { name: 'd', units: 5, activation: builtinActivation('sigmoid')!, hasBias: true },
    { name: 'e', units: 3, activation: builtinActivation('softmax')!, hasBias: true },
  ];
  return buildNetwork('k', 21, layers, 'cross_entropy', { scheme: 'xavier', seed: 4 });
}

/** n samples of `kernelNetwork`: inputs uniform in [-2, 2], targets random distributions. */
export function kernelSamples(n: number, seed: number): Sample[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: n }, () => {
    const t = [rng.next(), rng.next(), rng.next()];
    const s = t[0] + t[1] + t[2];
    return { input: Array.from({ length: 21 }, () => rng.uniform(-2, 2)), target: t.map((v) => v / s) };
  });
}
