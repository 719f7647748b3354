import type { OutputKind } from '../losses';
import { firstLayerInput, type Activation, type DenseLayer, type Network } from '../network';
import { softmaxBackward } from '../softmax';
import { activateRows, inlinedCode } from './activate';
import { chainPlanInts, lossCodes, rowLoss, softmaxRows, SOFTMAX, writeChainPlan, type RowViews } from './chain';
import { ACCUMULATE, Arena, NO_BIAS, pad4, padWidth, type Floats, type KernelMode, type Precision } from './gemm';
import { int32Room } from './int32';
import { gateBand } from './bands';
import { bandedIndex, columnBand, threadSettings } from './parallel';
import type { StepScalars } from './update';
import type { BandStep } from './pool';

/**
 * A batch of samples through a network at once, in one arena (gemm.ts) allocated up front:
 * nothing is allocated per step. Row i of every matrix is sample i of the batch. Per layer, with
 * M inputs, K units, Mp, Kp those rounded up to the arena's tile width (4 in float64, 8 in
 * float32) and Bp the rows rounded up to 4 (the padding is zero and never reaches a real value):
 *
 *   Z = X W + b (Bp × Kp),  Y = g(Z), G = g'(Z) elementwise;
 *   at the output Δ = dE/dZ from the loss; below it ΔX = Δ Wᵀ, Δ_below = G_below ⊙ ΔX
 *   (Jᵀ ΔX per row for softmax);  dE/dW = Xᵀ Δ, dE/db = Σ_i Δ_i.
 *
 * Each sum runs in the order the per-sample code (`probe`, network.ts) uses — z_k from b_k over
 * j; dE/dy_j from 0 over k; dE/dW and dE/db from 0 over the samples in batch order — with the
 * same roundings, so a batch's losses and gradient sums are bit for bit the per-sample ones.
 *
 * With threads, a layer whose products are cut between them keeps W, its gradient sums and the
 * optimiser's state in column bands, one per thread (`LayerSlots.bands`): its products, the
 * gradient's product and the optimiser's step each give band t to thread t, which so reads and
 * writes a block of its own (parallel.ts `columnBand`). Where each weight lives changes no sum.
 *
 * In float32 (`precision float32`) every buffer is a Float32Array: each value is computed in
 * float64 from float32 operands and rounded to float32 where it is stored, as PyTorch stores each
 * float32 tensor of its forward and backward passes (the products round every term, gemm.ts).
 */
/**
 * The most bytes the training set's input rows may take in the arena (`stageInputs`): a larger
 * training set is copied in per batch from the samples, by the run's thread alone.
 */
const EPOCH_ROWS_MAX_BYTES = 128 << 20;

/**
 * Input rows of at least this many values are copied by one call (TypedArray.set); shorter ones
 * element by element, cheaper than the call (and than the subarray a set needs).
 */
const ROW_COPY_MIN = 32;

export class BatchWorkspace {
  readonly arena: Arena;
  /** Rows (samples) a pass may hold. */
  readonly capacity: number;
  readonly layers: LayerSlots[];
  /** Input rows: offset and stride (pad4(inputs)) in the arena. */
  readonly x: number;
  readonly xs: number;
  /**
   * The pass's input rows as a list of where they are staged (`usePass`): int32 byte addresses,
   * at this element offset (−1: no staged rows); and a row of zeros, which the list gives the
   * padding rows of a pass.
   */
  private readonly passList: number;
  private readonly zeroRow: number;
  /** Whether the pass reads its input rows through the list (`usePass`) rather than from x (`loadRow`). */
  private listed = false;
  /**
   * Each thread's copy of the transpose of the pass's listed rows (parallel.ts `TransposedRows`),
   * band t's `xTBand` elements past band 0's, its rows Bp apart (−1: none, where passes do not go
   * through the row chain); and the rows of the pass whose forward product wrote them (0: none
   * since the pass's rows changed).
   */
  private readonly xT: number;
  private readonly xTBand: number;
  private transposedRows = 0;
  /** The training set's input rows, in data order (`stageInputs`), and the epoch's order as int32 rows of them. */
  private readonly xStaged: number;
  private readonly epochOrder: number;
  /** Row in the staged rows of each data index (−1: not a training sample). */
  private stagedRow?: Int32Array;
  private readonly epochRows: number;
  /** Targets, row i at i·K (K = output units), in the arena's precision. */
  readonly targets: Floats;
  private readonly tRows: Floats[];
  /** dE/dy (or dE/dz) of one row, as the loss leaves it: a tensor of the arena's precision. */
  private readonly grad: Floats;
  private readonly kind: OutputKind;
  /**
   * Whether `backward` can take a step (some layer is kept in column bands, for threads): else a
   * batch's step is left to the optimiser alone, with nothing to begin or skip, which on a small
   * network's step of a few microseconds costs a sixth of it.
   */
  readonly stepsInBackward: boolean;
  /** dE/db's sums while `backward` takes them row by row: float64, as the sum of a local variable was, in float32 too. */
  private readonly sums: Float64Array;
  /** The output layer's rows and the targets' as `loss` reads them. */
  private readonly views: RowViews;
  /**
   * Where the pass's row chain's plan is (chain.ts; int32 values at this element offset), or −1
   * where passes go layer by layer: a chain is taken when the arena's threads share the first
   * layer's products and every layer above it has an inlined activation (softmax at the output).
   */
  private readonly chainPlan: number;
  /** Each row's loss as the chain leaves it (float64). */
  private readonly rowLosses: Floats;
  /** The rows of the last pass that went through the chain, whose losses and δ are then taken (0: none). */
  private chained = 0;

  /**
   * `stateBuffers`: the optimiser's state buffers per parameter tensor (optimizers.ts
   * `stateBuffers`), kept in the arena; `epochRows`: room for that many staged input rows and two
   * passes' rows gathered from them (`stageInputs`, `loadEpoch`, `usePass`; 0: none), taken when
   * the arena's products are cut between threads and the rows fit in EPOCH_ROWS_MAX_BYTES.
   */
  constructor(readonly net: Network, capacity: number, mode?: KernelMode, precision: Precision = 'float64', stateBuffers: 0 | 1 | 2 = 0, epochRows = 0) {
    this.capacity = capacity;
    const Bp = pad4(capacity);
    // Shared memory and helper threads only where some product is large enough for them.
    const largest = Math.max(...net.layers.map((l) => Bp * pad4(l.inputs) * pad4(l.units)));
    const threaded = largest >= threadSettings().minWork;
    // The first layer's fan-in: the inputs, or their derived features; a row of them, padded.
    this.xs = padWidth(net.layers[0]?.inputs ?? net.inputs, precision);
    // The training set's rows, the epoch's order of them and a pass's list of them, where the
    // threads share the first layer's products (`usePass` says why; on one thread a copy per
    // batch into rows that stay in cache costs less).
    const epochValues = this.xs + int32Room(Bp, precision);
    const stagedValues = epochRows * this.xs + int32Room(epochRows, precision);
    const epochFits = threaded && epochRows > 0 && (epochValues + stagedValues) * (precision === 'float32' ? 4 : 8) <= EPOCH_ROWS_MAX_BYTES;
    // Room for the transposes of a pass's rows, one per thread, where the row chain may run (float64).
    const transposes = epochFits && precision === 'float64' ? threadSettings().threads * this.xs * Bp : 0;
    const plan = planSize(net, Bp, precision, stateBuffers) + (epochFits ? epochValues + stagedValues + transposes : 0);
    this.arena = new Arena(plan, mode, precision, threaded);
    const A = this.arena;
    this.x = A.alloc(Bp * this.xs);
    const first = net.layers[0];
    const holds = epochFits && A.threaded && first !== undefined && A.bandsFor(A.pad(first.units), Bp * A.pad(first.inputs) * A.pad(first.units)) > 1;
    this.epochRows = holds ? epochRows : 0;
    this.passList = holds ? A.alloc(int32Room(Bp, precision)) : -1;
    this.zeroRow = holds ? A.alloc(this.xs) : -1;
    this.xStaged = holds ? A.alloc(epochRows * this.xs) : -1;
    this.epochOrder = holds ? A.alloc(int32Room(epochRows, precision)) : -1;
    let x = this.x;
    let xs = this.xs;
    this.layers = net.layers.map((layer, l) => {
      const M = layer.inputs;
      const K = layer.units;
      const Mp = A.pad(M);
      const Kp = A.pad(K);
      const W = A.alloc(Mp * Kp);
      const b = A.alloc(Kp);
      const gW = A.alloc(Mp * Kp);
      const gb = A.alloc(Kp);
      const Ks = rowStride(Kp, precision);
      const z = A.alloc(Bp * Ks);
      const y = A.alloc(Bp * Ks);
      const slot: LayerSlots = {
        layer, act: layer.activation, M, K, Mp, Kp, Ks, x, xs, W, b, gW, gb, z, y,
        bands: A.bandsFor(Kp, Bp * Mp * Kp),
        mW: stateBuffers > 0 ? A.alloc(Mp * Kp) : -1,
        vW: stateBuffers > 1 ? A.alloc(Mp * Kp) : -1,
        mb: stateBuffers > 0 ? A.alloc(Kp) : -1,
        vb: stateBuffers > 1 ? A.alloc(Kp) : -1,
        gp: A.alloc(Bp * Ks),
        delta: A.alloc(Bp * Ks),
        WT: l > 0 ? A.alloc(Kp * Mp) : -1,
        transposed: false,
        dx: l > 0 ? A.alloc(Bp * xs) : -1,
        Wv: A.view(W, Mp * Kp), bv: A.view(b, Kp), gWv: A.view(gW, Mp * Kp), gbv: A.view(gb, Kp),
        yRows: [], zRows: [], dRows: [], dxRows: [],
      };
      for (let i = 0; i < Bp; i++) {
        slot.yRows.push(A.view(y + i * Ks, K));
        slot.zRows.push(A.view(z + i * Ks, K));
        slot.dRows.push(A.view(slot.delta + i * Ks, K));
        if (l > 0) slot.dxRows.push(A.view(slot.dx + i * xs, M));
      }
      x = y;
      xs = Ks;
      return slot;
    });
    const out = net.layers[net.layers.length - 1];
    const K = out.units;
    // In the arena, where the threads read them (chain.ts).
    const targets = A.alloc(Bp * K);
    this.targets = A.view(targets, Bp * K);
    this.tRows = Array.from({ length: Bp }, (_, i) => this.targets.subarray(i * K, (i + 1) * K));
    this.grad = precision === 'float32' ? new Float32Array(K) : new Float64Array(K);
    this.kind = outputKind(out.activation);
    this.sums = new Float64Array(Math.max(0, ...this.layers.map((s) => s.K)));
    this.stepsInBackward = this.layers.some((s) => s.bands > 1);
    const last = this.layers[this.layers.length - 1];
    this.views = { z: last.zRows, y: last.yRows, t: this.tRows, d: last.dRows, grad: this.grad };
    const chains = A.chains && chainable(this.layers);
    this.chainPlan = chains ? A.alloc(chainRoom(this.layers.length)) : -1;
    const transposing = chains && holds && transposes > 0 && this.layers[0].bands <= threadSettings().threads;
    this.xTBand = transposing ? this.xs * Bp : 0;
    this.xT = transposing ? A.alloc(this.layers[0].bands * this.xTBand) : -1;
    const losses = chains ? A.alloc(Bp) : -1;
    this.rowLosses = A.view(Math.max(0, losses), chains ? Bp : 0);
    if (chains) {
      const [first, ...above] = this.layers;
      writeChainPlan(A.int32View(this.chainPlan, 2 * chainRoom(this.layers.length)), 0, {
        ...lossCodes(net.loss, this.kind), targets, losses, width: A.width,
        first: { gp: first.gp, delta: first.delta },
        layers: above.map((s) => ({ x: s.x, xs: s.xs, W: s.W, bands: s.bands, Mp: s.Mp, Kp: s.Kp, Ks: s.Ks, b: s.b, z: s.z, y: s.y, gp: s.gp, delta: s.delta, WT: s.WT, dx: s.dx, K: s.K, M: s.M, act: s.act.kind === 'softmax' ? SOFTMAX : inlinedCode(s.act.builtin)! })),
      });
    }
    this.readParameters();
  }

  /** Copies the network's W and b into the arena. */
  readParameters(): void {
    this.settle();
    const h = this.arena.heap;
    for (const s of this.layers) {
      s.transposed = false;
      const { W, b } = s.layer;
      forEachWeight(s, this.arena.width, (j, k, at) => (h[s.W + at] = W[j * s.K + k]));
      for (let k = 0; k < s.K; k++) h[s.b + k] = b[k];
    }
  }

  /** Copies the arena's W and b back into the network. */
  writeParameters(): void {
    this.settle();
    const h = this.arena.heap;
    for (const s of this.layers) {
      const { W, b } = s.layer;
      forEachWeight(s, this.arena.width, (j, k, at) => (W[j * s.K + k] = h[s.W + at]));
      for (let k = 0; k < s.K; k++) b[k] = h[s.b + k];
    }
  }

  /** The last X `inputsOf` was given, in the arena's element type. */
  private inputs?: { of: Float64Array; as: Floats };

  /**
   * X in the arena's element type: X itself in float64; in float32 a copy rounded once per run
   * (the same values element stores would round to), so that each row loads as a plain memcpy.
   */
  private inputsOf(X: Float64Array): Floats {
    if (this.arena.heap instanceof Float64Array) return X;
    if (this.inputs?.of !== X) this.inputs = { of: X, as: new Float32Array(X) };
    return this.inputs.as;
  }

  /** Puts sample `at` of X (rows of M values) and T (rows of K values) in row i; the next pass reads these rows. */
  loadRow(i: number, X: Float64Array, T: Float64Array, at: number): void {
    this.putInputs(this.x + i * this.xs, X, at);
    this.loadTarget(i, T, at);
    this.listed = false;
    this.transposedRows = 0;
  }

  /** Whether the workspace has room for the training set's input rows (`stageInputs`, `loadEpoch`). */
  get holdsEpoch(): boolean {
    return this.passList >= 0;
  }

  /**
   * Puts the inputs of the training samples (`indices` into X, at most the `epochRows` the
   * workspace was made with) in the arena once, as a pass would read them (standardized, or
   * their derived features), for `loadEpoch` to copy from.
   */
  stageInputs(X: Float64Array, indices: readonly number[]): void {
    if (indices.length > this.epochRows) throw new Error(`${indices.length} training rows; the workspace has room for ${this.epochRows}`);
    let top = 0;
    for (const at of indices) top = Math.max(top, at + 1);
    const rowOf = new Int32Array(top).fill(-1);
    indices.forEach((at, s) => {
      this.putInputs(this.xStaged + s * this.xs, X, at);
      rowOf[at] = s;
    });
    this.stagedRow = rowOf;
  }

  /**
   * The epoch's order: row r of it is sample order[r] of the staged inputs (`stageInputs`), kept
   * as an int32 list of staged rows, from which each pass lists its own (`usePass`).
   */
  loadEpoch(order: readonly number[]): void {
    const rowOf = this.stagedRow;
    if (!rowOf || order.length > this.epochRows) throw new Error('loadEpoch before stageInputs, or more rows than staged');
    const ints = this.arena.int32View(this.epochOrder, order.length);
    for (let r = 0; r < order.length; r++) {
      const s = order[r] < rowOf.length ? rowOf[order[r]] : -1;
      if (s < 0) throw new Error(`sample ${order[r]} was not staged`);
      ints[r] = s;
    }
    this.arena.products.epochRows++;
  }

  /**
   * The next pass reads rows r … r + n − 1 of the epoch's order (`loadEpoch`; its targets still
   * come from `loadTarget`) where they are staged, through a list of their addresses that the
   * first layer's products read (parallel.ts `AList`): its forward product reads the rows
   * listed, its gradient's product Xᵀ Δ the same rows as Xᵀ's columns listed. A copy of the rows
   * per pass, gathered by the threads, took a two-thread step of the 784-128-64-10 network about
   * 40 µs of its 1,050; read through the list, the rows (from beyond a core's L2 either way) cost
   * the gradient's product about as much, a column of them at a time, so the two steps ran alike,
   * and the list needs no pass buffers and no task in the background. The pass's padding rows
   * list a row of zeros.
   */
  usePass(r: number, n: number): void {
    const e = this.arena.heap.BYTES_PER_ELEMENT;
    const rows = pad4(n);
    const list = this.arena.int32View(this.passList, rows);
    const order = this.arena.int32View(this.epochOrder, r + n);
    for (let i = 0; i < n; i++) list[i] = e * (this.xStaged + order[r + i] * this.xs);
    for (let i = n; i < rows; i++) list[i] = e * this.zeroRow;
    this.listed = true;
    this.transposedRows = 0;
  }

  /** Puts the targets of sample `at` of T (rows of K values) in row i. */
  loadTarget(i: number, T: Float64Array, at: number): void {
    const K = this.grad.length;
    const t = this.targets;
    const tsrc = at * K;
    for (let k = 0; k < K; k++) t[i * K + k] = T[tsrc + k];
  }

  /** The inputs of sample `at` of X (rows of M values) into the row at offset o. */
  private putInputs(o: number, X: Float64Array, at: number): void {
    const h = this.arena.heap;
    const M = this.net.inputs;
    const src = at * M;
    // The same arithmetic as network.ts standardizeInput, so a batch equals `probe` bit for bit.
    const st = this.net.standardize;
    const features = this.net.features;
    if (features) {
      // Derived features (network.ts firstLayerInput): computed from the row, then copied in.
      const f = firstLayerInput(this.net, X.subarray(src, src + M));
      for (let j = 0; j < f.length; j++) h[o + j] = f[j];
    } else if (st) for (let j = 0; j < M; j++) h[o + j] = (X[src + j] - st.mean[j]) / st.std[j];
    // A long row as one copy (a float32 arena copies from X rounded once); a short one (a few
    // inputs) element by element, cheaper than making the subarray the copy needs.
    else if (M >= ROW_COPY_MIN) h.set(this.inputsOf(X).subarray(src, src + M), o);
    else for (let j = 0; j < M; j++) h[o + j] = X[src + j];
  }

  /** The output row i after `forward` (a view; valid until the next pass). */
  output(i: number): Floats {
    return this.layers[this.layers.length - 1].yRows[i];
  }

  /** Z = XW + b, Y = g(Z), G = g'(Z) for rows 0 … n−1, layer by layer (or through the row chain, `forwardChain`). */
  forward(n: number): void {
    const A = this.arena;
    this.settle();
    this.chained = 0;
    if (this.chains) {
      this.forwardFirst(n);
      return this.forwardChain(n);
    }
    this.layers.forEach((s, l) => {
      if (s.bands > 1) {
        if (!this.bandedForward(l, n)) this.activateLayer(l, n);
      } else {
        A.gemm(s.x, s.xs, 1, s.W, s.Kp, s.z, s.Ks, s.b, pad4(n), s.Kp, s.M);
        this.activateLayer(l, n);
      }
    });
  }

  /**
   * The forward product of layer l, kept in column bands, with tanh or σ taken by each part on
   * the columns it has just computed, in its core's cache (taken after the product, over rows the
   * other thread had written, the run's thread took about 15 ns an element of tanh, against 5 on
   * rows in its own cache); the first layer reads the pass's listed rows (`usePass`). Returns
   * whether the activation was taken.
   */
  private bandedForward(l: number, n: number): boolean {
    const s = this.layers[l];
    const code = s.act.kind === 'scalar' ? inlinedCode(s.act.builtin) : undefined;
    const act = code === undefined ? undefined : { code, y: s.y, gp: s.gp, n, K: s.K };
    const list = l === 0 ? this.passRows('rows') : undefined;
    // Where passes go through the row chain, the first layer's parts also write the transpose of
    // the rows they have just read, each thread its own copy, for the weights' gradient (`layerGradient`).
    const transpose = list && this.xT >= 0 ? { at: this.xT, stride: pad4(this.capacity), band: this.xTBand } : undefined;
    if (transpose) this.transposedRows = n;
    return this.arena.gemmBanded(s.bands, list ? 0 : s.x, s.xs, 1, s.W, 0, s.Mp, s.z, s.Ks, 0, s.b, pad4(n), s.Kp, s.M, undefined, act, list && { ...list, transpose });
  }

  /** The pass's list of its input rows (`usePass`), for the first layer's products to read as a's `mode`; undefined when the pass's rows are in x (`loadRow`). */
  private passRows(mode: 'rows' | 'cols'): { mode: 'rows' | 'cols'; at: number } | undefined {
    return this.listed ? { mode, at: (this.passList * this.arena.heap.BYTES_PER_ELEMENT) / 4 } : undefined;
  }

  /** Whether passes go through the row chain (`forwardChain`). */
  get chains(): boolean {
    return this.chainPlan >= 0;
  }

  /** The first part of a pass through the row chain: the first layer's product with its activation, on the threads (the bench times it alone). */
  forwardFirst(n: number): void {
    if (!this.bandedForward(0, n)) this.activateLayer(0, n);
  }

  /**
   * The rest of a pass through the row chain (chain.ts), after `forwardFirst`: every row through
   * the layers above the first, its loss and the backward pass's δ of each layer, the rows cut
   * between the threads (`Arena.chain`); `loss` then reads each row's, and `backward` takes only
   * the gradients. Wᵀ of each layer above the first is brought up to date first, as `backward`
   * does.
   */
  forwardChain(n: number): void {
    const A = this.arena;
    for (const s of this.layers.slice(1)) {
      if (s.transposed) continue;
      if (s.bands > 1) transposeBands(A, s);
      else A.transposeBand(s.W, s.Kp, s.WT, s.Mp, 0, s.K, s.M);
      s.transposed = true;
    }
    A.chain(this.chainPlan, n, this.capacity);
    this.chained = n;
  }

  /** Y = g(Z), G = g'(Z) of layer l, rows 0 … n−1 (after its product). */
  activateLayer(l: number, n: number): void {
    const A = this.arena;
    const h = A.heap;
    const { K, Ks, z, y, gp, act } = this.layers[l];
    if (act.kind === 'softmax') softmaxRows(h, z, y, 0, n, K, Ks);
    else activate(act, h, z, y, gp, n, K, Ks, A);
  }

  /**
   * The loss of row i (after `forward`), E_i; leaves δ = dE/dz of that row at the output layer
   * for `backward` (after a pass through the row chain, both are there already).
   */
  loss(i: number): number {
    if (i < this.chained) return this.rowLosses[i];
    const out = this.layers[this.layers.length - 1];
    return rowLoss(this.arena.heap, this.net.loss, this.kind, out.act.kind === 'softmax', out.gp, out.Ks, this.views, i);
  }

  /**
   * From the output δ of rows 0 … n−1 (each row's `loss` taken): δ of every layer, then
   * gW = Xᵀ Δ and gb = Σ_i Δ_i — the sums of the n per-sample gradients, in row order; with
   * `accumulate`, added to the sums already there (a batch larger than `capacity`, in parts).
   * With `step`, the last pass of a batch whose step is to be taken, each layer kept in column
   * bands has its weights and biases stepped, its Wᵀ written anew and its dE/db summed by the
   * threads in its gradient's product (gemm.ts `gemmBanded`), the output layer (kept whole) the
   * same by a helper while this thread goes on (`layerGradient`, `settle`), and `step.stepped`
   * says which tensors were stepped.
   */
  backward(n: number, accumulate = false, step?: StepInBackward): void {
    const A = this.arena;
    const h = A.heap;
    this.settle();
    const rows = pad4(n);
    // After the row chain, each layer's δ is there: only the gradients are left.
    const chained = this.chained === n;
    this.chained = 0;
    for (let l = this.layers.length - 1; l > 0 && !chained; l--) {
      const s = this.layers[l];
      const { M, K, Mp, Kp, Ks, W, WT, dx, xs } = s;
      if (!s.transposed) {
        if (s.bands > 1) transposeBands(A, s);
        else A.transposeBand(W, Kp, WT, Mp, 0, K, M);
        s.transposed = true;
      }
      // dE/dy_j of the layer below = Σ_k w_{j,k} δ_k, and, where the product is cut between
      // threads, δ_below = g' ⊙ dE/dy taken by each part on what it has just computed, rather
      // than by this thread alone over rows the other thread wrote.
      const below = this.layers[l - 1];
      const gate = below.act.kind === 'softmax' ? undefined : { gp: below.gp, delta: below.delta, n, K: M };
      if (A.gemm(s.delta, Ks, 1, WT, Mp, dx, xs, NO_BIAS, rows, Mp, K, gate)) continue;
      if (below.act.kind === 'softmax') {
        for (let i = 0; i < n; i++) softmaxBackward(below.yRows[i], s.dxRows[i], below.dRows[i]);
      } else gateBand(h, dx, below.gp, below.delta, xs, 0, n, 0, M);
    }
    for (let l = 0; l < this.layers.length; l++) this.layerGradient(l, n, accumulate, step);
  }

  /**
   * dE/dW and dE/db of layer l over rows 0 … n−1 once its δ is known (`backward`, whose
   * arguments these are; the bench times it alone): with `step`, a layer kept in column bands
   * has its weights and biases stepped in the product's parts, as `backward` says.
   */
  layerGradient(l: number, n: number, accumulate = false, step?: StepInBackward): void {
    const A = this.arena;
    const s = this.layers[l];
    const { K, Kp, Ks, delta, gb } = s;
    // dE/dw_{j,k} summed over the rows: x_{i,j} δ_{i,k}, i in order
    const init = accumulate ? ACCUMULATE : NO_BIAS;
    if (s.bands > 1) {
      const fused = step && bandStep(s, step);
      // The first layer's Xᵀ: each band's copy of the transpose its forward product wrote
      // (`bandedForward`), read along its rows; else through the pass's list of its rows, as Xᵀ's
      // columns (`usePass`).
      const transposed = l === 0 && this.transposedRows === n;
      const list = l === 0 && !transposed ? this.passRows('cols') : undefined;
      const [a, as, at] = transposed ? [this.xT, pad4(this.capacity), 1] : [list ? 0 : s.x, 1, s.xs];
      if (A.gemmBanded(s.bands, a, as, at, delta, Ks, 0, s.gW, 0, s.Mp, init, s.Mp, Kp, n, fused, undefined, list, transposed ? this.xTBand : 0)) {
        // The threads took the step on W and b, wrote the new Wᵀ and summed dE/db (pool.ts `steppedPart`).
        stepTaken(s, step!);
        return;
      }
    } else {
      if (step && l === this.layers.length - 1) {
        // The output layer, kept whole: where the arena has helpers, its gradient and step go to
        // one (gemm.ts `stepLayerInBackground`) while the trainer's bookkeeping and the next
        // pass's rows and targets are done here; the next pass (or `settle`) waits for it first.
        if (A.stepLayerInBackground(s.x, 1, s.xs, delta, Ks, s.gW, s.Mp, init, s.Mp, Kp, n, bandStep(s, step))) {
          stepTaken(s, step);
          return;
        }
      }
      A.gemm(s.x, 1, s.xs, delta, Ks, s.gW, Kp, init, s.Mp, Kp, n);
    }
    A.columnSums(this.sums, delta, Ks, n, 0, K, gb, accumulate);
  }

  /**
   * Waits for the output layer's gradient and step if a helper is still taking them
   * (`layerGradient`): before reading or writing that layer's weights, gradient or optimiser
   * state other than through a pass (the passes wait themselves).
   */
  settle(): void {
    this.arena.settle();
  }
}

/**
 * An optimiser's step begun for `backward` to take where it can (optimizers.ts `begin`): its
 * scalars, the weights' λ₁, and the offsets of the weight tensors it has stepped.
 */
export interface StepInBackward {
  scalars: StepScalars;
  l1: number;
  stepped: Set<number>;
}

/** One layer's place in the arena (offsets into its heap) and views of its parameters. */
export interface LayerSlots {
  layer: DenseLayer;
  act: Activation;
  M: number;
  K: number;
  Mp: number;
  Kp: number;
  /** The row stride of z, y, gp and δ (`rowStride`); the layer above's ΔX has its rows as far apart. */
  Ks: number;
  /** The input rows (the layer below's y, or the workspace's x) and their stride. */
  x: number;
  xs: number;
  W: number;
  b: number;
  gW: number;
  gb: number;
  z: number;
  y: number;
  gp: number;
  delta: number;
  /**
   * How W, its gradient sums and the optimiser's state for it are laid out: 1, rows of Kp values;
   * or, for a layer large enough for the arena's threads, in that many column bands (parallel.ts
   * `columnBand`), band t's block of Mp rows at Mp · k0 — the block thread t reads and writes
   * (`weightIndex` finds w_{j,k}).
   */
  bands: number;
  /** Wᵀ (Kp × Mp) for the backward pass; −1 for the first layer. */
  WT: number;
  /**
   * Whether WT holds the transpose of W as it is: set where WT is written (`backward`, or the
   * threads after their step on W, pool.ts `steppedPart`), cleared wherever W changes otherwise
   * (`readParameters`, the optimiser's own step, optimizers.ts).
   */
  transposed: boolean;
  /** ΔX = Δ Wᵀ (Bp rows, xs apart, of Mp values); −1 for the first layer. */
  dx: number;
  /** The optimiser's state for W and b (optimizers.ts: momentum's buf, Adam's m; Adam's v); −1 where it keeps none. */
  mW: number;
  vW: number;
  mb: number;
  vb: number;
  /** W, b, and the gradient sums, as views (padded: Mp × Kp and Kp). */
  Wv: Floats;
  bv: Floats;
  gWv: Floats;
  gbv: Floats;
  yRows: Floats[];
  zRows: Floats[];
  dRows: Floats[];
  dxRows: Floats[];
}

/** The optimiser's step on layer s as the threads take it with its gradient (pool.ts `BandStep`): the weights with the step's λ₁. */
function bandStep(s: LayerSlots, step: StepInBackward): BandStep {
  step.scalars.l1 = step.l1;
  return { scalars: step.scalars, p: s.W, m: s.mW, v: s.vW, WT: s.WT, gb: s.gb, b: s.layer.hasBias ? s.b : -1, mb: s.mb, vb: s.vb };
}

/** Once the threads have taken layer s's step (`bandStep`): its W and b stepped, its Wᵀ written from the new W. */
function stepTaken(s: LayerSlots, step: StepInBackward): void {
  step.stepped.add(s.W);
  if (s.layer.hasBias) step.stepped.add(s.b);
  s.transposed = true;
}

/** Where w_{j,k} (and its gradient sum, and its optimiser state) is, past the start of the layer's W. */
export function weightIndex(s: LayerSlots, width: number, j: number, k: number): number {
  return bandedIndex(s.Mp, s.Kp, s.bands, width, j, k);
}

/** Wᵀ of a layer kept in column bands: each band's block read row by row. */
function transposeBands(A: Arena, s: LayerSlots): void {
  const { M, K, Mp, Kp, W, WT } = s;
  for (let t = 0; t < s.bands; t++) {
    const [k0, k1] = columnBand(Kp, s.bands, t, A.width);
    A.transposeBand(W + Mp * k0, k1 - k0, WT, Mp, k0, Math.min(k1, K), M);
  }
}

/** Calls `f` for every weight w_{j,k} (j < M, k < K) with its index past the start of W, band by band. */
function forEachWeight(s: LayerSlots, width: number, f: (j: number, k: number, at: number) => void): void {
  for (let t = 0; t < s.bands; t++) {
    const [k0, k1] = columnBand(s.Kp, s.bands, t, width);
    const w = k1 - k0;
    const base = s.Mp * k0;
    for (let j = 0; j < s.M; j++) for (let k = k0; k < Math.min(k1, s.K); k++) f(j, k, base + j * w + (k - k0));
  }
}

/**
 * y = g(z) and g'(z) from (z, y) over rows 0 … n−1 of a Bp × Kp block: sigmoid and tanh inlined
 * (activate.ts, bit for bit activations.ts's arithmetic) — through `arena`, the heap's own, when
 * given, so that its threads share the rows (gemm.ts `Arena.activate`) — and any other activation
 * through its own value and derivative.
 */
export function activate(act: Activation & { kind: 'scalar' }, h: Floats, z: number, y: number, gp: number, n: number, K: number, Kp: number, arena?: Arena): void {
  const code = inlinedCode(act.builtin);
  if (code !== undefined) {
    if (arena) arena.activate(code, z, y, gp, n, K, Kp);
    else activateRows(code, h, z, y, gp, 0, n, K, Kp);
    return;
  }
  for (let i = 0; i < n; i++) {
    const o = i * Kp;
    for (let k = 0; k < K; k++) {
      const zk = h[z + o + k];
      const yk = act.value(zk);
      h[y + o + k] = yk;
      h[gp + o + k] = act.derivative(zk, yk);
    }
  }
}

/**
 * Whether a pass through these layers can go through the row chain (chain.ts): the first layer's
 * products are cut between threads (it is kept in column bands) and its activation is elementwise,
 * and each layer above has an inlined one (activate.ts), or softmax at the output.
 */
function chainable(layers: readonly LayerSlots[]): boolean {
  const L = layers.length;
  return L >= 2 && layers[0].bands > 1 && layers[0].act.kind === 'scalar' && layers.slice(1).every((s, l) => (s.act.kind === 'softmax' ? l === L - 2 : inlinedCode(s.act.builtin) !== undefined));
}

/** Elements of a float64 arena a chain's plan over `layers` layers takes (chain.ts `chainPlanInts`). */
function chainRoom(layers: number): number {
  return Math.ceil(chainPlanInts(layers - 1) / 2);
}

function outputKind(a: Activation): OutputKind {
  if (a.kind === 'softmax') return 'softmax';
  return a.name === 'sigmoid' ? 'sigmoid' : 'other';
}

/**
 * The distance between rows of a layer's z, y, g' and δ of Kp values: Kp, or a cache line more
 * where Kp values take a multiple of 512 bytes. Rows 512 bytes apart fall in the same few of L1's
 * 64 sets, so a product reading a tile's worth of them — δ as b of the weights' gradient Xᵀ Δ, for
 * the 128 units of the 784-128-64-10 network — evicts its own columns and fetches them again from
 * L2. On one core of the Intel machine of README.md's tables, that product took 303 µs with δ's
 * rows 1 KB apart and 292 µs a line further apart. On the AMD machine there, the network's
 * one-thread step ran 1.014–1.018× (bench/ab.js, 100 rounds, float64), its two-thread step as
 * before (0.994–1.005×), float32 as before (0.999×).
 */
export function rowStride(Kp: number, precision: Precision): number {
  const bytes = precision === 'float32' ? 4 : 8;
  return Kp > 0 && (Kp * bytes) % 512 === 0 ? Kp + 64 / bytes : Kp;
}

/** The values a workspace of Bp rows needs (each allocation rounded up to the tile's width). */
function planSize(net: Network, Bp: number, precision: Precision, stateBuffers: number): number {
  const pad = (n: number) => padWidth(n, precision);
  const L = net.layers.length;
  // the input rows, the targets, a row chain's plan and its rows' losses
  let n = Bp * pad(net.layers[0]?.inputs ?? net.inputs) + pad(Bp * (net.layers[L - 1]?.units ?? 0)) + pad(chainRoom(Math.max(1, L))) + pad(Bp);
  net.layers.forEach((layer, l) => {
    const Mp = pad(layer.inputs);
    const Kp = pad(layer.units);
    n += (2 + stateBuffers) * (Mp * Kp + Kp) + 4 * Bp * rowStride(Kp, precision);
    if (l > 0) n += Kp * Mp + Bp * rowStride(Mp, precision);
  });
  return n;
}
