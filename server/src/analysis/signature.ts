import { isVectorName, scalarFunction } from '../engine/activations';
import type { Program } from '../semantics/program';
import * as ast from '../syntax/ast';
import { lex, type Token } from '../syntax/lexer';
import { VECTOR_DOCS, type VectorDoc } from './vector-docs';

/**
 * Signature help: inside the parentheses of a call, what the callee takes and which argument
 * the cursor is on. It reads tokens, not the tree, because while an argument list is being
 * typed the statement does not parse yet.
 */

/** One way to call something; parameter labels are [start, end) offsets into `label`. */
export interface Signature {
  label: string;
  documentation?: string;
  parameters: { label: [number, number]; documentation?: string }[];
}

export interface SignatureHelp {
  signatures: Signature[];
  activeSignature: number;
  activeParameter: number;
}

const STATEMENT_WORDS = new Set<string>(ast.STATEMENT_KEYWORDS);

/** A parameter: its name in the label, and what it means. */
type Param = { name: string; doc?: string };

/** Builds a signature from its callee text and parameters, computing the label offsets. */
function signature(callee: string, params: readonly Param[], documentation?: string): Signature {
  let label = `${callee}(`;
  const parameters: Signature['parameters'] = [];
  params.forEach((p, i) => {
    if (i > 0) label += ', ';
    parameters.push({ label: [label.length, label.length + p.name.length], ...(p.doc ? { documentation: p.doc } : {}) });
    label += p.name;
  });
  label += ')';
  return { label, ...(documentation ? { documentation } : {}), parameters };
}

/** Where a call stands, which decides what its arguments are. */
type CallContext = 'expression' | 'activation' | 'init' | 'optimizer' | 'schedule' | 'generator' | 'declaration';

/**
 * Signature help at `offset`: for built-in functions (with the parameters after z, such as
 * `leaky_relu(z, a = 0.01)`), `softmax(v)`, `sum`, `max`/`min` (two forms), user fns, network
 * calls, and the parameters of activations in a layer, `init uniform(lo, hi)`, optimizers and
 * data generators. The active parameter counts the commas at the call's own depth.
 */
export function signatureHelpAt(program: Program, offset: number): SignatureHelp | undefined {
  const tokens = lex(program.file.text).tokens;
  const call = enclosingCall(tokens, offset);
  if (!call) return undefined;
  const help = signaturesFor(program, call);
  if (!help) return undefined;
  let activeParameter = call.commas;
  // Named arguments (`n: 200`) may come in any order: the name typed decides.
  if (call.argName) {
    const i = help.params.findIndex((p) => p === call.argName);
    if (i >= 0) activeParameter = i;
  }
  return { signatures: help.signatures, activeSignature: help.active(call.commas), activeParameter };
}

interface EnclosingCall {
  callee: Token;
  primes: number;
  commas: number;
  context: CallContext;
  /** The statement the call is in, by its keyword. */
  statement?: string;
  /** The name of the named argument the cursor is in (`n` in `xor(n: 2|`). */
  argName?: string;
}

/** The innermost call whose `(` is open at `offset`, found by walking back over the tokens. */
function enclosingCall(tokens: readonly Token[], offset: number): EnclosingCall | undefined {
  let i = tokens.length - 1;
  while (i >= 0 && (tokens[i].kind === 'eof' || tokens[i].start >= offset)) i--;
  let depth = 0;
  let commas = 0;
  /** The nearest comma at the call's depth: the current argument starts after it. */
  let separator: number | undefined;
  for (; i >= 0; i--) {
    const t = tokens[i];
    if (t.kind === 'ident' && STATEMENT_WORDS.has(t.text)) return undefined;
    if (t.kind !== 'punct') continue;
    if (t.text === '{' || t.text === '}') return undefined;
    if (t.text === ')' || t.text === ']') depth++;
    else if (t.text === '[' || t.text === '(') {
      if (depth > 0) depth--;
      else if (t.text === '[') {
        // Inside a vector that is itself an argument: its commas are not the call's.
        commas = 0;
        separator = undefined;
      } else {
        const first = (separator ?? i) + 1;
        const named = tokens[first]?.kind === 'ident' && tokens[first + 1]?.text === ':' && tokens[first + 1].end <= offset;
        return describeCall(tokens, i, commas, named ? tokens[first].text : undefined);
      }
    } else if (t.text === ',' && depth === 0) {
      separator ??= i;
      commas++;
    }
  }
  return undefined;
}

function describeCall(tokens: readonly Token[], open: number, commas: number, argName: string | undefined): EnclosingCall | undefined {
  let j = open - 1;
  let primes = 0;
  while (j >= 0 && tokens[j].kind === 'punct' && tokens[j].text === "'") {
    primes++;
    j--;
  }
  const callee = tokens[j];
  if (!callee || callee.kind !== 'ident' || STATEMENT_WORDS.has(callee.text)) return undefined;
  let statement: string | undefined;
  for (let k = j - 1; k >= 0; k--) {
    if (tokens[k].kind === 'ident' && STATEMENT_WORDS.has(tokens[k].text)) {
      statement = tokens[k].text;
      break;
    }
  }
  const before = tokens[j - 1];
  let context: CallContext = 'expression';
  if (before?.kind === 'ident' && before.text === 'fn') context = 'declaration';
  else if (statement === 'network' && before?.text === ']') context = 'activation';
  else if (statement === 'network' && before?.kind === 'ident' && before.text === 'init') context = 'init';
  else if (statement === 'train' && before?.kind === 'ident' && before.text === 'optimizer') context = 'optimizer';
  else if (statement === 'train' && before?.kind === 'ident' && before.text === 'schedule') context = 'schedule';
  else if (statement === 'data' && before?.text === '=') context = 'generator';
  return { callee, primes, commas, context, statement, ...(argName ? { argName } : {}) };
}

interface Found {
  signatures: Signature[];
  /** Parameter names in order, for named arguments. */
  params: string[];
  /** Which signature fits, given the commas typed so far. */
  active: (commas: number) => number;
}

const one = (s: Signature, params: string[] = []): Found => ({ signatures: [s], params, active: () => 0 });

function signaturesFor(program: Program, call: EnclosingCall): Found | undefined {
  const name = call.callee.text;
  const prime = "'".repeat(call.primes);
  switch (call.context) {
    case 'declaration': return undefined;
    case 'activation': {
      const f = scalarFunction(name);
      if (!f || f.params.length === 0 || program.declarations.has(name)) return undefined;
      return one(signature(name, f.params.map((p) => ({ name: `${p.name} = ${p.default}`, doc: `${p.name}, default ${p.default}` })), `The activation \`${name}\` with its parameter: \`${f.formula}\``));
    }
    case 'init':
      if (name !== 'uniform') return undefined;
      return one(signature('uniform', [{ name: 'lo', doc: 'the lower bound' }, { name: 'hi', doc: 'the upper bound' }], 'Every weight drawn from `U(lo, hi)`; biases start at 0.'));
    case 'optimizer':
      if (name === 'momentum') return one(signature('momentum', [{ name: 'm = 0.9', doc: 'the momentum, in [0, 1)' }], 'SGD with momentum (`torch.optim.SGD`, dampening 0, not Nesterov).'));
      if (name === 'adam') return one(signature('adam', [{ name: 'b1 = 0.9', doc: 'beta1, in [0, 1)' }, { name: 'b2 = 0.999', doc: 'beta2, in [0, 1)' }], 'Adam (`torch.optim.Adam`, eps 1e-8).'));
      return undefined;
    case 'schedule':
      if (name === 'step') return one(signature('step', [{ name: 'N', doc: 'epochs between two decays, a whole number from 1' }, { name: 'G', doc: 'gamma, the factor, above 0' }], 'The learning rate times G every N epochs (`torch.optim.lr_scheduler.StepLR(step_size=N, gamma=G)`).'));
      if (name === 'exponential') return one(signature('exponential', [{ name: 'G', doc: 'gamma, the factor, above 0' }], 'The learning rate times G every epoch (`torch.optim.lr_scheduler.ExponentialLR(gamma=G)`).'));
      if (name === 'cosine') return one(signature('cosine', [{ name: 'T', doc: 'epochs from the learning rate down to 0, a whole number from 1' }], 'The learning rate along half a cosine down to 0 over T epochs (`torch.optim.lr_scheduler.CosineAnnealingLR(T_max=T, eta_min=0)`).'));
      return undefined;
    case 'generator': {
      if (name === 'function') {
        const fparams = [
          { name: 'EXPR', doc: 'the target as an expression of `x` (one input), or of `x1` and `x2` (two inputs)' },
          { name: 'n', doc: 'how many samples (for two inputs, a grid of ⌈√n⌉ per axis), default 100' },
          { name: 'from', doc: 'the smallest input, default -1' },
          { name: 'to', doc: 'the largest input, default 1' },
          { name: 'noise', doc: 'the standard deviation of the Gaussian noise on the target, default 0' },
          { name: 'seed', doc: 'the random seed of the noise, default 0' },
        ];
        const doc = 'Samples of a function: n evenly spaced inputs from `from` to `to` (both included), target EXPR + noise·N(0, 1).';
        return { ...one(signature('function', fparams, doc)), params: ['', 'n', 'from', 'to', 'noise', 'seed'] };
      }
      const params = [{ name: 'n', doc: 'how many samples, as in `n: 200`' }, { name: 'noise', doc: 'the noise, 0 or more, as in `noise: 0.1`' }, { name: 'seed', doc: 'the random seed, as in `seed: 1`' }];
      return { ...one(signature(name, params, `The generator \`${name}\`: two inputs; arguments by name, in any order.`)), params: ['n', 'noise', 'seed'] };
    }
    case 'expression':
      return expressionSignature(program, name, prime, call.primes);
  }
}

function expressionSignature(program: Program, name: string, prime: string, primes: number): Found | undefined {
  const callee = name + prime;
  const d = program.declarations.get(name);
  if (d?.kind === 'fn') {
    const body = program.file.text.slice(d.stmt.body.start, d.stmt.body.end);
    const what = primes === 0 ? '' : primes === 1 ? ' (its derivative)' : ` (its derivative of order ${primes})`;
    return one(signature(callee, [{ name: d.stmt.param.text }], `\`fn ${name}(${d.stmt.param.text}) = ${body}\`${what}`));
  }
  if (d?.kind === 'network') {
    const layers = program.networks.get(name)?.layers ?? [];
    const input = layers.find((l) => l.kind === 'input');
    const dense = layers.filter((l) => l.kind === 'dense');
    const out = dense[dense.length - 1];
    const param = input ? `${input.name.text}[${input.units}]` : 'input';
    const doc = `The forward pass of \`${name}\`${out ? `: ${out.units} output${out.units === 1 ? '' : 's'}` : ''}.`;
    return one(signature(name, [{ name: param, doc: input ? `a vector of ${input.units}` : undefined }], doc));
  }
  if (d) return undefined;
  const f = scalarFunction(name);
  if (f) {
    const doc = primes === 0 ? `\`${f.formula}\`` : primes === 1 ? `\`${f.derivativeFormula}\`` : `The derivative of order ${primes}, exact.`;
    const params: Param[] = [{ name: 'z', doc: 'a number, or a vector (elementwise)' }, ...f.params.map((p) => ({ name: `${p.name} = ${p.default}`, doc: `${p.name}, default ${p.default}` }))];
    return one(signature(callee, params, doc));
  }
  if (isVectorName(name)) return vectorSignatures(VECTOR_DOCS[name], name, prime, primes);
  return undefined;
}

/**
 * A vector function's forms (vector-docs.ts). The callee keeps its primes only where the function
 * has a derivative (softmax'); the form that fits is the first with more parameters than commas.
 */
function vectorSignatures(doc: VectorDoc, name: string, prime: string, primes: number): Found {
  const signatures = doc.forms.map((form) => {
    const derived = form.derivativeDoc !== undefined;
    return signature(derived ? name + prime : name, form.params, derived && primes > 0 ? form.derivativeDoc : form.doc);
  });
  const active = (commas: number) => {
    const i = doc.forms.findIndex((form) => form.params.length > commas);
    return i < 0 ? doc.forms.length - 1 : i;
  };
  return { signatures, params: [], active };
}
