import type { DataSample } from '../engine/datasets';
import type { Network } from '../engine/network';
import { metricsKind } from '../engine/metrics';
import { scheduleText } from '../engine/schedules';
import { ADAM_EPS, SHUFFLE_STREAM_BASE, SPLIT_STREAM, Trainer } from '../engine/train';
import { constantValue } from '../semantics/lowering';
import type { Program, TrainInfo } from '../semantics/program';
import { ExportError, PythonFunctions, pyNumber } from './expr-python';

export { ExportError } from './expr-python';

/**
 * `netspec export … --to pytorch`: one `train` statement as a self-contained PyTorch program.
 * Pure: it takes the checked program and the run's prepared data (runs/jobs.ts) and returns
 * Python source; reading and writing files is the caller's business.
 *
 * The program reproduces `netspec train --json` (docs/LANGUAGE.md, *Command line*; the conventions are
 * engine/train.ts's):
 * - the initial parameters and the samples are embedded as the engine has them, so no
 *   initialisation or data generator is reimplemented;
 * - the split and the per-epoch shuffles come from NetSpec's PRNG (random.ts: xoshiro128**
 *   seeded through splitmix32) and Fisher–Yates, reimplemented in Python, so `--epochs` can
 *   differ from the spec's and still match a spec with that many epochs;
 * - each activation is a torch.autograd.Function whose backward pass uses the derivative the
 *   engine uses (from the forward value, e.g. p(1 - p)), so kinks (relu at 0) and saturation
 *   behave alike; a user `fn` is its lowered body in torch operations, and its derivative the
 *   exact symbolic derivative the engine derives;
 * - the losses are the engine's stable forms (ln p from z after softmax and sigmoid);
 * - the optimisers are torch.optim's own, in float64, or in float32 under `precision float32`
 *   (the program's `--dtype` defaults to the statement's precision);
 * - data-parallel: DistributedDataParallel over consecutive shards of each batch, each worker's
 *   loss weighted by world/B so that the averaged gradient is the global batch mean, also when
 *   a batch does not split evenly.
 */

export interface ExportInput {
  /** The spec's name as the JSON's "file" shows it (what `netspec train --json` was given). */
  file: string;
  program: Program;
  info: TrainInfo;
  /** 1-based line of the `train` statement. */
  line: number;
  /** The network with the parameters the program starts from: its initial ones, or trained ones (`start`). */
  network: Network;
  /** `trained`: the parameters are a run's, and the program continues that training. Default `initial`. */
  start?: 'initial' | 'trained';
  dataName: string;
  data: readonly DataSample[];
  /** The NetSpec version that wrote the program. */
  version: string;
}

/** Python's keywords: a layer named like one needs another attribute name. */
const PY_KEYWORDS = new Set('False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield match case'.split(' '));

/** torch.nn.Module's own attributes (torch 1.13 and 2.x): a layer cannot take one of these names. */
const MODULE_ATTRIBUTES = new Set(
  ('T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval extra_repr ' +
    'float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules mtia named_buffers ' +
    'named_children named_modules named_parameters parameters register_backward_hook register_buffer register_forward_hook ' +
    'register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook register_load_state_dict_post_hook ' +
    'register_load_state_dict_pre_hook register_module register_parameter register_state_dict_post_hook register_state_dict_pre_hook ' +
    'requires_grad_ set_extra_state set_submodule share_memory state_dict to to_empty train training type xpu zero_grad ' +
    // the exported Model's own method
    'dense_layers').split(' '),
);

/** The attribute name of each dense layer in the Module: its own name unless Python or torch forbids it. */
function attributeNames(layers: readonly { name: string }[]): string[] {
  const used = new Set<string>();
  return layers.map(({ name }) => {
    let a = name.startsWith('_') || PY_KEYWORDS.has(name) || MODULE_ATTRIBUTES.has(name) ? `layer_${name}` : name;
    const base = a;
    for (let i = 2; used.has(a) || layers.some((l) => l.name === a && l.name !== name); i++) a = `${base}_${i}`;
    used.add(a);
    return a;
  });
}

/** A Python string literal (JSON's escapes are Python's, for what a spec may hold). */
const pyString = (s: string) => JSON.stringify(s);

const row = (v: ArrayLike<number>) => `[${Array.from(v, pyNumber).join(', ')}]`;

/** The exported program's source. Throws ExportError for what it cannot translate. */
export function exportPyTorch(input: ExportInput): string {
  const { program, info, network: net } = input;
  const netInfo = program.networks.get(net.name);
  if (!netInfo) throw new ExportError(`\`${net.name}\` has errors`);
  if (input.data.length === 0) throw new ExportError(`\`${input.dataName}\` has no samples`);
  // The engine's own reading of the run: its classification rule (and a check of the options).
  const trainer = new Trainer(net, input.data, info);

  const fns = new PythonFunctions(program.env);
  const dense = netInfo.layers.filter((l) => l.kind === 'dense');
  const attrs = attributeNames(net.layers);
  const last = net.layers[net.layers.length - 1];
  const outputKind = last.activation.kind === 'softmax' ? 'softmax' : last.activation.name === 'sigmoid' ? 'sigmoid' : 'other';

  // The forward pass: the inputs standardized (as engine/network.ts forward does), then layer by layer.
  const std = net.standardize;
  const forwardLines: string[] = std ? ['        x = (x - self.input_mean) / self.input_std  # standardize: the statistics of the training part'] : [];
  const features = net.features;
  if (features) {
    // Derived features: the first layer takes these functions of the (standardized) inputs.
    const columns = fns.features(features.exprs, features.variables, (j) => `inputs[:, ${j}]`);
    forwardLines.push(
      `        inputs, z = x, x[:, 0]  # z: one column, the shape of a constant feature`,
      `        x = torch.stack([`,
      ...columns.map((c, f) => `            ${c},  # ${features.texts[f]}`),
      `        ], dim=1)`,
    );
  }
  const buffers = std
    ? [
        '        # `standardize`: every input j becomes (x_j - mean_j) / std_j before the first layer (fixed, not trained).',
        `        self.register_buffer("input_mean", torch.tensor(${row(std.mean)}, dtype=torch.float64))`,
        `        self.register_buffer("input_std", torch.tensor(${row(std.std)}, dtype=torch.float64))`,
      ]
    : [];
  net.layers.forEach((layer, i) => {
    const call = `self.${attrs[i]}(x)`;
    const isLast = i === net.layers.length - 1;
    const target = isLast ? 'z' : 'x';
    let act: string;
    if (layer.activation.kind === 'softmax') act = 'torch.softmax(z, dim=1)';
    else {
      const item = dense[i]?.item;
      const params = item?.kind === 'dense' ? item.activation.args.map((a) => constantValue(program, a)) : [];
      if (!params.every((p): p is number => typeof p === 'number')) throw new ExportError(`the parameters of \`${layer.name}\`'s activation are not numbers`);
      const a = fns.layerActivation(layer.activation.name, params);
      act = `activation(z, ${[a.g, a.gPrime, ...a.params].join(', ')})`;
    }
    if (isLast) {
      forwardLines.push(`        z = ${call}`, `        return z, ${act}`);
    } else if (layer.activation.kind === 'softmax') {
      forwardLines.push(`        z = ${call}`, `        ${target} = torch.softmax(z, dim=1)`);
    } else {
      forwardLines.push(`        ${target} = ${act.replace('(z, ', `(${call}, `)}`);
    }
  });

  const describe = [`${netInfo.stmt.name.text}: input ${net.inputs}`, ...net.layers.map((l) => `${l.name}[${l.units}] ${l.activation.name}${l.hasBias ? '' : ' nobias'}`)].join(' -> ');
  const linears = net.layers.map((l, i) => `        self.${attrs[i]} = torch.nn.Linear(${l.inputs}, ${l.units}${l.hasBias ? '' : ', bias=False'}, dtype=torch.float64)`);
  const initial = net.layers.map((l, i) => {
    const W: string[] = [];
    for (let j = 0; j < l.inputs; j++) W.push(`            ${row(l.W.subarray(j * l.units, (j + 1) * l.units))},`);
    return [
      `    ${pyString(l.name)}: {  # self.${attrs[i]}: W[${l.inputs}][${l.units}]`,
      `        "W": [\n${W.join('\n')}\n        ],`,
      `        "b": ${l.hasBias ? row(l.b) : 'None'},`,
      `    },`,
    ].join('\n');
  });

  const opt = info.optimizer;
  const optimizerSource =
    opt.kind === 'adam'
      ? `torch.optim.Adam(parameters, lr=LEARNING_RATE, betas=(${pyNumber(opt.beta1)}, ${pyNumber(opt.beta2)}), eps=${pyNumber(ADAM_EPS)}, weight_decay=L2, foreach=False)`
      : `torch.optim.SGD(parameters, lr=LEARNING_RATE, momentum=${opt.kind === 'momentum' ? pyNumber(opt.momentum) : '0'}, dampening=0, nesterov=False, weight_decay=L2, foreach=False)`;
  const optimizerText = opt.kind === 'sgd' ? 'sgd' : opt.kind === 'momentum' ? `momentum(${opt.momentum})` : `adam(${opt.beta1}, ${opt.beta2})`;

  const dataSet = program.data.get(input.dataName);
  const src = dataSet?.stmt.source;
  const dataNote =
    src?.kind === 'generator' && dataSet?.generator
      ? `generated by ${dataSet.generator.name}(n: ${dataSet.generator.n}, noise: ${dataSet.generator.noise}, seed: ${dataSet.generator.seed}), as NetSpec generates it`
      : src?.kind === 'function' && dataSet?.function
        ? `generated by function(${program.file.text.slice(src.expr.start, src.expr.end).replace(/\s+/g, " ")}, n: ${dataSet.function.params.n}, from: ${dataSet.function.params.from}, to: ${dataSet.function.params.to}, noise: ${dataSet.function.params.noise}, seed: ${dataSet.function.params.seed}), as NetSpec generates it`
        : src?.kind === 'file'
        ? `read from ${src.path.value} (beside the spec) when this program was exported`
        : 'as the spec writes them';

  const lossDoc: Record<string, string> = {
    squared_error: 'E = 1/2 Σ_k (y_k - t_k)²',
    mse: 'E = (1/K) Σ_k (y_k - t_k)²',
    cross_entropy: outputKind === 'softmax' ? 'E = -Σ_k t_k ln p_k, with ln p_k = z_k - logsumexp(z) from the softmax layer\'s z' : 'E = -Σ_k t_k ln y_k (a target of 0 contributes nothing)',
    binary_cross_entropy: outputKind === 'sigmoid' ? 'E = Σ_k [t_k softplus(-z_k) + (1 - t_k) softplus(z_k)]: -ln σ(z) = softplus(-z), from the sigmoid layer\'s z' : 'E = -Σ_k [t_k ln y_k + (1 - t_k) ln(1 - y_k)]',
  };
  const lossBody: string = (() => {
    switch (net.loss) {
      case 'squared_error': return '    return 0.5 * ((y - t) ** 2).sum(dim=1)';
      case 'mse': return `    return ((y - t) ** 2).sum(dim=1) / ${last.units}`;
      case 'cross_entropy':
        return outputKind === 'softmax'
          ? '    return -(t * torch.log_softmax(z, dim=1)).sum(dim=1)'
          : '    # ln y only where t != 0, so that 0 · ln 0 is 0 (and its gradient too)\n    return -(t * torch.log(torch.where(t != 0, y, torch.ones_like(y)))).sum(dim=1)';
      case 'binary_cross_entropy':
        return outputKind === 'sigmoid'
          ? '    # softplus(x) = ln(1 + e^x); above x = 40 it is x to the last bit\n    return (t * F.softplus(-z, threshold=40) + (1 - t) * F.softplus(z, threshold=40)).sum(dim=1)'
          : '    ln_y = torch.log(torch.where(t != 0, y, torch.ones_like(y)))\n    ln_1my = torch.log(torch.where(t != 1, 1 - y, torch.ones_like(y)))\n    return -(t * ln_y + (1 - t) * ln_1my).sum(dim=1)';
    }
  })();

  const classification = trainer.classification ? pyString(trainer.classification) : 'None';
  const metrics = metricsKind({ activation: last.activation.kind === 'softmax' ? 'softmax' : (last.activation.builtin ?? last.activation.name), units: last.units }, net.loss);
  const sched = info.schedule;
  const schedulerSource =
    sched === undefined ? 'None'
    : sched.kind === 'step' ? `torch.optim.lr_scheduler.StepLR(optimizer, step_size=${sched.stepSize}, gamma=${pyNumber(sched.gamma)})`
    : sched.kind === 'exponential' ? `torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=${pyNumber(sched.gamma)})`
    : `torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=${sched.tMax}, eta_min=0)`;
  const specName = input.file;
  const script = `${specName.replace(/^.*[\\/]/, '').replace(/\.netspec$/i, '')}.${net.name}.py`;
  const functions = fns.source();

  return `#!/usr/bin/env python3
"""The network \`${net.name}\` of ${specName} and its training run (\`train ${net.name} on ${input.dataName}\`,
line ${input.line}), exported by NetSpec ${input.version} as a self-contained PyTorch program.

    python3 ${script} --json                # prints what \`netspec train --json\` prints for this run
    python3 ${script} --json --processes 4  # four local workers, DistributedDataParallel (gloo)
    torchrun --nnodes N --nproc_per_node G ${script} --device cuda   # a cluster (NCCL)

${input.start === 'trained' ? `It starts from the weights the editor's last run of \`${net.name}\` trained (below), so it
continues that training; the rest is the run the spec states: the same samples (below), ` : `It reproduces the editor's run: the same initial weights and samples (below), `}the same
mini-batch order (NetSpec's random numbers, reimplemented here), the same derivatives, and
${info.precision === 'float32' ? `torch.optim's arithmetic in float32, as the spec's \`precision float32\` says; numbers agree with
NetSpec's float32 run to float32 rounding (about 1e-6, drifting over long runs; the two sum
products in different orders).` : `torch.optim's arithmetic in float64; numbers agree with NetSpec's to rounding (about 1e-12,
drifting slowly over long runs).`} With several workers each batch is cut into consecutive
shards, and the averaged gradient is still the batch's mean gradient. At the end it saves a checkpoint (state_dict and optimiser state).
"""
import argparse
import json
import math
import os
import socket
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F

# ---- the run, as the spec states it --------------------------------------------------------------

SPEC = ${pyString(specName)}
NETWORK = ${pyString(net.name)}
DATA = ${pyString(input.dataName)}
LINE = ${input.line}
OPTIMIZER = ${pyString(optimizerText)}
LEARNING_RATE = ${pyNumber(info.learningRate)}
EPOCHS = ${info.epochs}
BATCH = ${info.batch === undefined ? 'None  # the whole training set' : String(info.batch)}
SEED = ${info.seed}  # the shuffling and split seed
SPLIT = ${pyNumber(info.split)}  # the fraction of samples that train; the rest is the test set
L2 = ${pyNumber(info.l2)}  # weight decay, on weights and biases
L1 = ${pyNumber(info.l1)}  # λ of λ·Σ|w| over the weights (not the biases), added to each step's loss
SCHEDULE = ${sched ? pyString(scheduleText(sched)) : 'None'}  # the learning rate, stepped after every epoch (torch.optim.lr_scheduler)
PATIENCE = ${info.patience ?? 'None'}  # early stopping: epochs without a new lowest monitored loss
# The metrics over the training (and test) set with the final parameters: "classes" (a confusion
# matrix of CLASSES classes and the accuracy; SIGMOID: one sigmoid unit, class 1 at y >= 0.5) or
# "regression" (rmse and r2).
METRICS = ${pyString(metrics.kind)}
CLASSES = ${metrics.kind === 'classes' ? metrics.classes : 'None'}
SIGMOID = ${metrics.kind === 'classes' && metrics.sigmoid ? 'True' : 'False'}
# How accuracy is counted: "argmax" (softmax, one-hot targets), "threshold" (sigmoid, 0/1 targets) or None.
CLASSIFICATION = ${classification}

# The ${input.start === 'trained' ? "parameters the program starts from: the editor's trained ones" : 'initial parameters, as NetSpec computed them'}: W[j][k] is the weight from input j to unit k.
INITIAL = {
${initial.join('\n')}
}

# The ${input.data.length} samples of \`${input.dataName}\`, ${dataNote}: inputs, then targets.
INPUTS = [
${input.data.map((s) => `    ${row(s.input)},`).join('\n')}
]
TARGETS = [
${input.data.map((s) => `    ${row(s.target)},`).join('\n')}
]

# ---- activations: each value beside the derivative NetSpec uses ----------------------------------


class Elementwise(torch.autograd.Function):
    """y = g(z) elementwise; the backward pass multiplies by g'(z), computed from z and the
    forward value y as NetSpec computes it, rather than by differentiating g's operations."""

    @staticmethod
    def forward(ctx, z, g, g_prime, *params):
        y = g(z, *params)
        ctx.save_for_backward(z, y)
        ctx.g_prime = g_prime
        ctx.params = params
        return y

    @staticmethod
    def backward(ctx, grad):
        z, y = ctx.saved_tensors
        return (grad * ctx.g_prime(z, y, *ctx.params), None, None) + (None,) * len(ctx.params)


activation = Elementwise.apply


${functions}

# ---- the network and its loss ------------------------------------------------------------------------


class Model(torch.nn.Module):
    """${describe}.
    Each dense layer is a torch.nn.Linear, whose weight is W transposed ([units][inputs])."""

    def __init__(self):
        super().__init__()
${[...buffers, ...linears].join('\n')}
        with torch.no_grad():
            for name, layer in self.dense_layers():
                layer.weight.copy_(torch.tensor(INITIAL[name]["W"], dtype=torch.float64).T)
                if layer.bias is not None:
                    layer.bias.copy_(torch.tensor(INITIAL[name]["b"], dtype=torch.float64))

    def dense_layers(self):
        """(NetSpec name, torch.nn.Linear) for each dense layer, in order."""
        return [${net.layers.map((l, i) => `(${pyString(l.name)}, self.${attrs[i]})`).join(', ')}]

    def forward(self, x):
        """The output layer's z and y = g(z), a row per sample: the loss takes ln y from z where it can."""
${forwardLines.join('\n')}


def per_sample_loss(z, y, t):
    """${net.loss}: ${lossDoc[net.loss]}, one value per sample (row)."""
${lossBody}


def correct(y, t):
    """How many rows of the batch are classified correctly (CLASSIFICATION's rule)."""
    if CLASSIFICATION == "argmax":
        # the first largest output is the unit whose target is 1
        best = torch.argmax(y, dim=1)
        return int((t.gather(1, best.unsqueeze(1)).squeeze(1) == 1).sum())
    if CLASSIFICATION == "threshold":
        return int(((y > 0.5) == (t == 1)).all(dim=1).sum())
    return 0


def argmax(row):
    """The index of the first largest value."""
    best = 0
    for k in range(1, len(row)):
        if row[k] > row[best]:
            best = k
    return best


def metrics(model, X, T, indices):
    """What the trained network scores on some samples: {"confusion", "accuracy"} for a classifier
    (confusion[true class][predicted class]), else {"rmse", "r2"} with r2 the mean over outputs
    of 1 - SS_res/SS_tot."""
    with torch.no_grad():
        _, y = model(X[indices])
    Y = y.double().tolist()
    targets = T[indices].double().tolist()
    if METRICS == "classes":
        confusion = [[0] * CLASSES for _ in range(CLASSES)]
        for y_row, t_row in zip(Y, targets):
            truth = (1 if t_row[0] >= 0.5 else 0) if SIGMOID else argmax(t_row)
            said = (1 if y_row[0] >= 0.5 else 0) if SIGMOID else argmax(y_row)
            confusion[truth][said] += 1
        return {"confusion": confusion, "accuracy": sum(confusion[c][c] for c in range(CLASSES)) / len(Y)}
    n, K = len(Y), len(Y[0])
    sse_all, r2 = 0.0, 0.0
    for k in range(K):
        sse = 0.0
        for i in range(n):
            d = Y[i][k] - targets[i][k]
            sse += d * d
        sse_all += sse
        mean = 0.0
        for i in range(n):
            mean += targets[i][k]
        mean /= n
        tot = 0.0
        for i in range(n):
            d = targets[i][k] - mean
            tot += d * d
        # All targets equal: SS_tot = 0, and the term is what IEEE division gives (-inf, or nan for 0/0).
        r2 += 1 - (sse / tot if tot != 0 else (math.nan if sse == 0 else math.inf))
    return {"rmse": math.sqrt(sse_all / (n * K)), "r2": r2 / K}


# ---- NetSpec's random numbers (server/src/engine/random.ts) and its shuffle ---------------------------

MASK = 0xFFFFFFFF


class Random:
    """xoshiro128** seeded through splitmix32, 32-bit arithmetic: NetSpec's documented PRNG."""

    def __init__(self, seed, stream=0):
        lo = seed & MASK
        hi = (seed >> 32) & MASK
        self.x = (lo ^ ((hi * 0x85EBCA6B) & MASK) ^ (((stream + 1) * 0x9E3779B9) & MASK)) & MASK
        self.s = [self.splitmix32() for _ in range(4)]
        if self.s == [0, 0, 0, 0]:
            self.s[0] = 1

    def splitmix32(self):
        self.x = (self.x + 0x9E3779B9) & MASK
        z = self.x
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
        return z ^ (z >> 16)

    def next_uint32(self):
        s0, s1, s2, s3 = self.s
        result = (rotl((s1 * 5) & MASK, 7) * 9) & MASK
        t = (s1 << 9) & MASK
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 11)
        self.s = [s0, s1, s2, s3]
        return result

    def next(self):
        """A uniform double in [0, 1) from 53 random bits: ((a >> 5) 2^26 + (b >> 6)) / 2^53."""
        a = self.next_uint32() >> 5
        b = self.next_uint32() >> 6
        return (a * 67108864 + b) / 9007199254740992


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & MASK


def fisher_yates(a, rng):
    """In place: for i from len - 1 down to 1, j = floor(next() (i + 1)), swap a[i] and a[j]."""
    for i in range(len(a) - 1, 0, -1):
        j = math.floor(rng.next() * (i + 1))
        a[i], a[j] = a[j], a[i]
    return a


def split_indices(n):
    """The training and test sets (ascending data indices): a permutation from stream ${SPLIT_STREAM}."""
    indices = list(range(n))
    if SPLIT >= 1:
        return indices, []
    n_train = max(1, math.floor(SPLIT * n))
    fisher_yates(indices, Random(SEED, ${SPLIT_STREAM}))
    return sorted(indices[:n_train]), sorted(indices[n_train:])


def epoch_order(train, batch, epoch):
    """The order of epoch \`epoch\` (0-based): data order for a full batch, else shuffled afresh."""
    order = list(train)
    if batch >= len(order):
        return order
    return fisher_yates(order, Random(SEED, ${SHUFFLE_STREAM_BASE} + epoch))


def shard(batch, rank, world):
    """This worker's consecutive part of a batch; the sizes differ by at most one."""
    return batch[rank * len(batch) // world:(rank + 1) * len(batch) // world]


# ---- training ------------------------------------------------------------------------------------


def evaluate(model, X, T, indices):
    """The mean per-sample loss (and accuracy) over some samples, with the current parameters."""
    with torch.no_grad():
        z, y = model(X[indices])
        loss = per_sample_loss(z, y, T[indices]).double().sum().item() / len(indices)
        return loss, correct(y, T[indices]) / len(indices)


def train(args, rank=0, world=1, device="cpu"):
    """The run on this worker; returns the JSON of \`netspec train --json\` (on every rank)."""
    dtype = torch.float32 if args.dtype == "float32" else torch.float64
    model = Model().to(device=device, dtype=dtype)
    net = model
    if world > 1:
        ids = [torch.device(device).index] if str(device).startswith("cuda") else None
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    parameters = model.parameters()
    optimizer = ${optimizerSource}
    scheduler = ${schedulerSource}
    X = torch.tensor(INPUTS, dtype=dtype, device=device)
    T = torch.tensor(TARGETS, dtype=dtype, device=device)
    train_set, test_set = split_indices(len(INPUTS))
    batch = len(train_set) if BATCH is None else min(BATCH, len(train_set))
    epochs = args.epochs if args.epochs is not None else EPOCHS

    history = {"loss": [], "test_loss": [], "accuracy": [], "test_accuracy": [], "lr": []}
    steps = 0
    diverged = None
    stopped_early = False
    best, since_best = math.inf, 0
    epoch = 0
    while epoch < epochs and diverged is None and not stopped_early:
        history["lr"].append(optimizer.param_groups[0]["lr"])
        order = epoch_order(train_set, batch, epoch)
        loss_sum, batches, hits, seen = 0.0, 0, 0, 0
        for start in range(0, len(order), batch):
            whole = order[start:start + batch]
            mine = shard(whole, rank, world)
            z, y = net(X[mine])
            E = per_sample_loss(z, y, T[mine])
            # The batch's loss and hits, summed over the workers (each has the same numbers after).
            totals = torch.tensor([E.detach().double().sum().item(), correct(y, T[mine])], dtype=torch.float64, device=device)
            if world > 1:
                dist.all_reduce(totals)
            batch_loss = totals[0].item() / len(whole)
            hits += int(totals[1].item())
            seen += len(whole)
            batches += 1
            loss_sum += batch_loss
            if not math.isfinite(batch_loss):
                diverged = {"epoch": epoch + 1, "step": batches, "loss": batch_loss}
                break
            optimizer.zero_grad()
            # DistributedDataParallel averages the workers' gradients; scaled by world / B, this
            # worker's share makes that average the batch's mean gradient, however it split.
            objective = E.sum() * (world / len(whole))
            if L1 != 0:
                # λ·Σ|w| on every worker: its gradient λ·sign(w) (0 at 0) is the same everywhere, so the average keeps it.
                objective = objective + L1 * sum(layer.weight.abs().sum() for _, layer in model.dense_layers())
            objective.backward()
            optimizer.step()
            steps += 1
        epoch += 1
        history["loss"].append(loss_sum / batches)
        history["accuracy"].append(hits / seen if seen else math.nan)
        if test_set:
            test_loss, test_accuracy = evaluate(model, X, T, test_set)
            history["test_loss"].append(test_loss)
            history["test_accuracy"].append(test_accuracy)
        if diverged is None:
            if scheduler is not None:
                scheduler.step()
            if PATIENCE is not None:
                # Early stopping on the test loss with a test set, else the train loss.
                monitored = history["test_loss"][-1] if test_set else history["loss"][-1]
                if monitored < best:
                    best, since_best = monitored, 0
                else:
                    since_best += 1
                    stopped_early = since_best >= PATIENCE and epoch < epochs

    final_loss, final_accuracy = evaluate(model, X, T, train_set)
    run = {
        "network": NETWORK,
        "data": DATA,
        "line": LINE,
        "epochs": epoch,
        "stopped_early": stopped_early,
        "lr": history["lr"],
        "loss": history["loss"],
        "final_loss": final_loss,
        "layers": {
            name: {
                "W": layer.weight.detach().double().T.tolist(),
                "b": None if layer.bias is None else layer.bias.detach().double().tolist(),
            }
            for name, layer in model.dense_layers()
        },
        "train_samples": len(train_set),
        "test_samples": len(test_set),
        "batch": batch,
        "steps": steps,
    }
    if test_set:
        run["test_loss"] = history["test_loss"]
        run["final_test_loss"] = evaluate(model, X, T, test_set)[0]
    if CLASSIFICATION:
        run["epoch_accuracy"] = history["accuracy"]
        run["final_accuracy"] = final_accuracy
        if test_set:
            run["test_accuracy"] = history["test_accuracy"]
            run["final_test_accuracy"] = evaluate(model, X, T, test_set)[1]
    if diverged:
        run["diverged"] = diverged
    run.update(metrics(model, X, T, train_set))
    if test_set:
        run["test"] = metrics(model, X, T, test_set)
    if rank == 0 and args.checkpoint:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epochs": epoch}, args.checkpoint)
    return {"file": SPEC, "runs": [run]}


# ---- output -------------------------------------------------------------------------------------------


def finite(v):
    """JSON has no NaN or Infinity: NetSpec writes them as the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, list):
        return [finite(x) for x in v]
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    return v


def report(result, as_json):
    if as_json:
        print(json.dumps(finite(result), separators=(",", ":"), allow_nan=False))
        return
    run = result["runs"][0]
    print(f"{SPEC}:{LINE}: train {NETWORK} on {DATA}: {OPTIMIZER}, learning_rate {LEARNING_RATE}, "
          f"{run['epochs']} epochs, batch {run['batch']}, {run['train_samples']} training samples")
    every = max(1, math.ceil(run["epochs"] / 10))
    for e, loss in enumerate(run["loss"], 1):
        if e == 1 or e == run["epochs"] or e % every == 0:
            print(f"  epoch {e}  loss {loss:.6g}")
    if "diverged" in run:
        d = run["diverged"]
        print(f"  diverged at epoch {d['epoch']}, step {d['step']}: the batch loss is {d['loss']}")
    if run["stopped_early"]:
        print(f"  stopped early after epoch {run['epochs']} (patience {PATIENCE})")
    print(f"  final loss {run['final_loss']:.10g}")
    for name, m in [("training set", run), ("test set", run.get("test"))]:
        if m is not None and "confusion" in m:
            print(f"  {name}: accuracy {m['accuracy']:.4g}, confusion {m['confusion']} (rows: true class, columns: predicted)")
        elif m is not None:
            print(f"  {name}: rmse {m['rmse']:.6g}  r2 {m['r2']:.6g}")


# ---- processes: one, several local workers, or a launcher's (torchrun) ----------------------------------


def backend(args):
    return "nccl" if args.device == "cuda" else "gloo"


def device_for(args, local_rank):
    if args.device != "cuda":
        return "cpu"
    if not torch.cuda.is_available():
        sys.exit("--device cuda: CUDA is not available here")
    torch.cuda.set_device(local_rank % torch.cuda.device_count())
    return f"cuda:{local_rank % torch.cuda.device_count()}"


def worker(rank, world, args):
    """One of --processes N local workers (MASTER_ADDR and MASTER_PORT are set by main)."""
    dist.init_process_group(backend(args), rank=rank, world_size=world)
    try:
        result = train(args, rank, world, device_for(args, rank))
        if rank == 0:
            report(result, args.json)
    finally:
        dist.destroy_process_group()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    parser = argparse.ArgumentParser(description=f"Train {NETWORK} on {DATA} as {SPEC} says, with PyTorch.")
    parser.add_argument("--json", action="store_true", help="print the JSON of \`netspec train --json\`")
    parser.add_argument("--processes", type=int, default=1, help="local workers, data-parallel (default 1)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--dtype", choices=["float64", "float32"], default=${pyString(info.precision)},
                        help="${info.precision === 'float32' ? "default float32, the spec's precision; float64 no longer follows NetSpec's float32 run" : "float32 is faster on GPUs but no longer reproduces NetSpec's numbers"}")
    parser.add_argument("--epochs", type=int, default=None, help=f"epochs to train (default {EPOCHS}, as the spec says)")
    parser.add_argument("--checkpoint", default=os.path.splitext(os.path.abspath(__file__))[0] + ".pt",
                        help="where to save the model's state_dict and the optimiser's (default: beside this file; '' for none)")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be at least 1")
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ and int(os.environ["WORLD_SIZE"]) > 1:
        # Started by a launcher (torchrun, or anything that sets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT).
        rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        dist.init_process_group(backend(args), init_method="env://", rank=rank, world_size=world)
        try:
            result = train(args, rank, world, device_for(args, int(os.environ.get("LOCAL_RANK", rank))))
            if rank == 0:
                report(result, args.json)
        finally:
            dist.destroy_process_group()
    elif args.processes > 1:
        os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
        os.environ["MASTER_PORT"] = str(free_port())
        torch.multiprocessing.spawn(worker, args=(args.processes, args), nprocs=args.processes, join=True)
    else:
        report(train(args, device=device_for(args, 0)), args.json)


if __name__ == "__main__":
    main()
`;
}
