#!/usr/bin/env python3
"""The independent oracle for NetSpec's numbers: PyTorch autograd (CPU, float64) and mpmath.

It shares no code with the engine: every number here comes from torch's own functions and
autograd, or from mpmath at 60 significant digits, so an agreement means something.

Reads one JSON object on stdin, {"requests": [REQUEST, ...]}, and writes
{"results": [RESULT, ...]} on stdout, one result per request, in order. A number that is not
finite is written as the string "NaN", "Infinity" or "-Infinity", as the NetSpec CLI does.

Requests:

  {"kind": "probe", "inputs": M, "loss": LOSS, "x": [...], "t": [...],
   "layers": [{"units": K, "activation": NAME, "params": [...], "bias": true|false,
               "W": [[...] x K] x M, "b": [...] (ignored without bias)}, ...]}
    One forward and backward pass by torch autograd, z = x @ W + b, y = g(z).
    -> {"output": [...], "loss": E, "dy": [...],
        "layers": [{"x": [...], "z": [...], "y": [...], "gprime": [...] | null,
                    "jacobian": [[...]] | null, "dW": [[...]], "db": [...] | null, "delta": [...]}]}
    delta = dE/dz (z.retain_grad()); gprime = g'(z) elementwise (null for softmax); jacobian =
    dy_i/dz_j for softmax (null otherwise); dy = dE/dy, the loss as a function of the outputs
    alone (its plain formula, not the fused form with the output's activation).

  {"kind": "scalar", "fn": NAME, "params": [...], "order": 0|1|2, "points": [...]}
    f, f' or f'' of a scalar function at each point.
    -> {"torch": [...], "mp": [...]}
    torch: autograd (create_graph=True for the second order). mp: mpmath at 60 digits by
    forward-mode differentiation (second-order jets) over closed-form primitives, each written
    so that mpmath stays exact at any magnitude (mpmath's exponent range is unbounded, so
    e^-800 and e^1e308 are ordinary numbers there); the result is then rounded to float64
    (overflow -> +-inf, underflow -> 0). Where torch is inaccurate (sigmoid'(30) computed as
    p(1-p) from a p that rounds near 1), mp is the truth.

  {"kind": "nth", "fn": NAME, "orders": [n, ...], "points": [...]}
    The n-th derivatives (any n >= 0) of a built-in with its default parameters at each point,
    one list per order. -> {"torch": [[...] per order], "mp": [[...] per order]}
    torch: autograd n times (create_graph); null where torch has no derivative of that order of
    one of its operations. mp: mpmath's diff (its own finite differences, taken at a raised
    working precision with a step it chooses, so the result has many more correct digits than
    float64 holds) of the closed-form value, rounded to float64.

  {"kind": "softmax", "order": 0|1, "z": [...]}
    softmax(z), or its Jacobian J[i][j] = dp_i/dz_j. -> {"torch": ..., "mp": ...}

  {"kind": "expr", "expr": "-2 ^ 2"}
    Arithmetic on numbers with + - * / ^ and parentheses, evaluated by Python's own grammar
    (^ becomes **; Python's precedence is the one docs/LANGUAGE.md gives) in float64.
    -> {"value": v}

  {"kind": "train", "inputs": M, "loss": LOSS, "layers": [... as for probe: the initial W, b ...],
   "optimizer": {"kind": "sgd"} | {"kind": "momentum", "momentum": m}
              | {"kind": "adam", "beta1": b1, "beta2": b2},
   "learning_rate": lr, "l2": lambda,
   "l1": lambda1 (optional, default 0),
   "schedule": null | {"kind": "step", "step_size": N, "gamma": G} | {"kind": "exponential", "gamma": G}
             | {"kind": "cosine", "t_max": T} (optional),
   "patience": null | N (optional),
   "x": [[...] x M] x n, "t": [[...] x K] x n,
   "epochs": [[[i, ...] (one batch: sample indices, in order), ...] (one epoch), ...],
   "train": [i, ...], "test": [i, ...]}
    Training with torch.optim: SGD(lr, momentum=m, dampening=0, nesterov=False,
    weight_decay=lambda) for sgd (m = 0) and momentum, Adam(lr, betas=(b1, b2), eps=1e-8,
    weight_decay=lambda) for adam; one step per batch, in the order given, on the mean of the
    batch's per-sample losses (the losses of "probe", row by row), plus lambda1 times the sum of
    |W| over every layer's weights (not biases) when l1 is given; the reported losses are without
    that term. The schedule is torch.optim.lr_scheduler's StepLR / ExponentialLR /
    CosineAnnealingLR(eta_min=0), stepped after every epoch. With patience N, after each epoch
    the test loss (the train loss without a test set) must go below its lowest so far within N
    epochs, or training stops there (not after the last epoch listed).
    -> {"loss": [per epoch: the mean of its batch losses], "test_loss": [per epoch, after it,
        the mean per-sample loss over "test"; empty without a test set], "final_loss": the mean
        per-sample loss over "train" after training, "layers": [{"W": [[...]], "b": [...] | null}],
        "lr": [per epoch run: the learning rate of its steps], "epochs": epochs run,
        "stopped_early": bool}

  {"kind": "metrics", "inputs": M, "loss": LOSS, "layers": [... as for train ...],
   "x": [[...] x M] x n, "t": [[...] x K] x n, "indices": [i, ...]}
    What the network scores on the samples listed (docs/LANGUAGE.md, *train*, "metrics"),
    written from that description with torch's own reductions: a classifier (softmax output of
    K >= 2 units, or one sigmoid unit, with cross_entropy or binary_cross_entropy) ->
    {"confusion": K x K counts, rows the true class (argmax of t; t >= 0.5 for one sigmoid unit),
    columns the predicted one (argmax of y; y >= 0.5), "accuracy": its trace / n}; any other
    network -> {"rmse": sqrt(mean over samples and outputs of (y - t)^2), "r2": the mean over
    outputs of 1 - SS_res / SS_tot}.

  {"kind": "functions"}
    What this oracle knows, for test/oracle/builtins.test.ts to hold against the engine's list:
    -> {"torch": [names in TorchOps], "mp": [names in MpOps], "defaults": DEFAULT_PARAMS,
        "user": [names in USER_FNS]}

Names: the built-in scalar functions of TorchOps and MpOps (each written here from torch's and
mpmath's own functions, never from the engine's formulas), softmax (probe layers only; requests
of kind "softmax" otherwise), and the user functions of USER_FNS below, which the tests define
with the same formulas in NetSpec.
"""

import ast
import json
import math
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    sys.stderr.write("torch_oracle.py: PyTorch is missing: install Debian's python3-torch (apt-get install python3-torch)\n")
    sys.exit(3)
try:
    import mpmath
except ImportError:
    sys.stderr.write("torch_oracle.py: mpmath is missing: install Debian's python3-mpmath (apt-get install python3-mpmath)\n")
    sys.exit(3)

torch.set_default_dtype(torch.float64)
mp = mpmath.mp
mp.dps = 60

# torch's softplus returns z itself above `threshold` (default 20), which is off by e^-z: 2e-9
# relative in its gradient just above 20. At 50 the error (e^-50) is far below float64's ulp.
SOFTPLUS_THRESHOLD = 50.0

DEFAULT_PARAMS = {"leaky_relu": 0.01, "elu": 1.0}


# ---- torch ------------------------------------------------------------------------------------

class TorchOps:
    """The scalar functions as torch computes them, elementwise on tensors."""

    sigmoid = staticmethod(torch.sigmoid)
    tanh = staticmethod(torch.tanh)
    relu = staticmethod(F.relu)
    swish = staticmethod(F.silu)
    silu = staticmethod(F.silu)
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    sqrt = staticmethod(torch.sqrt)
    abs = staticmethod(torch.abs)
    sinh = staticmethod(torch.sinh)
    cosh = staticmethod(torch.cosh)
    sin = staticmethod(torch.sin)
    cos = staticmethod(torch.cos)
    tan = staticmethod(torch.tan)
    atan = staticmethod(torch.atan)

    @staticmethod
    def leaky_relu(z, a=DEFAULT_PARAMS["leaky_relu"]):
        return F.leaky_relu(z, a)

    @staticmethod
    def elu(z, a=DEFAULT_PARAMS["elu"]):
        return F.elu(z, a)

    @staticmethod
    def softplus(z):
        return F.softplus(z, beta=1, threshold=SOFTPLUS_THRESHOLD)

    @staticmethod
    def gelu(z):
        return F.gelu(z, approximate="none")  # z * Phi(z), with erf

    @staticmethod
    def linear(z):
        return z

    identity = linear


# ---- user functions: one formula for both torch tensors and mpmath jets -------------------------

USER_FNS = {
    # fn mish(z) = z * tanh(softplus(z))
    "mish": lambda z, o: z * o.tanh(o.softplus(z)),
    # fn s2(z) = z * sigmoid(z)
    "s2": lambda z, o: z * o.sigmoid(z),
    # fn poly(z) = 3 * z ^ 4 - 2 * z ^ 3 + z / 2 - 7
    "poly": lambda z, o: 3 * z ** 4 - 2 * z ** 3 + z / 2 - 7,
    # fn comp(z) = mish(s2(z)) + poly(z) / 10
    "comp": lambda z, o: USER_FNS["mish"](USER_FNS["s2"](z, o), o) + USER_FNS["poly"](z, o) / 10,
    # fn bump(z) = exp(-z ^ 2)
    "bump": lambda z, o: o.exp(-(z ** 2)),
    # fn normed(z) = norm([z, 1, 2 * z]): the Euclidean length, sqrt(z^2 + 1^2 + (2z)^2)
    "normed": lambda z, o: o.sqrt(z ** 2 + 1 + (2 * z) ** 2),
    # fn softsign_fn(z) = z / (1 + abs(z))
    "softsign_fn": lambda z, o: z / (1 + o.abs(z)),
}


def scalar_function(name, params, ops):
    """f(z) for a name (built-in or user fn) with its parameters, over `ops`."""
    if name in USER_FNS:
        return lambda z: USER_FNS[name](z, ops)
    f = getattr(ops, name, None)
    if f is None or name.startswith("_"):
        raise ValueError(f"unknown function {name!r}")
    return lambda z: f(z, *params)


def torch_scalar(name, params, order, x):
    """f^(order)(x) by torch autograd."""
    z = torch.tensor(float(x), requires_grad=True)
    y = scalar_function(name, params, TorchOps)(z)
    if order == 0:
        return y.item()
    (g,) = torch.autograd.grad(y, z, create_graph=True)
    if order == 1:
        return g.item()
    if not g.requires_grad:  # g' does not depend on z (relu, linear, ...): f'' = 0
        return 0.0
    (h,) = torch.autograd.grad(g, z, allow_unused=True)
    return 0.0 if h is None else h.item()


# ---- mpmath: second-order jets ------------------------------------------------------------------

class Jet:
    """u with its first two derivatives in x: (u, u', u''), propagated by the chain rule."""

    __slots__ = ("v", "d1", "d2")

    def __init__(self, v, d1=0, d2=0):
        self.v, self.d1, self.d2 = mp.mpf(v), mp.mpf(d1), mp.mpf(d2)

    @staticmethod
    def of(u):
        return u if isinstance(u, Jet) else Jet(u)

    def apply(self, f0, f1, f2):
        """f(u) from f(u), f'(u), f''(u): (f u)' = f'(u) u', (f u)'' = f''(u) u'^2 + f'(u) u''."""
        return Jet(f0, f1 * self.d1, f2 * self.d1 ** 2 + f1 * self.d2)

    def __add__(self, o):
        o = Jet.of(o)
        return Jet(self.v + o.v, self.d1 + o.d1, self.d2 + o.d2)

    __radd__ = __add__

    def __neg__(self):
        return Jet(-self.v, -self.d1, -self.d2)

    def __sub__(self, o):
        return self + (-Jet.of(o))

    def __rsub__(self, o):
        return Jet.of(o) - self

    def __mul__(self, o):
        o = Jet.of(o)
        return Jet(self.v * o.v, self.d1 * o.v + self.v * o.d1, self.d2 * o.v + 2 * self.d1 * o.d1 + self.v * o.d2)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = Jet.of(o)
        q = self.v / o.v
        q1 = (self.d1 - q * o.d1) / o.v
        q2 = (self.d2 - 2 * q1 * o.d1 - q * o.d2) / o.v
        return Jet(q, q1, q2)

    def __rtruediv__(self, o):
        return Jet.of(o) / self

    def __pow__(self, n):
        n = mp.mpf(n)  # a constant exponent
        return self.apply(self.v ** n, n * self.v ** (n - 1), n * (n - 1) * self.v ** (n - 2))


def _sigmoid3(x):
    # sigma = 1/(1 + e^-x); sigma' = 1/(4 cosh^2(x/2)); sigma'' = -tanh(x/2)/(4 cosh^2(x/2))
    c2 = 4 * mp.cosh(x / 2) ** 2
    return 1 / (1 + mp.exp(-x)), 1 / c2, -mp.tanh(x / 2) / c2


def _normal_cdf3(x):
    """Phi, phi, phi' = -x phi. mpmath's erfc cannot take |x| near 1e308, so past 1e4 the
    asymptotic series Phi(x) = phi(x)/|x| (1 - 1/x^2 + 3/x^4 - 15/x^6) (error < 105/x^8)."""
    phi = mp.npdf(x)
    if abs(x) <= 10000:
        cdf = mp.ncdf(x)
    else:
        tail = phi / abs(x) * (1 - 1 / x ** 2 + 3 / x ** 4 - 15 / x ** 6)
        cdf = 1 - tail if x > 0 else tail
    return cdf, phi, -x * phi


class MpOps:
    """The scalar functions on jets, from closed forms of f, f', f'' in mpmath."""

    @staticmethod
    def sigmoid(u):
        return u.apply(*_sigmoid3(u.v))

    @staticmethod
    def tanh(u):
        c2 = mp.cosh(u.v) ** 2
        t = mp.tanh(u.v)
        return u.apply(t, 1 / c2, -2 * t / c2)

    @staticmethod
    def relu(u):
        return u.apply(u.v, 1, 0) if u.v > 0 else u.apply(0, 0, 0)

    @staticmethod
    def leaky_relu(u, a=DEFAULT_PARAMS["leaky_relu"]):
        a = mp.mpf(a)
        return u.apply(u.v, 1, 0) if u.v > 0 else u.apply(a * u.v, a, 0)

    @staticmethod
    def elu(u, a=DEFAULT_PARAMS["elu"]):
        a = mp.mpf(a)
        if u.v > 0:
            return u.apply(u.v, 1, 0)
        e = mp.exp(u.v)
        return u.apply(a * mp.expm1(u.v), a * e, a * e)

    @staticmethod
    def softplus(u):
        sig, sig1, _ = _sigmoid3(u.v)
        return u.apply(mp.log1p(mp.exp(u.v)), sig, sig1)

    @staticmethod
    def swish(u):
        return u * MpOps.sigmoid(u)

    silu = swish

    @staticmethod
    def gelu(u):
        return u * u.apply(*_normal_cdf3(u.v))

    @staticmethod
    def linear(u):
        return u

    identity = linear

    @staticmethod
    def exp(u):
        e = mp.exp(u.v)
        return u.apply(e, e, e)

    @staticmethod
    def log(u):
        x = u.v
        if x <= 0:  # mpmath would answer with a complex number
            return u.apply(mp.nan if x < 0 else mp.ninf, mp.nan, mp.nan)
        return u.apply(mp.log(x), 1 / x, -1 / x ** 2)

    @staticmethod
    def sqrt(u):
        x = u.v
        if x < 0:
            return u.apply(mp.nan, mp.nan, mp.nan)
        r = mp.sqrt(x)
        return u.apply(r, 1 / (2 * r), -1 / (4 * x * r))

    @staticmethod
    def abs(u):
        return u.apply(abs(u.v), mp.sign(u.v), 0)

    @staticmethod
    def sinh(u):
        return u.apply(mp.sinh(u.v), mp.cosh(u.v), mp.sinh(u.v))

    @staticmethod
    def cosh(u):
        return u.apply(mp.cosh(u.v), mp.sinh(u.v), mp.cosh(u.v))

    @staticmethod
    def sin(u):
        return u.apply(mp.sin(u.v), mp.cos(u.v), -mp.sin(u.v))

    @staticmethod
    def cos(u):
        return u.apply(mp.cos(u.v), -mp.sin(u.v), -mp.cos(u.v))

    @staticmethod
    def tan(u):
        # tan' = sec^2 = 1/cos^2, tan'' = 2 sin/cos^3
        c = mp.cos(u.v)
        return u.apply(mp.tan(u.v), 1 / c ** 2, 2 * mp.sin(u.v) / c ** 3)

    @staticmethod
    def atan(u):
        # atan' = 1/(1 + x^2), atan'' = -2x/(1 + x^2)^2
        s = 1 + u.v ** 2
        return u.apply(mp.atan(u.v), 1 / s, -2 * u.v / s ** 2)


def to_float(v):
    """An mpf rounded to the nearest float64: +-inf past the largest, 0 below the smallest."""
    if mp.isnan(v):
        return math.nan
    if mp.isinf(v):
        return math.inf if v > 0 else -math.inf
    try:
        return float(v)
    except OverflowError:
        return math.inf if v > 0 else -math.inf


def mp_scalar(name, params, order, x):
    u = Jet(mp.mpf(float(x)), 1, 0)
    r = scalar_function(name, params, MpOps)(u)
    r = Jet.of(r)
    return to_float((r.v, r.d1, r.d2)[order])


def torch_nth(name, order, x):
    """f^(order)(x) by autograd, differentiating `order` times; None where torch cannot."""
    z = torch.tensor(float(x), requires_grad=True)
    y = scalar_function(name, [], TorchOps)(z)
    try:
        for _ in range(order):
            if not y.requires_grad:  # the previous derivative does not depend on z
                return 0.0
            (y,) = torch.autograd.grad(y, z, create_graph=True, allow_unused=True)
            if y is None:
                return 0.0
    except RuntimeError:
        return None
    return y.item()


def mp_nth(name, order, x):
    f = scalar_function(name, [], MpOps)
    value = lambda t: Jet.of(f(Jet(t))).v
    return to_float(mp.diff(value, mp.mpf(float(x)), order))


# ---- softmax ------------------------------------------------------------------------------------

def torch_softmax(z, order):
    z = torch.tensor([float(v) for v in z])
    if order == 0:
        return torch.softmax(z, 0).tolist()
    return torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), z).tolist()


def mp_softmax(z, order):
    z = [mp.mpf(float(v)) for v in z]
    n = len(z)
    # p_i = 1 / sum_j e^(z_j - z_i); 1 - p_i as the sum of the others, not by subtraction
    p = [1 / mp.fsum(mp.exp(z[j] - z[i]) for j in range(n)) for i in range(n)]
    if order == 0:
        return [to_float(v) for v in p]
    rest = [mp.fsum(p[j] for j in range(n) if j != i) for i in range(n)]
    return [[to_float(p[i] * rest[i] if i == j else -p[i] * p[j]) for j in range(n)] for i in range(n)]


# ---- probe: one forward and backward pass by autograd --------------------------------------------

def loss_of(loss, activation, z, y, t):
    """The losses (docs/LANGUAGE.md, *network*) from torch ops; ln y from z where the output allows it."""
    K = y.numel()
    if loss == "squared_error":
        return 0.5 * ((y - t) ** 2).sum()
    if loss == "mse":
        return ((y - t) ** 2).sum() / K
    if loss == "cross_entropy":
        if activation == "softmax":
            return -(t * F.log_softmax(z, 0)).sum()
        return -torch.xlogy(t, y).sum()  # xlogy: 0 ln 0 = 0
    if loss == "binary_cross_entropy":
        if activation == "sigmoid":
            # ln sigma(z) = logsigmoid(z), ln(1 - sigma(z)) = logsigmoid(-z)
            return -(t * F.logsigmoid(z) + (1 - t) * F.logsigmoid(-z)).sum()
        return -(torch.xlogy(t, y) + torch.xlogy(1 - t, 1 - y)).sum()
    raise ValueError(f"unknown loss {loss!r}")


def probe(req):
    a = torch.tensor([float(v) for v in req["x"]])
    if a.numel() != req["inputs"]:
        raise ValueError(f"x has {a.numel()} values, the network {req['inputs']} inputs")
    t = torch.tensor([float(v) for v in req["t"]])
    layers = []
    for spec in req["layers"]:
        W = torch.tensor(spec["W"], requires_grad=True)
        if W.shape != (a.numel(), spec["units"]):
            raise ValueError(f"W has shape {tuple(W.shape)}, expected {(a.numel(), spec['units'])}")
        b = torch.tensor([float(v) for v in spec["b"]], requires_grad=True) if spec["bias"] else None
        z = a @ W + b if b is not None else a @ W
        z.retain_grad()
        name, params = spec["activation"], spec.get("params", [])
        if name == "softmax":
            y, gprime = torch.softmax(z, 0), None
        else:
            g = scalar_function(name, params, TorchOps)
            y = g(z)
            zz = z.detach().clone().requires_grad_(True)
            (gprime,) = torch.autograd.grad(g(zz).sum(), zz)
        layers.append({"x": a, "W": W, "b": b, "z": z, "y": y, "gprime": gprime, "activation": name})
        a = y
    out = layers[-1]
    E = loss_of(req["loss"], out["activation"], out["z"], out["y"], t)
    E.backward()
    y_alone = out["y"].detach().clone().requires_grad_(True)
    (dy,) = torch.autograd.grad(loss_of(req["loss"], None, None, y_alone, t), y_alone)
    return {
        "output": out["y"].tolist(),
        "loss": E.item(),
        "dy": dy.tolist(),
        "layers": [
            {
                "x": L["x"].tolist(),
                "z": L["z"].tolist(),
                "y": L["y"].tolist(),
                "gprime": None if L["gprime"] is None else L["gprime"].tolist(),
                "jacobian": None if L["activation"] != "softmax" else torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), L["z"].detach()).tolist(),
                "dW": L["W"].grad.tolist(),
                "db": None if L["b"] is None else L["b"].grad.tolist(),
                "delta": L["z"].grad.tolist(),
            }
            for L in layers
        ],
    }


# ---- train: torch.optim on the batches the request lists -----------------------------------------

def per_sample_losses(loss, activation, Z, Y, T):
    """The losses (docs/LANGUAGE.md, *network*) for a batch (one row per sample), as loss_of does for one."""
    K = Y.shape[1]
    if loss == "squared_error":
        return 0.5 * ((Y - T) ** 2).sum(1)
    if loss == "mse":
        return ((Y - T) ** 2).sum(1) / K
    if loss == "cross_entropy":
        if activation == "softmax":
            return -(T * F.log_softmax(Z, 1)).sum(1)
        return -torch.xlogy(T, Y).sum(1)
    if loss == "binary_cross_entropy":
        if activation == "sigmoid":
            return -(T * F.logsigmoid(Z) + (1 - T) * F.logsigmoid(-Z)).sum(1)
        return -(torch.xlogy(T, Y) + torch.xlogy(1 - T, 1 - Y)).sum(1)
    raise ValueError(f"unknown loss {loss!r}")


def train(req):
    torch.set_num_threads(1)  # small tensors: threads only cost time, and the order stays fixed
    X = torch.tensor(req["x"], dtype=torch.float64)
    T = torch.tensor(req["t"], dtype=torch.float64)
    if X.shape[1] != req["inputs"]:
        raise ValueError(f"x has {X.shape[1]} columns, the network {req['inputs']} inputs")
    layers = []
    for spec in req["layers"]:
        W = torch.tensor(spec["W"], dtype=torch.float64, requires_grad=True)
        b = torch.tensor([float(v) for v in spec["b"]], requires_grad=True) if spec["bias"] else None
        name, params = spec["activation"], spec.get("params", [])
        g = None if name == "softmax" else scalar_function(name, params, TorchOps)
        layers.append((W, b, name, g))
    params = [p for (W, b, _, _) in layers for p in (W, b) if p is not None]
    opt = req["optimizer"]
    lr, l2 = req["learning_rate"], req["l2"]
    if opt["kind"] == "adam":
        optimizer = torch.optim.Adam(params, lr=lr, betas=(opt["beta1"], opt["beta2"]), eps=1e-8, weight_decay=l2)
    elif opt["kind"] in ("sgd", "momentum"):
        m = opt.get("momentum", 0.0)
        optimizer = torch.optim.SGD(params, lr=lr, momentum=m, dampening=0, nesterov=False, weight_decay=l2)
    else:
        raise ValueError(f"unknown optimizer {opt['kind']!r}")
    sched = req.get("schedule")
    scheduler = None
    if sched is not None:
        if sched["kind"] == "step":
            scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=sched["step_size"], gamma=sched["gamma"])
        elif sched["kind"] == "exponential":
            scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=sched["gamma"])
        elif sched["kind"] == "cosine":
            scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=sched["t_max"], eta_min=0)
        else:
            raise ValueError(f"unknown schedule {sched['kind']!r}")
    l1 = req.get("l1", 0)
    patience = req.get("patience")
    weights = [W for (W, _, _, _) in layers]

    def losses(idx):
        A = X[idx]
        Z = Y = None
        for (W, b, name, g) in layers:
            Z = A @ W + b if b is not None else A @ W
            Y = torch.softmax(Z, 1) if name == "softmax" else g(Z)
            A = Y
        return per_sample_losses(req["loss"], layers[-1][2], Z, Y, T[idx])

    def mean_loss(idx):
        with torch.no_grad():
            return losses(idx).mean().item() if idx else None

    epoch_losses, test_losses, rates = [], [], []
    best, since_best, stopped_early = math.inf, 0, False
    for e, batches in enumerate(req["epochs"]):
        rates.append(optimizer.param_groups[0]["lr"])
        batch_losses = []
        for idx in batches:
            optimizer.zero_grad()
            L = losses(idx).mean()
            objective = L + l1 * sum(W.abs().sum() for W in weights) if l1 else L
            objective.backward()
            optimizer.step()
            batch_losses.append(L.item())
        epoch_losses.append(sum(batch_losses) / len(batch_losses))
        if req.get("test"):
            test_losses.append(mean_loss(req["test"]))
        if scheduler is not None:
            scheduler.step()
        if patience is not None:
            monitored = test_losses[-1] if req.get("test") else epoch_losses[-1]
            if monitored < best:
                best, since_best = monitored, 0
            else:
                since_best += 1
                if since_best >= patience and e + 1 < len(req["epochs"]):
                    stopped_early = True
                    break
    return {
        "lr": rates,
        "epochs": len(epoch_losses),
        "stopped_early": stopped_early,
        "loss": epoch_losses,
        "test_loss": test_losses,
        "final_loss": mean_loss(req["train"]),
        "layers": [{"W": W.tolist(), "b": None if b is None else b.tolist()} for (W, b, _, _) in layers],
    }


# ---- metrics: what a trained network scores ---------------------------------------------------

def metrics(req):
    X = torch.tensor(req["x"], dtype=torch.float64)[req["indices"]]
    T = torch.tensor(req["t"], dtype=torch.float64)[req["indices"]]
    A = X
    last = None
    for spec in req["layers"]:
        W = torch.tensor(spec["W"], dtype=torch.float64)
        Z = A @ W + torch.tensor(spec["b"], dtype=torch.float64) if spec["bias"] else A @ W
        last = spec["activation"]
        A = torch.softmax(Z, 1) if last == "softmax" else scalar_function(last, spec.get("params", []), TorchOps)(Z)
    Y, K = A, A.shape[1]
    cross_entropy = req["loss"] in ("cross_entropy", "binary_cross_entropy")
    if cross_entropy and ((last == "softmax" and K >= 2) or (last == "sigmoid" and K == 1)):
        if K == 1:
            classes, truth, said = 2, (T[:, 0] >= 0.5).long(), (Y[:, 0] >= 0.5).long()
        else:
            classes, truth, said = K, torch.argmax(T, 1), torch.argmax(Y, 1)
        confusion = torch.bincount(truth * classes + said, minlength=classes * classes).reshape(classes, classes)
        return {"confusion": confusion.tolist(), "accuracy": torch.trace(confusion).item() / len(req["indices"])}
    ss_res = ((Y - T) ** 2).sum(0)
    ss_tot = ((T - T.mean(0)) ** 2).sum(0)
    return {"rmse": torch.sqrt(((Y - T) ** 2).mean()).item(), "r2": (1 - ss_res / ss_tot).mean().item()}


# ---- arithmetic by Python's grammar ------------------------------------------------------------

_BINARY = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


def arithmetic(source):
    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            v = ev(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](ev(node.left), ev(node.right))
        raise ValueError(f"not plain arithmetic: {ast.dump(node)}")

    return ev(ast.parse(source.replace("^", "**"), mode="eval"))


# ---- the protocol -------------------------------------------------------------------------------

def answer(req):
    kind = req.get("kind")
    if kind == "probe":
        return probe(req)
    if kind == "scalar":
        name, params, order = req["fn"], req.get("params", []), req["order"]
        if order not in (0, 1, 2):
            raise ValueError(f"order {order}: only 0, 1 and 2 are computed")
        pts = req["points"]
        return {"torch": [torch_scalar(name, params, order, x) for x in pts],
                "mp": [mp_scalar(name, params, order, x) for x in pts]}
    if kind == "nth":
        name, orders, pts = req["fn"], req["orders"], req["points"]
        return {"torch": [[torch_nth(name, n, x) for x in pts] for n in orders],
                "mp": [[mp_nth(name, n, x) for x in pts] for n in orders]}
    if kind == "softmax":
        return {"torch": torch_softmax(req["z"], req["order"]), "mp": mp_softmax(req["z"], req["order"])}
    if kind == "expr":
        return {"value": arithmetic(req["expr"])}
    if kind == "train":
        return train(req)
    if kind == "metrics":
        return metrics(req)
    if kind == "functions":
        public = lambda ops: sorted(n for n in vars(ops) if not n.startswith("_"))
        return {"torch": public(TorchOps), "mp": public(MpOps), "defaults": DEFAULT_PARAMS, "user": sorted(USER_FNS)}
    raise ValueError(f"unknown request kind {kind!r}")


def encode(v):
    """Non-finite floats as the strings the NetSpec CLI writes."""
    if isinstance(v, float) and not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if isinstance(v, list):
        return [encode(x) for x in v]
    if isinstance(v, dict):
        return {k: encode(x) for k, x in v.items()}
    return v


def decode(v):
    if v in ("NaN", "Infinity", "-Infinity"):
        return float(v.replace("Infinity", "inf"))
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def main():
    try:
        request = json.load(sys.stdin)
        requests = request["requests"]
    except (ValueError, KeyError, TypeError) as err:
        sys.stderr.write(f"torch_oracle.py: expected {{\"requests\": [...]}} on stdin: {err}\n")
        return 2
    results = []
    for i, req in enumerate(requests):
        for key in ("x", "t", "points", "z"):
            if key in req:
                req[key] = decode(req[key])
        try:
            results.append(answer(req))
        except Exception as err:  # the whole call fails, naming the request
            sys.stderr.write(f"torch_oracle.py: request {i} ({req.get('kind')}): {type(err).__name__}: {err}\n")
            return 2
    json.dump({"results": encode(results)}, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
