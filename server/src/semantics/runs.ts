import { FUNCTION_DEFAULTS, GENERATOR_DEFAULTS, functionInputs, type FunctionParams, type GeneratorName } from '../engine/datasets';
import * as E from '../engine/expr';
import { describeShape, type Value } from '../engine/value';
import { TRAIN_DEFAULTS, type Precision } from '../engine/train';
import type { Schedule } from '../engine/schedules';
import type * as ast from '../syntax/ast';
import { LIMITS } from './limits';
import { capitalise } from './diagnostic';
import { constant, integer, NO_PARAMS, number, tryLower, vector } from './lowering';
import { FUNCTION_ARGS, FUNCTION_VARIABLES, GENERATOR_ARGS, GENERATORS, OPTIMIZERS, PRECISIONS, SCHEDULES, TRAIN_OPTIONS, type DataInfo, type NetworkInfo, type OptimizerSpec, type ProbeInfo, type TrainInfo } from './program';
import { Spoiled, type CheckContext } from './scope';

/**
 * The checks of what runs a network: `data` (inline samples, a generator, a CSV file), `probe`
 * (one forward and backward pass) and `train` (a network, a data set and the optimiser's
 * options, with their defaults).
 */

export function checkData(cx: CheckContext, stmt: ast.DataStmt): DataInfo {
  const info: DataInfo = { stmt };
  const src = stmt.source;
  if (src.kind === 'inline') {
    if (src.samples.length > LIMITS.maxInlineSamples) {
      cx.error('too-many-samples', stmt.name, `\`${stmt.name.text}\` has ${src.samples.length} samples written out; the limit is ${LIMITS.maxInlineSamples}. Use \`data … from "file.csv"\`.`);
      return info;
    }
    if (src.samples.length === 0) {
      cx.error('empty-data', stmt.name, `\`${stmt.name.text}\` has no samples; write one per line, as in \`[0, 1] -> [1]\`.`);
      return info;
    }
    const samples: { input: number[]; target: number[] }[] = [];
    let ok = true;
    for (const s of src.samples) {
      const input = vector(cx, s.input, 'a sample\'s input', info.inputWidth);
      const target = vector(cx, s.target, 'a sample\'s target', info.targetWidth);
      if (!input || !target) {
        ok = false;
        continue;
      }
      info.inputWidth ??= input.length;
      info.targetWidth ??= target.length;
      samples.push({ input, target });
    }
    if (ok) info.samples = samples;
    return info;
  }
  if (src.kind === 'function') return checkFunctionData(cx, src, info);
  const args = src.args;
  const seenArgs = new Set<string>();
  if (src.kind === 'generator') {
    let valid = (GENERATORS as readonly string[]).includes(src.generator.text);
    if (src.generator.text === 'function') {
      cx.error('syntax', src.generator, '`function` takes an expression of x first, as in `function(tanh(x), n: 100, from: -3, to: 3)`.');
    } else if (!valid) {
      cx.unknown('unknown-generator', 'generator', src.generator, [...GENERATORS, 'function'], ' The generators are xor, circle, spiral, gauss, moons and function(EXPR, …).');
    }
    info.inputWidth = 2;
    const params = { ...GENERATOR_DEFAULTS };
    for (const a of args) {
      if (seenArgs.has(a.name.text)) {
        cx.error('duplicate-setting', a.name, `\`${a.name.text}\` is given twice.`);
        valid = false;
      }
      seenArgs.add(a.name.text);
      if (!(GENERATOR_ARGS as readonly string[]).includes(a.name.text)) {
        cx.unknown('unknown-argument', 'argument', a.name, GENERATOR_ARGS, ' A generator takes n, noise and seed.');
        valid = false;
        continue;
      }
      let v: number | undefined;
      if (a.name.text === 'n') v = integer(cx, a.value, 'n', 1, LIMITS.maxInlineSamples * 10);
      else if (a.name.text === 'seed') v = integer(cx, a.value, 'the seed', 0, LIMITS.maxSeed);
      else {
        v = number(cx, a.value, 'the noise');
        if (v !== undefined && v < 0) {
          cx.error('out-of-range', a.value, `The noise must be 0 or more, not ${v}.`);
          v = undefined;
        }
      }
      if (v === undefined) valid = false;
      else params[a.name.text as 'n' | 'noise' | 'seed'] = v;
    }
    if (valid) info.generator = { name: src.generator.text as GeneratorName, ...params };
  } else {
    for (const a of args) {
      if (a.name.text !== 'targets') {
        cx.unknown('unknown-argument', 'argument', a.name, ['targets'], ' A CSV file takes `targets: N`.');
        continue;
      }
      const t = integer(cx, a.value, 'targets', 1, LIMITS.maxUnits);
      if (t !== undefined) info.targetWidth = t;
    }
  }
  return info;
}

/**
 * `function(EXPR, n:, from:, to:, noise:, seed:)`: EXPR is lowered with the inputs as free
 * variables — `x` alone, or `x1` and `x2` (a grid) — and every other name means what it means
 * anywhere (lets, fns, built-ins). One sample is evaluated here, so that an EXPR that is not a
 * number is reported while typing.
 */
function checkFunctionData(cx: CheckContext, src: ast.FunctionData, info: DataInfo): DataInfo {
  const names = new Set<string>();
  const stack: ast.Expr[] = [src.expr];
  while (stack.length) {
    const e = stack.pop()!;
    if (e.kind === 'name') names.add(e.name.text);
    else if (e.kind === 'call') stack.push(...e.args);
    else if (e.kind === 'unary') stack.push(e.operand);
    else if (e.kind === 'binary') stack.push(e.left, e.right);
    else if (e.kind === 'vector') stack.push(...e.items);
  }
  const two = names.has('x1') || names.has('x2');
  let valid = true;
  if (two && names.has('x')) {
    cx.error('function-inputs', src.expr, 'The expression uses `x` and `x1`/`x2`: write it of `x` for one input, or of `x1` and `x2` for two.');
    valid = false;
  }
  const variables: readonly string[] = two ? FUNCTION_VARIABLES.two : FUNCTION_VARIABLES.one;
  info.inputWidth = variables.length;
  info.targetWidth = 1;
  const expr = valid ? tryLower(cx, src.expr, new Set(variables)) : undefined;
  const params: FunctionParams = { inputs: two ? 2 : 1, ...FUNCTION_DEFAULTS };
  const seen = new Set<string>();
  /** The arguments whose value is in error: `from`/`to` are compared only when both are fine. */
  const failed = new Set<string>();
  for (const a of src.args) {
    const name = a.name.text;
    if (seen.has(name)) {
      cx.error('duplicate-setting', a.name, `\`${name}\` is given twice.`);
      valid = false;
    }
    seen.add(name);
    if (!(FUNCTION_ARGS as readonly string[]).includes(name)) {
      cx.unknown('unknown-argument', 'argument', a.name, FUNCTION_ARGS, ' function(EXPR, …) takes n, from, to, noise and seed.');
      valid = false;
      continue;
    }
    let v: number | undefined;
    if (name === 'n') v = integer(cx, a.value, '`n` (the number of samples)', 1, LIMITS.maxInlineSamples * 10);
    else if (name === 'seed') v = integer(cx, a.value, 'the seed', 0, LIMITS.maxSeed);
    else if (name === 'noise') {
      v = number(cx, a.value, 'the noise');
      if (v !== undefined && v < 0) {
        cx.error('out-of-range', a.value, `The noise is the standard deviation of the noise on the target: 0 or more, not ${v}.`);
        v = undefined;
      }
    } else v = number(cx, a.value, `\`${name}\``);
    if (v === undefined) {
      valid = false;
      failed.add(name);
    } else params[name as 'n' | 'from' | 'to' | 'noise' | 'seed'] = v;
  }
  if (!failed.has('from') && !failed.has('to') && !(params.from < params.to)) {
    const at = src.args.find((a) => a.name.text === 'to') ?? src.args.find((a) => a.name.text === 'from') ?? src.keyword;
    const span = 'value' in at ? at.value : at;
    cx.error('out-of-range', span, `The inputs run from \`from\` to \`to\`, so \`from\` (${params.from}) must be below \`to\` (${params.to}).`);
    valid = false;
  }
  if (!expr) return info;
  // One sample, at the first input: an expression that is not a number is a mistake of the file,
  // reported even when an argument is in error too (they are independent).
  const first = functionInputs({ ...params, n: 1 })[0];
  const vars = new Map(variables.map((v, i) => [v, first[i]]));
  const outer = cx.env;
  let value: Value;
  try {
    value = E.evaluate(expr, { ...outer, vars: { get: (n) => vars.get(n) ?? outer.vars.get(n) } });
  } catch (err) {
    // A let the expression reads is in error: reported at the let, the data set is spoiled.
    if (err instanceof Spoiled) return info;
    if (!(err instanceof E.EvalError)) throw err;
    cx.error('eval', cx.spans.get(err.node) ?? src.expr, capitalise(err.message) + '.');
    return info;
  }
  if (typeof value !== 'number') {
    cx.error('type', src.expr, `The expression gives ${describeShape(value)}; \`function(…)\` needs a number (the target) for each input.`);
    return info;
  }
  if (!valid) return info;
  info.function = { expr, variables, params };
  return info;
}

export function checkProbe(cx: CheckContext, stmt: ast.ProbeStmt): ProbeInfo {
  const info: ProbeInfo = { stmt };
  const d = cx.declarations.get(stmt.network.text);
  if (d?.kind !== 'network') {
    const names = [...cx.declarations.values()].filter((x) => x.kind === 'network').map((x) => x.name.text);
    if (d) cx.error('not-a-network', stmt.network, `\`${stmt.network.text}\` is a ${d.kind}, not a network.`);
    else cx.unknown('unknown-network', 'network', stmt.network, names);
    constant(cx, stmt.input, NO_PARAMS);
    constant(cx, stmt.target, NO_PARAMS);
    return info;
  }
  const net = cx.network(stmt.network.text);
  // A network with a syntax error may be missing layers: its widths are not to be trusted.
  const layers = net && !net.stmt.incomplete ? net.layers : [];
  const inputWidth = layers.find((l) => l.kind === 'input')?.units;
  const dense = layers.filter((l) => l.kind === 'dense');
  const outWidth = dense.length ? dense[dense.length - 1].units : undefined;
  info.input = vector(cx, stmt.input, `the probe's input (the input layer of \`${stmt.network.text}\`)`, inputWidth);
  info.target = vector(cx, stmt.target, `the probe's target (the output layer of \`${stmt.network.text}\`)`, outWidth);
  return info;
}

export function checkTrain(cx: CheckContext, stmt: ast.TrainStmt, data: ReadonlyMap<string, DataInfo>): TrainInfo {
  const info: TrainInfo = { stmt, ...TRAIN_DEFAULTS };
  const netDecl = cx.declarations.get(stmt.network.text);
  let net: NetworkInfo | undefined;
  if (netDecl?.kind !== 'network') {
    if (netDecl) cx.error('not-a-network', stmt.network, `\`${stmt.network.text}\` is a ${netDecl.kind}, not a network.`);
    else cx.unknown('unknown-network', 'network', stmt.network, [...cx.declarations.values()].filter((x) => x.kind === 'network').map((x) => x.name.text));
  } else net = cx.network(stmt.network.text);
  const dataDecl = cx.declarations.get(stmt.data.text);
  let set: DataInfo | undefined;
  if (dataDecl?.kind !== 'data') {
    if (dataDecl) cx.error('not-data', stmt.data, `\`${stmt.data.text}\` is a ${dataDecl.kind}, not a data set.`);
    else cx.unknown('unknown-data', 'data set', stmt.data, [...cx.declarations.values()].filter((x) => x.kind === 'data').map((x) => x.name.text));
  } else set = data.get(stmt.data.text) ?? cx.dataOf(dataDecl.stmt, data);

  if (net && set && !net.stmt.incomplete) {
    const inputWidth = net.layers.find((l) => l.kind === 'input')?.units;
    const dense = net.layers.filter((l) => l.kind === 'dense');
    const outWidth = dense.length ? dense[dense.length - 1].units : undefined;
    if (inputWidth !== undefined && set.inputWidth !== undefined && inputWidth !== set.inputWidth) {
      cx.error('shape', stmt.data, `The samples of \`${stmt.data.text}\` have ${set.inputWidth} input${set.inputWidth === 1 ? '' : 's'}, but \`${stmt.network.text}\` takes ${inputWidth}.`);
    }
    if (outWidth !== undefined && set.targetWidth !== undefined && outWidth !== set.targetWidth) {
      cx.error('shape', stmt.data, `The samples of \`${stmt.data.text}\` have ${set.targetWidth} target${set.targetWidth === 1 ? '' : 's'}, but \`${stmt.network.text}\` has ${outWidth} output${outWidth === 1 ? '' : 's'}.`);
    }
  }

  const seen = new Set<string>();
  for (const opt of stmt.options) {
    const name = opt.name.text;
    if (!(TRAIN_OPTIONS as readonly string[]).includes(name)) {
      cx.unknown('unknown-option', 'training option', opt.name, TRAIN_OPTIONS, ' The options are optimizer, learning_rate, epochs, batch, seed, split, l2, l1, schedule, patience and precision.');
      continue;
    }
    if (seen.has(name)) {
      cx.error('duplicate-setting', opt.name, `\`${name}\` is already set in this train block.`);
      continue;
    }
    seen.add(name);
    switch (name) {
      case 'optimizer': {
        const o = resolveOptimizer(cx, opt.value);
        if (o) info.optimizer = o;
        break;
      }
      case 'learning_rate': {
        const v = number(cx, opt.value, 'the learning rate');
        if (v !== undefined && v <= 0) cx.error('out-of-range', opt.value, `The learning rate must be above 0, not ${v}.`);
        else if (v !== undefined) info.learningRate = v;
        break;
      }
      case 'epochs': info.epochs = integer(cx, opt.value, 'epochs', 1, LIMITS.maxEpochs) ?? info.epochs; break;
      case 'batch': info.batch = integer(cx, opt.value, 'the batch size', 1, Number.MAX_SAFE_INTEGER) ?? info.batch; break;
      case 'seed': info.seed = integer(cx, opt.value, 'the seed', 0, LIMITS.maxSeed) ?? info.seed; break;
      case 'split': {
        const v = number(cx, opt.value, 'the split');
        if (v !== undefined && !(v > 0 && v <= 1)) cx.error('out-of-range', opt.value, `The split is the fraction kept for training: above 0 and at most 1, not ${v}.`);
        else if (v !== undefined) info.split = v;
        break;
      }
      case 'l2': {
        const v = number(cx, opt.value, 'l2');
        if (v !== undefined && v < 0) cx.error('out-of-range', opt.value, `l2 (weight decay) must be 0 or more, not ${v}.`);
        else if (v !== undefined) info.l2 = v;
        break;
      }
      case 'l1': {
        const v = number(cx, opt.value, 'l1');
        if (v !== undefined && v < 0) cx.error('out-of-range', opt.value, `l1 (the weight of λ·Σ|w| in the loss) must be 0 or more, not ${v}.`);
        else if (v !== undefined) info.l1 = v;
        break;
      }
      case 'schedule': {
        const s = resolveSchedule(cx, opt.value);
        if (s) info.schedule = s;
        break;
      }
      case 'patience': info.patience = integer(cx, opt.value, 'the patience (epochs without a new lowest loss)', 1, LIMITS.maxEpochs) ?? info.patience; break;
      case 'precision': info.precision = resolvePrecision(cx, opt.value) ?? info.precision; break;
    }
  }
  return info;
}

/** Other spellings of the two precisions, offered as what was meant. */
const PRECISION_ALIASES: Readonly<Record<string, Precision>> = { f32: 'float32', fp32: 'float32', single: 'float32', float: 'float32', f64: 'float64', fp64: 'float64', double: 'float64' };

/** `float64` or `float32`: a name, one of PRECISIONS. */
function resolvePrecision(cx: CheckContext, e: ast.Expr): Precision | undefined {
  const hint = ' The precisions are float64 (the default) and float32.';
  if (e.kind !== 'name') {
    cx.error('type', e, `The precision is float64 or float32, as in \`precision float32\`.`);
    return undefined;
  }
  const text = e.name.text;
  if ((PRECISIONS as readonly string[]).includes(text)) return text as Precision;
  const alias = PRECISION_ALIASES[text.toLowerCase()];
  if (alias) cx.error('unknown-precision', e.name, `Unknown precision \`${text}\`. Did you mean \`${alias}\`?${hint}`, alias);
  else cx.unknown('unknown-precision', 'precision', e.name, PRECISIONS, hint);
  return undefined;
}

/**
 * `step(N, G)` (StepLR: the rate times G every N epochs), `exponential(G)` (ExponentialLR) or
 * `cosine(T)` (CosineAnnealingLR, η_min = 0): N and T whole numbers of epochs from 1, G above 0.
 */
function resolveSchedule(cx: CheckContext, e: ast.Expr): Schedule | undefined {
  const name = e.kind === 'name' ? e.name : e.kind === 'call' && e.primes === 0 ? e.callee : undefined;
  const forms = 'step(N, G), exponential(G) or cosine(T)';
  if (!name) {
    cx.error('type', e, `The schedule is ${forms}, as in \`schedule step(10, 0.5)\`.`);
    return undefined;
  }
  if (!(SCHEDULES as readonly string[]).includes(name.text)) {
    cx.unknown('unknown-schedule', 'schedule', name, SCHEDULES, ` The schedules are ${forms}.`);
    return undefined;
  }
  const args = e.kind === 'call' ? e.args : [];
  const usage = { step: 'step(N, G): the rate times G every N epochs, as in step(10, 0.5)', exponential: 'exponential(G): the rate times G every epoch, as in exponential(0.95)', cosine: 'cosine(T): from the learning rate down to 0 over T epochs, as in cosine(100)' }[name.text as Schedule['kind']];
  const want = name.text === 'step' ? 2 : 1;
  if (args.length !== want) {
    cx.error('arity', e, `\`${name.text}\` takes ${want === 2 ? 'two parameters' : 'one parameter'}: ${usage}.`);
    return undefined;
  }
  const epochs = (a: ast.Expr, what: string) => integer(cx, a, what, 1, LIMITS.maxEpochs);
  const gamma = (a: ast.Expr) => {
    const v = number(cx, a, 'gamma');
    if (v !== undefined && !(v > 0)) {
      cx.error('out-of-range', a, `Gamma, the factor the learning rate is multiplied by, must be above 0, not ${v}.`);
      return undefined;
    }
    return v;
  };
  switch (name.text as Schedule['kind']) {
    case 'step': {
      const n = epochs(args[0], 'the step size N (epochs between two decays)');
      const g = gamma(args[1]);
      return n === undefined || g === undefined ? undefined : { kind: 'step', stepSize: n, gamma: g };
    }
    case 'exponential': {
      const g = gamma(args[0]);
      return g === undefined ? undefined : { kind: 'exponential', gamma: g };
    }
    case 'cosine': {
      const t = epochs(args[0], 'the period T (epochs from the learning rate down to 0)');
      return t === undefined ? undefined : { kind: 'cosine', tMax: t };
    }
  }
}

function resolveOptimizer(cx: CheckContext, e: ast.Expr): OptimizerSpec | undefined {
  const name = e.kind === 'name' ? e.name : e.kind === 'call' && e.primes === 0 ? e.callee : undefined;
  if (!name) {
    cx.error('type', e, 'The optimizer is sgd, momentum(0.9) or adam(0.9, 0.999).');
    return undefined;
  }
  const args = e.kind === 'call' ? e.args : [];
  if (!(OPTIMIZERS as readonly string[]).includes(name.text)) {
    cx.unknown('unknown-optimizer', 'optimizer', name, OPTIMIZERS, ' The optimizers are sgd, momentum(m) and adam(b1, b2).');
    return undefined;
  }
  const fraction = (a: ast.Expr, what: string) => {
    const v = number(cx, a, what);
    if (v !== undefined && !(v >= 0 && v < 1)) {
      cx.error('out-of-range', a, `${capitalise(what)} must be at least 0 and below 1, not ${v}.`);
      return undefined;
    }
    return v;
  };
  switch (name.text) {
    case 'sgd':
      if (args.length) cx.error('arity', e, 'sgd takes no parameters; the learning rate is its own option.');
      return { kind: 'sgd' };
    case 'momentum': {
      if (args.length > 1) {
        cx.error('arity', e, 'momentum takes one parameter, as in momentum(0.9).');
        return undefined;
      }
      const m = args.length ? fraction(args[0], 'the momentum') : 0.9;
      return m === undefined ? undefined : { kind: 'momentum', momentum: m };
    }
    default: {
      if (args.length > 2) {
        cx.error('arity', e, 'adam takes two parameters, as in adam(0.9, 0.999).');
        return undefined;
      }
      const b1 = args.length > 0 ? fraction(args[0], 'beta1') : 0.9;
      const b2 = args.length > 1 ? fraction(args[1], 'beta2') : 0.999;
      return b1 === undefined || b2 === undefined ? undefined : { kind: 'adam', beta1: b1, beta2: b2 };
    }
  }
}
