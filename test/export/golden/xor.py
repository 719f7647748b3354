#!/usr/bin/env python3
"""The network `xor` of examples/xor.netspec and its training run (`train xor on xor_data`,
line 17), exported by NetSpec 0.1.0 as a self-contained PyTorch program.

    python3 xor.xor.py --json                # prints what `netspec train --json` prints for this run
    python3 xor.xor.py --json --processes 4  # four local workers, DistributedDataParallel (gloo)
    torchrun --nnodes N --nproc_per_node G xor.xor.py --device cuda   # a cluster (NCCL)

It reproduces the editor's run: the same initial weights and samples (below), the same
mini-batch order (NetSpec's random numbers, reimplemented here), the same derivatives, and
torch.optim's arithmetic in float64; numbers agree with NetSpec's to rounding (about 1e-12,
drifting slowly over long runs). With several workers each batch is cut into consecutive
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

SPEC = "examples/xor.netspec"
NETWORK = "xor"
DATA = "xor_data"
LINE = 17
OPTIMIZER = "sgd"
LEARNING_RATE = 0.5
EPOCHS = 2000
BATCH = 4
SEED = 0  # the shuffling and split seed
SPLIT = 1  # the fraction of samples that train; the rest is the test set
L2 = 0  # weight decay, on weights and biases
L1 = 0  # λ of λ·Σ|w| over the weights (not the biases), added to each step's loss
SCHEDULE = None  # the learning rate, stepped after every epoch (torch.optim.lr_scheduler)
PATIENCE = None  # early stopping: epochs without a new lowest monitored loss
# The metrics over the training (and test) set with the final parameters: "classes" (a confusion
# matrix of CLASSES classes and the accuracy; SIGMOID: one sigmoid unit, class 1 at y >= 0.5) or
# "regression" (rmse and r2).
METRICS = "regression"
CLASSES = None
SIGMOID = False
# How accuracy is counted: "argmax" (softmax, one-hot targets), "threshold" (sigmoid, 0/1 targets) or None.
CLASSIFICATION = "threshold"

# The initial parameters, as NetSpec computed them: W[j][k] is the weight from input j to unit k.
INITIAL = {
    "h": {  # self.h: W[2][4]
        "W": [
            [-0.8949668945941078, -0.3017506161858243, -0.21826967703131173, 0.2855757859897059],
            [0.4668026566253787, 0.4549007860470775, 0.7273095188426333, 0.0758999313093085],
        ],
        "b": [0, 0, 0, 0],
    },
    "y": {  # self.y: W[4][1]
        "W": [
            [-0.8937005824795865],
            [0.7024312641102601],
            [0.41134682856626825],
            [0.4811493808474039],
        ],
        "b": [0],
    },
}

# The 4 samples of `xor_data`, as the spec writes them: inputs, then targets.
INPUTS = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
]
TARGETS = [
    [0],
    [1],
    [1],
    [0],
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


def tanh(z):
    """tanh(z) = sinh z / cosh z"""
    return torch.tanh(z)


def tanh_d1(z):
    """tanh'(z) = 1 - tanh²(z), as (1 - |t|)(1 + |t|) with 1 - |t| = 2 / (e^(2|z|) + 1): no cancellation"""
    a = 2 / (torch.exp(2 * torch.abs(z)) + 1)
    return a * (2 - a)


def tanh_prime(z, y):
    """tanh'(z) = 1 - tanh²(z), as (1 - |t|)(1 + |t|) with 1 - |t| = 2 / (e^(2|z|) + 1): no cancellation; y = tanh(z) from the forward pass"""
    return tanh_d1(z)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z)"""
    return torch.sigmoid(z)


def sigmoid_prime(z, y):
    """σ'(z) = p (1 - p), p = σ(z), with 1 - p = σ(-z): exact where σ saturates; y = sigmoid(z) from the forward pass"""
    return y * torch.sigmoid(-z)


# ---- the network and its loss ------------------------------------------------------------------------


class Model(torch.nn.Module):
    """xor: input 2 -> h[4] tanh -> y[1] sigmoid.
    Each dense layer is a torch.nn.Linear, whose weight is W transposed ([units][inputs])."""

    def __init__(self):
        super().__init__()
        self.h = torch.nn.Linear(2, 4, dtype=torch.float64)
        self.y = torch.nn.Linear(4, 1, dtype=torch.float64)
        with torch.no_grad():
            for name, layer in self.dense_layers():
                layer.weight.copy_(torch.tensor(INITIAL[name]["W"], dtype=torch.float64).T)
                if layer.bias is not None:
                    layer.bias.copy_(torch.tensor(INITIAL[name]["b"], dtype=torch.float64))

    def dense_layers(self):
        """(NetSpec name, torch.nn.Linear) for each dense layer, in order."""
        return [("h", self.h), ("y", self.y)]

    def forward(self, x):
        """The output layer's z and y = g(z), a row per sample: the loss takes ln y from z where it can."""
        x = activation(self.h(x), tanh, tanh_prime)
        z = self.y(x)
        return z, activation(z, sigmoid, sigmoid_prime)


def per_sample_loss(z, y, t):
    """squared_error: E = 1/2 Σ_k (y_k - t_k)², one value per sample (row)."""
    return 0.5 * ((y - t) ** 2).sum(dim=1)


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
    """The training and test sets (ascending data indices): a permutation from stream 999999."""
    indices = list(range(n))
    if SPLIT >= 1:
        return indices, []
    n_train = max(1, math.floor(SPLIT * n))
    fisher_yates(indices, Random(SEED, 999999))
    return sorted(indices[:n_train]), sorted(indices[n_train:])


def epoch_order(train, batch, epoch):
    """The order of epoch `epoch` (0-based): data order for a full batch, else shuffled afresh."""
    order = list(train)
    if batch >= len(order):
        return order
    return fisher_yates(order, Random(SEED, 1000000 + epoch))


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
    """The run on this worker; returns the JSON of `netspec train --json` (on every rank)."""
    dtype = torch.float32 if args.dtype == "float32" else torch.float64
    model = Model().to(device=device, dtype=dtype)
    net = model
    if world > 1:
        ids = [torch.device(device).index] if str(device).startswith("cuda") else None
        net = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids)
    parameters = model.parameters()
    optimizer = torch.optim.SGD(parameters, lr=LEARNING_RATE, momentum=0, dampening=0, nesterov=False, weight_decay=L2, foreach=False)
    scheduler = None
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
    parser.add_argument("--json", action="store_true", help="print the JSON of `netspec train --json`")
    parser.add_argument("--processes", type=int, default=1, help="local workers, data-parallel (default 1)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="float32 is faster on GPUs but no longer reproduces NetSpec's numbers")
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
