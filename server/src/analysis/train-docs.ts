import { PRECISIONS, SCHEDULES, TRAIN_OPTIONS, type Program } from '../semantics/program';
import type { Span } from '../syntax/text';

/**
 * What completion and hover say of a `train` block's options and of the schedules: the form, the
 * default, and the PyTorch equivalent (docs/LANGUAGE.md, *train*, says the same at length).
 */

export interface OptionDoc {
  /** One line: the form people write. */
  detail: string;
  /** Markdown: what it does, its default and its PyTorch equivalent. */
  documentation: string;
}

export const TRAIN_OPTION_DOCS = {
  optimizer: { detail: 'optimizer sgd | momentum(m) | adam(b1, b2)', documentation: 'The optimiser; default `sgd`. PyTorch: `torch.optim.SGD` (momentum: dampening 0, not Nesterov) or `torch.optim.Adam` (eps 1e-8).' },
  learning_rate: { detail: 'learning_rate LR', documentation: 'The step size, above 0; default 0.1. PyTorch: the optimiser\'s `lr`.' },
  epochs: { detail: 'epochs N', documentation: 'Passes over the training set; default 100.' },
  batch: { detail: 'batch B', documentation: 'Samples per step; default the whole training set. PyTorch: a `DataLoader`\'s `batch_size` (drop_last=False).' },
  seed: { detail: 'seed S', documentation: 'The seed of the split and of the shuffles; default 0.' },
  split: { detail: 'split S', documentation: 'The fraction of the samples that train, in (0, 1]; the rest is the test set. Default 1.' },
  l2: { detail: 'l2 λ', documentation: 'Weight decay λ·p added to the gradient of every weight and bias; default 0. PyTorch: the optimiser\'s `weight_decay=λ`.' },
  l1: { detail: 'l1 λ', documentation: 'Adds λ·Σ|w| over every layer\'s weights (not biases) to each step\'s loss: the gradient gets λ·sign(w) (0 at w = 0). The reported losses stay the data loss. Default 0. PyTorch: `loss + λ * sum(layer.weight.abs().sum() for layer in layers)`.' },
  schedule: { detail: 'schedule step(N, G) | exponential(G) | cosine(T)', documentation: 'The learning rate over the epochs, changed at the end of each epoch; default constant. PyTorch: `torch.optim.lr_scheduler` `StepLR(step_size=N, gamma=G)`, `ExponentialLR(gamma=G)` or `CosineAnnealingLR(T_max=T, eta_min=0)`, `scheduler.step()` after every epoch.' },
  patience: { detail: 'patience N', documentation: 'Early stopping: the run stops when the monitored loss (the test loss with a `split` below 1, else the train loss) has not gone below its lowest for N epochs in a row; the parameters are those of the last epoch run. Default: no early stopping.' },
  precision: { detail: 'precision float64 | float32', documentation: 'The run\'s arithmetic; default `float64`. `float32` trains on float32 buffers and f32x4 kernels: faster on wide layers, about 7 significant digits, and its numbers follow PyTorch\'s float32 rather than float64 (hovers and probes stay float64; the trained parameters are float32 values). PyTorch: `dtype=torch.float32` (`torch.float64` for the default).' },
} satisfies Record<(typeof TRAIN_OPTIONS)[number], OptionDoc>;

/** What completion says of each precision after `precision`. */
export const PRECISION_DOCS = {
  float64: { detail: 'float64 (default)', documentation: 'Double precision, about 16 significant digits: the engine\'s own arithmetic. PyTorch: `dtype=torch.float64`.' },
  float32: { detail: 'float32', documentation: 'Single precision, about 7 significant digits, on f32x4 kernels: faster on wide layers. PyTorch: `dtype=torch.float32`.' },
} satisfies Record<(typeof PRECISIONS)[number], OptionDoc>;

export const SCHEDULE_DOCS = {
  step: { detail: 'step(N, G)', documentation: 'The learning rate times G every N epochs. PyTorch: `torch.optim.lr_scheduler.StepLR(optimizer, step_size=N, gamma=G)`.' },
  exponential: { detail: 'exponential(G)', documentation: 'The learning rate times G every epoch. PyTorch: `torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=G)`.' },
  cosine: { detail: 'cosine(T)', documentation: 'The learning rate along half a cosine from its value down to 0 over T epochs (and back up over the next T). PyTorch: `torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=T, eta_min=0)`.' },
} satisfies Record<(typeof SCHEDULES)[number], OptionDoc>;

/** The hover of a train option's word, or of a schedule's or a precision's name after `schedule` or `precision`, at `offset`. */
export function trainWordHover(program: Program, offset: number): { markdown: string; span: Span } | undefined {
  for (const t of program.trains) {
    if (offset < t.stmt.start || offset > t.stmt.end) continue;
    for (const o of t.stmt.options) {
      const doc = (TRAIN_OPTION_DOCS as Record<string, OptionDoc>)[o.name.text];
      if (doc && offset >= o.name.start && offset <= o.name.end) return { markdown: `\`${doc.detail}\`\n\n${doc.documentation}`, span: o.name };
      const v = o.value;
      const head = v.kind === 'name' ? v.name : v.kind === 'call' ? v.callee : undefined;
      const values = o.name.text === 'schedule' ? SCHEDULE_DOCS : o.name.text === 'precision' ? PRECISION_DOCS : undefined;
      const sdoc = head && values ? (values as Record<string, OptionDoc>)[head.text] : undefined;
      if (head && sdoc && offset >= head.start && offset <= head.end) return { markdown: `\`${o.name.text} ${sdoc.detail}\`\n\n${sdoc.documentation}`, span: head };
    }
  }
  return undefined;
}
