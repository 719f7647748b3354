"""One bench network in Debian's PyTorch, timed on request: bench/training.ts's third peer.

Reads one JSON line on stdin: {"widths", "hidden", "output", "loss", "batch", "lr", "W", "b",
"X", "T", "dtype": "float64"|"float32", "threads"} — the same weights ([fan-in][units]) and data as
the engine's — then answers one JSON line per command line:
  "grad"     the first batch's gradients (dW per layer, then db per layer), flattened
  "run MS"   sgd steps over the batches, round and round, for about MS milliseconds:
             {"steps", "ms", "cpuMs"} (wall time, and this process's CPU time)
The loss is the mean per-sample loss: ½ Σ (y − t)² after a sigmoid output, or cross-entropy after
softmax (torch's fused log-softmax), as the engine computes it.
"""
import json
import sys
import time

import torch

spec = json.loads(sys.stdin.readline())
torch.set_num_threads(spec["threads"])
dtype = torch.float64 if spec["dtype"] == "float64" else torch.float32
W = [torch.tensor(w, dtype=dtype, requires_grad=True) for w in spec["W"]]
b = [torch.tensor(v, dtype=dtype, requires_grad=True) for v in spec["b"]]
X = torch.tensor(spec["X"], dtype=dtype)
T = torch.tensor(spec["T"], dtype=dtype)
B = spec["batch"]
batches = [(X[s:s + B], T[s:s + B]) for s in range(0, X.shape[0], B)]
act = torch.tanh if spec["hidden"] == "tanh" else torch.sigmoid
params = W + b
opt = torch.optim.SGD(params, lr=spec["lr"])


def loss_of(x, t):
    h = x
    for layer in range(len(W)):
        z = h @ W[layer] + b[layer]
        if layer < len(W) - 1:
            h = act(z)
        elif spec["loss"] == "cross_entropy":
            return -(t * torch.log_softmax(z, dim=1)).sum() / x.shape[0]
        else:
            h = torch.sigmoid(z)
    return 0.5 * ((h - t) ** 2).sum() / x.shape[0]


step_at = 0
for line in sys.stdin:
    command = line.split()
    if command[0] == "grad":
        for p in params:
            p.grad = None
        loss_of(*batches[0]).backward()
        print(json.dumps([p.grad.flatten().tolist() for p in W + b]), flush=True)
    elif command[0] == "run":
        ms = float(command[1])
        steps = 0
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        while (time.perf_counter() - t0) * 1000 < ms:
            for _ in range(8):
                x, t = batches[step_at]
                step_at = (step_at + 1) % len(batches)
                opt.zero_grad()
                loss_of(x, t).backward()
                opt.step()
            steps += 8
        elapsed = (time.perf_counter() - t0) * 1000
        print(json.dumps({"steps": steps, "ms": elapsed, "cpuMs": (time.process_time() - cpu0) * 1000}), flush=True)
