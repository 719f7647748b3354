import { activationNames, scalarFunction } from '../engine/activations';
import * as E from '../engine/expr';
import { LOSS_NAMES, type LossName } from '../engine/losses';
import { buildNetwork, builtinActivation, initialWeights, parameterCount, type Activation, type InitScheme, type LayerSpec } from '../engine/network';
import { describeShape, groupDigits, isMatrix } from '../engine/value';
import type * as ast from '../syntax/ast';
import { LIMITS } from './limits';
import { checkFeatures } from './features';
import { constant, integer, NO_PARAMS, number } from './lowering';
import { INIT_SCHEMES, LOSS_DEFAULT, type LayerInfo, type NetworkInfo } from './program';
import type { CheckContext } from './scope';
import { notBuiltIn } from './suggest';

/**
 * The check of a `network` statement: its layers and widths, activations, loss, initialisation
 * and explicit parameters ([fan-in][units] weights, [units] biases), and the engine's Network
 * built from them when nothing is in error.
 */
export function checkNetwork(cx: CheckContext, stmt: ast.NetworkStmt): NetworkInfo {
  let ok = true;
  const spoil = () => (ok = false);
  const layers: LayerInfo[] = [];
  const specs: LayerSpec[] = [];
  let loss: LossName = LOSS_DEFAULT;
  let lossItem: ast.LossItem | undefined;
  let init: InitScheme = { scheme: 'xavier', seed: 0 };
  let initItem: ast.InitItem | undefined;
  const params: ast.ParamItem[] = [];
  const layerNames = new Map<string, LayerInfo>();

  for (const item of stmt.items) {
    switch (item.kind) {
      case 'input':
      case 'dense': {
        if (item.kind === 'input' && layers.some((l) => l.kind === 'input')) {
          cx.error('input-count', item, 'A network has exactly one `input` layer; this is a second one.');
          spoil();
          continue;
        }
        if (item.kind === 'input' && layers.length > 0) {
          cx.error('input-first', item, 'The `input` layer comes first, before every `dense` layer.');
          spoil();
        }
        const units = integer(cx, item.width, `the width of \`${item.name.text}\``, 1, LIMITS.maxUnits);
        if (units === undefined) spoil();
        const info: LayerInfo = { name: item.name, kind: item.kind, units: units ?? 1, item };
        if (layerNames.has(item.name.text)) {
          cx.error('duplicate-layer', item.name, `The network \`${stmt.name.text}\` already has a layer named \`${item.name.text}\`.`);
          spoil();
        } else layerNames.set(item.name.text, info);
        if (item.kind === 'dense') {
          const activation = resolveActivation(cx, item.activation);
          if (!activation) spoil();
          else info.activation = activation.kind === 'softmax' ? 'softmax' : activation.name;
          if (activation?.kind === 'softmax' && units === 1) {
            cx.report('warning', 'softmax-one-unit', item.activation, `softmax over one unit always outputs 1: its derivative is 0, so nothing below \`${item.name.text}\` can learn. Use sigmoid for one output.`);
          }
          specs.push({ name: item.name.text, units: units ?? 1, activation: activation ?? { kind: 'softmax', name: 'softmax' }, hasBias: !item.nobias });
        }
        layers.push(info);
        break;
      }
      case 'loss': {
        if (lossItem) {
          cx.error('duplicate-setting', item, 'This network already sets its `loss`.');
          break;
        }
        lossItem = item;
        if ((LOSS_NAMES as readonly string[]).includes(item.loss.text)) loss = item.loss.text as LossName;
        else {
          cx.unknown('unknown-loss', 'loss', item.loss, LOSS_NAMES, ' The losses are squared_error, mse, cross_entropy and binary_cross_entropy.');
          spoil();
        }
        break;
      }
      case 'init': {
        if (initItem) {
          cx.error('duplicate-setting', item, 'This network already sets its `init`.');
          break;
        }
        initItem = item;
        const scheme = resolveInit(cx, item);
        if (scheme) init = scheme;
        else spoil();
        break;
      }
      case 'weights':
      case 'bias':
        params.push(item);
        break;
    }
  }

  const dense = layers.filter((l) => l.kind === 'dense');
  if (stmt.incomplete) spoil();
  else if (!layers.some((l) => l.kind === 'input')) {
    cx.error('missing-input', stmt.name, `The network \`${stmt.name.text}\` has no \`input\` layer; start it with e.g. \`input x[2]\`.`);
    spoil();
  }
  if (dense.length === 0 && !stmt.incomplete) {
    cx.error('missing-dense', stmt.name, `The network \`${stmt.name.text}\` has no \`dense\` layer, so it computes nothing; add e.g. \`dense y[1] sigmoid\`.`);
    spoil();
  }
  const input = layers.find((l) => l.kind === 'input');
  const rawInputs = input?.units ?? 1;
  // With derived features, the first dense layer takes those instead of the inputs.
  const features = input?.item.kind === 'input' ? checkFeatures(cx, input.item, rawInputs) : undefined;
  if (features === 'error') spoil();
  const inputs = features && features !== 'error' ? features.texts.length : rawInputs;
  const count = parameterCount(inputs, specs);
  if (count > LIMITS.maxParameters) {
    cx.error('too-many-parameters', stmt.name, `The network \`${stmt.name.text}\` has ${groupDigits(count)} parameters; the limit is ${groupDigits(LIMITS.maxParameters)}.`);
    spoil();
  }
  if (!explicitParameters(cx, stmt, params, specs, layerNames, inputs, init, count)) spoil();

  const out = dense[dense.length - 1];
  if (out) checkLoss(cx, stmt, out, loss, lossItem, ok);

  const info: NetworkInfo = { stmt, layers, loss };
  if (ok && dense.length > 0) {
    info.network = buildNetwork(stmt.name.text, inputs, specs, loss, init);
    if (features && features !== 'error') Object.assign(info.network, { inputs: rawInputs, features });
  }
  return info;
}

/**
 * Explicit parameters: weights [fan-in][units], bias [units], set on `specs`. False when one is
 * in error (reported).
 */
function explicitParameters(
  cx: CheckContext, stmt: ast.NetworkStmt, params: ast.ParamItem[], specs: LayerSpec[],
  layerNames: ReadonlyMap<string, LayerInfo>, inputs: number, init: InitScheme, count: number,
): boolean {
  let ok = true;
  const seen = new Set<string>();
  for (const item of params) {
    const key = `${item.kind} ${item.layer.text}`;
    const index = specs.findIndex((s) => s.name === item.layer.text);
    if (index < 0) {
      if (layerNames.get(item.layer.text)?.kind === 'input') cx.error('input-parameters', item.layer, `\`${item.layer.text}\` is the input layer; it has no ${item.kind === 'weights' ? 'weights' : 'bias'}.`);
      else cx.unknown('unknown-layer', 'layer', item.layer, specs.map((s) => s.name), ` The dense layers of \`${stmt.name.text}\` are ${specs.map((s) => s.name).join(', ') || 'none'}.`);
      ok = false;
      continue;
    }
    if (seen.has(key)) {
      cx.error('duplicate-setting', item, `The ${item.kind === 'weights' ? 'weights' : 'bias'} of \`${item.layer.text}\` are already set.`);
      continue;
    }
    seen.add(key);
    const spec = specs[index];
    const fanIn = index === 0 ? inputs : specs[index - 1].units;
    if (count > LIMITS.maxParameters) continue;
    const v = constant(cx, item.value, NO_PARAMS);
    if (v === undefined) {
      ok = false;
      continue;
    }
    if (item.kind === 'weights') {
      if (!isMatrix(v) || v.length !== fanIn || v[0].length !== spec.units) {
        // The fix: a matrix of the right shape, with exactly the values the network's init gives it.
        const w = initialWeights(init, index, fanIn, spec.units);
        const rows = Array.from({ length: fanIn }, (_, j) => `[${Array.from(w.subarray(j * spec.units, (j + 1) * spec.units), (x) => String(x)).join(', ')}]`);
        const fix = { title: `Replace with a ${fanIn}×${spec.units} matrix initialised by \`${describeInit(init)}\``, span: { start: item.value.start, end: item.value.end }, newText: `[${rows.join(', ')}]` };
        cx.error('shape', item.value, `The weights of \`${spec.name}\` must be a ${fanIn}×${spec.units} matrix ([fan-in][units]: ${fanIn} row${fanIn === 1 ? '' : 's'} of ${spec.units}), not ${describeShape(v)}.`, fix);
        ok = false;
      } else spec.W = v;
    } else {
      if (!spec.hasBias) {
        cx.error('nobias', item, `\`${spec.name}\` is declared \`nobias\`; it has no bias to set.`);
        ok = false;
      } else if (typeof v === 'number' || isMatrix(v) || v.length !== spec.units) {
        const fix = { title: `Replace with ${spec.units} zeros`, span: { start: item.value.start, end: item.value.end }, newText: `[${new Array(spec.units).fill('0').join(', ')}]` };
        cx.error('shape', item.value, `The bias of \`${spec.name}\` must be a vector of ${spec.units}, not ${describeShape(v)}.`, fix);
        ok = false;
      } else spec.b = v as number[];
    }
  }
  return ok;
}

/** The loss should fit the output layer: a hint when none is set, a warning when it does not fit. */
function checkLoss(cx: CheckContext, stmt: ast.NetworkStmt, out: LayerInfo, loss: LossName, lossItem: ast.LossItem | undefined, ok: boolean): void {
  if (!lossItem && ok) {
    const fitting: LossName = out.activation === 'softmax' ? 'cross_entropy' : out.activation === 'sigmoid' ? 'binary_cross_entropy' : 'squared_error';
    const text = cx.file.text;
    // A line break is \n, \r\n or a lone \r (as LSP says): with only \n, a file of \r breaks took
    // its indent from text outside the statement, which the editor's memo does not key on.
    const lineStart = Math.max(text.lastIndexOf('\n', out.item.start - 1), text.lastIndexOf('\r', out.item.start - 1)) + 1;
    const indent = text.slice(lineStart, out.item.start).match(/^[ \t]*/)![0];
    const fix = { title: `Add \`loss ${fitting}\``, span: { start: out.item.end, end: out.item.end }, newText: `\n${indent}loss ${fitting}` };
    cx.report('hint', 'missing-loss', stmt.name, `\`${stmt.name.text}\` sets no loss, so it uses squared_error; ${fitting === 'squared_error' ? 'say so with `loss squared_error`' : `with ${out.activation} outputs, ${fitting} is the usual choice`}.`, fix);
  }
  if (lossItem) {
    if (loss === 'cross_entropy' && out.activation !== 'softmax') {
      cx.report('warning', 'loss-activation', lossItem.loss, `cross_entropy expects a softmax output layer, but \`${out.name.text}\` uses ${out.activation ?? 'another activation'}: its outputs need not be probabilities that sum to 1.`);
    }
    if (loss === 'binary_cross_entropy' && out.activation !== 'sigmoid') {
      cx.report('warning', 'loss-activation', lossItem.loss, `binary_cross_entropy expects sigmoid outputs, but \`${out.name.text}\` uses ${out.activation ?? 'another activation'}: ln y and ln(1 - y) need outputs strictly between 0 and 1.`);
    }
  }
}

function resolveActivation(cx: CheckContext, ref: ast.ActivationRef): Activation | undefined {
  const name = ref.name.text;
  const userDecl = cx.declarations.get(name);
  if (userDecl?.kind === 'fn') {
    if (ref.args.length > 0) {
      cx.error('arity', ref, `\`${name}\` is a fn of one variable; as an activation it takes no parameters.`);
      return undefined;
    }
    const f = cx.userFns.get(name);
    if (!f) return undefined; // reported at the fn
    return userActivation(cx, name, f);
  }
  const scalar = scalarFunction(name);
  if (name !== 'softmax' && (!scalar || !scalar.activation)) {
    const fnNames = [...cx.declarations.values()].filter((d) => d.kind === 'fn').map((d) => d.name.text);
    const poles = name === 'tan' ? ' (it has poles at π/2 + kπ, where a unit\'s output is unbounded)' : '';
    const hint = scalar ? ` \`${name}\` is a function, not an activation${poles}; wrap it in a fn to use it as one, as in \`fn my_${name}(z) = ${name}(z)\`.` : '';
    if (scalar) {
      cx.error('unknown-activation', ref.name, `\`${name}\` is not an activation.${hint}`);
      return undefined;
    }
    const elsewhere = notBuiltIn(name);
    if (elsewhere) {
      const more = elsewhere.instead || /\bfn\b/.test(elsewhere.message) ? '' : ' A layer takes a built-in activation or a fn; define it with a fn to use it here.';
      cx.error('unknown-activation', ref.name, elsewhere.message + more, elsewhere.instead);
      return undefined;
    }
    cx.unknown('unknown-activation', 'activation', ref.name, [...activationNames(), ...fnNames]);
    return undefined;
  }
  const max = scalar ? scalar.params.length : 0;
  if (ref.args.length > max) {
    cx.error('arity', ref, max === 0 ? `\`${name}\` takes no parameters.` : `\`${name}\` takes at most ${max} parameter (${scalar!.params.map((p) => p.name).join(', ')}).`);
    return undefined;
  }
  const params: number[] = [];
  for (const a of ref.args) {
    const v = number(cx, a, `the parameter of ${name}`);
    if (v === undefined) return undefined;
    params.push(v);
  }
  return builtinActivation(name, params);
}

/** A user fn as an activation: g(z) from its body, g'(z) from its exact symbolic derivative. */
function userActivation(cx: CheckContext, name: string, f: E.UserFunction): Activation {
  const holder = cx.activeEnv;
  const value = E.call(name, 0, [{ op: 'var', name: f.param }]);
  const slope = E.call(name, 1, [{ op: 'var', name: f.param }]);
  const at = (e: E.Expr, z: number) => {
    const env = holder.current!;
    const v = E.evaluate(e, { ...env, vars: { get: (n) => (n === f.param ? z : env.vars.get(n)) } });
    return typeof v === 'number' ? v : NaN;
  };
  // A derivative that cannot be formed (e.g. through max of a vector) is reported when used.
  return { kind: 'scalar', name, value: (z) => at(value, z), derivative: (z) => at(slope, z) };
}

function resolveInit(cx: CheckContext, item: ast.InitItem): InitScheme | undefined {
  const scheme = item.scheme.text;
  let seed = 0;
  if (item.seed) {
    const s = integer(cx, item.seed, 'the seed', 0, LIMITS.maxSeed);
    if (s === undefined) return undefined;
    seed = s;
  }
  if (!(INIT_SCHEMES as readonly string[]).includes(scheme)) {
    cx.unknown('unknown-init', 'initialisation', item.scheme, INIT_SCHEMES, ' The choices are xavier, he, zeros and uniform(LO, HI).');
    return undefined;
  }
  if (scheme === 'uniform') {
    if (item.args.length !== 2) {
      cx.error('arity', item, 'uniform takes two bounds, as in `init uniform(-0.5, 0.5)`.');
      return undefined;
    }
    const lo = number(cx, item.args[0], 'the lower bound');
    const hi = number(cx, item.args[1], 'the upper bound');
    if (lo === undefined || hi === undefined) return undefined;
    if (lo > hi) {
      cx.error('out-of-range', item, `uniform(${lo}, ${hi}): the lower bound is above the upper one.`);
      return undefined;
    }
    return { scheme: 'uniform', lo, hi, seed };
  }
  if (item.args.length > 0) {
    cx.error('arity', item, `\`${scheme}\` takes no parameters.`);
    return undefined;
  }
  return { scheme: scheme as 'xavier' | 'he' | 'zeros', seed };
}

function describeInit(init: InitScheme): string {
  return `${init.scheme === 'uniform' ? `uniform(${init.lo}, ${init.hi})` : init.scheme} seed ${init.seed}`;
}
