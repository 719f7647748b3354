import { functionInputs, generate, generateFunction, type DataSample } from '../engine/datasets';
import * as E from '../engine/expr';
import { standardization, type Standardization } from '../engine/network';
import { splitIndices } from '../engine/train';
import type { DataInfo } from './program';

/**
 * What a checked data set holds, computed from its DataInfo: its inputs (for `standardize`),
 * the samples of `function(EXPR, …)`, and the statistics `standardize` rescales by.
 */

/**
 * The inputs of a checked data set in sample order, when they are known without reading a file:
 * inline samples, a generator's points, `function(…)`'s grid. Undefined for a CSV file (read
 * only when a run starts) and for a data set in error.
 */
export function dataInputs(info: DataInfo): number[][] | undefined {
  if (info.samples) return info.samples.map((s) => s.input);
  // The points do not depend on the number of targets (1 or 2): only the labels' form does.
  if (info.generator) return generate(info.generator.name, info.generator, 1).map((s) => s.input);
  if (info.function) return functionInputs(info.function.params);
  return undefined;
}

/**
 * The samples of `function(EXPR, …)` (engine/datasets.ts `generateFunction`), EXPR evaluated at
 * each input in `env` (the file's lets and fns). An EXPR that fails or is not a number at some
 * input gives NaN there; the caller reports the first such target.
 */
export function functionSamples(fn: NonNullable<DataInfo['function']>, env: E.Environment): DataSample[] {
  const names = fn.variables;
  let at: readonly number[] = [];
  const vars = { get: (n: string) => (n === names[0] ? at[0] : n === names[1] ? at[1] : env.vars.get(n)) };
  const inner: E.Environment = { ...env, vars };
  return generateFunction((x) => {
    at = x;
    return E.scalarOrNaN(fn.expr, inner);
  }, fn.params);
}

/**
 * The statistics of `standardize` for a run with `split` and `seed`: the mean and population
 * standard deviation of each input over the run's training part (train.ts `splitIndices`, the
 * same split the run makes), a std of 0 taken as 1 (engine/network.ts `standardization`).
 */
export function trainingStandardization(inputs: readonly (readonly number[])[], split: number, seed: number): Standardization {
  return standardization(inputs, splitIndices(inputs.length, split, seed).train);
}
