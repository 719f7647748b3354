// A generated NetSpec file of a given number of lines, for the editor-latency benchmark (and the
// incremental-analysis tests): a realistic mix of networks, probes, lets, fns, evals, inline data
// and train statements, in blocks of about fifty lines. Blocks use a value the first block of their
// group of ten declares, so names cross blocks as they do in a real file.
'use strict';

const ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'gelu', 'swish', 'softplus', 'elu(0.5)', 'leaky_relu(0.05)'];

/**
 * One block of the file; `i` numbers its names.
 * @param {number} i
 * @returns {string[]}
 */
function block(i) {
  const act1 = ACTIVATIONS[i % ACTIVATIONS.length];
  const act2 = ACTIVATIONS[(i + 3) % ACTIVATIONS.length];
  // Blocks come in groups of ten that share the first one's `b`: names cross blocks, as in a real
  // file, without every block depending on every block before it.
  const hub = i - (i % 10);
  const prev = i > hub ? `b_${hub}` : '1';
  const a = ((i % 7) + 1) / 10;
  return [
    `# ---- block ${i}: a 3-8-4-2 classifier, its data, and a few questions about it ---------------`,
    `network net_${i} {`,
    '  input  x[3]',
    `  dense  h[8] ${act1}`,
    `  dense  m[4] ${act2}`,
    '  dense  y[2] softmax',
    '  loss   cross_entropy',
    `  init   xavier seed ${i}`,
    '}',
    `probe net_${i} [0.5, -1, 0.25] -> [1, 0]`,
    '',
    `let a_${i} = ${a}`,
    `let b_${i} = a_${i} * 2 + ${prev} / 4`,
    `let v_${i} = [a_${i}, b_${i}, -0.5]`,
    `fn act_${i}(z) = z * tanh(softplus(z)) + a_${i} * z ^ 2`,
    '',
    `eval sigmoid(a_${i})             # the value of an activation`,
    `eval tanh'(b_${i})               # its derivative`,
    `eval softmax(v_${i})`,
    `eval softmax'([a_${i}, 1, 2])`,
    `eval act_${i}'(0.5)              # a user fn, derived exactly`,
    `eval act_${i}''(b_${i})`,
    `eval net_${i}(v_${i})            # the forward output`,
    `eval sum(v_${i}) + ${prev}`,
    `eval gelu'(a_${i}) * swish(b_${i})`,
    '',
    `data d_${i} {`,
    '  [0, 0, 1] -> [0, 1]',
    '  [1, 0, 0] -> [1, 0]',
    '  [0, 1, 0] -> [0, 1]',
    '  [1, 1, 0] -> [1, 0]',
    '}',
    '',
    `train net_${i} on d_${i} {`,
    '  optimizer     adam(0.9, 0.999)',
    '  learning_rate 0.01',
    '  epochs        200',
    '  batch         2',
    `  seed          ${i}`,
    '}',
    '',
    `network tiny_${i} {`,
    '  input  x[2]',
    `  dense  h[2] act_${i}`,
    '  dense  y[1] sigmoid',
    '  loss   binary_cross_entropy',
    '  weights h = [[0.5, -0.25], [0.75, 1.0]]',
    '  bias    h = [0.1, -0.1]',
    '}',
    `probe tiny_${i} [1, 2] -> [1]`,
    '',
  ];
}

/** The lines of one block, for locating edits in it. */
const BLOCK_LINES = block(0).length;

/**
 * A file of exactly `lines` lines: a header, whole blocks, then `eval` lines to make up the count.
 * @param {number} lines
 * @returns {string}
 */
function generateSpec(lines) {
  const out = [`# A generated spec of ${lines} lines (bench/spec-generator.js).`, ''];
  let i = 0;
  while (out.length + BLOCK_LINES <= lines) out.push(...block(i++));
  for (let k = 0; out.length < lines; k++) out.push(`eval ${k} * 0.5 + sigmoid(${k % 5})`);
  return out.slice(0, lines).join('\n') + '\n';
}

/**
 * How many whole blocks a file of `lines` lines has.
 * @param {number} lines
 * @returns {number}
 */
function blockCount(lines) {
  return Math.max(0, Math.floor((lines - 2) / BLOCK_LINES));
}

module.exports = { generateSpec, blockCount, BLOCK_LINES };
