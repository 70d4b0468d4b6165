"""The floor: the moons network's forward, backward and SGD update written by hand on floats, no graph.

The fastest plain Python we know how to write for this network (list comprehensions, `map` and `sum`
over rows), so engines are compared with what pure Python can do, not with a straw man. Weights are
lists: `layers[i] = (W, b)` with `W[j]` the weights of neuron j (micrograd's order) and `b[j]` its bias.
Hidden layers use ReLU, the last layer is linear.
"""

from __future__ import annotations

import math
from operator import add, mul

from autograd.ops import fma

Layers = list[tuple[list[list[float]], list[float]]]


def forward(layers: Layers, x: list[float]) -> list[list[float]]:
    """Every layer's activations for one sample (the input first), ReLU on all but the last layer."""
    acts = [x]
    last = len(layers) - 1
    for i, (W, b) in enumerate(layers):
        z = [sum(map(mul, w, x)) + bj for w, bj in zip(W, b)]
        x = z if i == last else [zj if zj > 0.0 else 0.0 for zj in z]  # noqa: FURB136 -- max() is a call per item, slower
        acts.append(x)
    return acts


def backward(layers: Layers, grads: Layers, acts: list[list[float]], gout: list[float]) -> None:
    """Add d loss/d weight into `grads` (same shape as `layers`), given d loss/d output `gout`."""
    g = gout
    for i in range(len(layers) - 1, -1, -1):
        W, _ = layers[i]
        gW, gb = grads[i]
        x = acts[i]
        for j, gj in enumerate(g):
            if gj != 0.0:
                gW[j] = list(map(add, gW[j], map(gj.__mul__, x)))  # dz_j/dw_jk = x_k
                gb[j] += gj  # dz_j/db_j = 1
        if i == 0:
            break
        gx = [0.0] * len(x)  # dz_j/dx_k = w_jk, summed over the neurons j that read x_k
        for j, gj in enumerate(g):
            if gj != 0.0:
                gx = list(map(add, gx, map(gj.__mul__, W[j])))
        g = [gk if xk > 0.0 else 0.0 for gk, xk in zip(gx, x)]  # relu'(z) = 1 where the output > 0


def zeros(layers: Layers) -> Layers:
    return [([[0.0] * len(w) for w in W], [0.0] * len(b)) for W, b in layers]


def step_squared(layers: Layers, data: list[tuple[float, float, float]], lr: float) -> float:
    """One step on L = 1/N Σ (score - y)²; returns L before the update."""
    grads = zeros(layers)
    n = len(data)
    total = 0.0
    for x0, x1, y in data:
        acts = forward(layers, [x0, x1])
        d = acts[-1][0] - y
        total += d * d
        backward(layers, grads, acts, [2.0 * d / n])  # dL/dscore = 2 (score - y) / N
    sgd(layers, grads, lr)
    return total / n


def step_hinge(layers: Layers, data: list[tuple[float, float, float]], lr: float, alpha: float) -> float:
    """One step on L = 1/N Σ relu(1 - y score) + α Σ w²; returns L before the update."""
    grads = zeros(layers)
    n = len(data)
    total = 0.0
    for x0, x1, y in data:
        acts = forward(layers, [x0, x1])
        margin = 1.0 - y * acts[-1][0]
        if margin > 0.0:
            total += margin
            backward(layers, grads, acts, [-y / n])
    reg = 0.0
    for (W, b), (gW, gb) in zip(layers, grads):
        for w, gw in zip(W, gW):
            reg += sum(map(mul, w, w))
            gw[:] = map(add, gw, map((2.0 * alpha).__mul__, w))  # d(α w²)/dw = 2 α w
        reg += sum(map(mul, b, b))
        gb[:] = map(add, gb, map((2.0 * alpha).__mul__, b))
    loss = total / n + alpha * reg
    sgd(layers, grads, lr)
    return loss


def sgd(layers: Layers, grads: Layers, lr: float) -> None:
    for (W, b), (gW, gb) in zip(layers, grads):
        for w, gw in zip(W, gW):
            w[:] = [wk - lr * gk for wk, gk in zip(w, gw)]
        b[:] = [bj - lr * gj for bj, gj in zip(b, gb)]


def chain(x: float, n: int) -> tuple[float, float]:
    """y = tanh(y * 0.5 + 0.1) n times from x: returns y and dy/dx (forward keeps each y for backward)."""
    ys = [0.0] * n
    y = x
    tanh = math.tanh
    for i in range(n):
        y = tanh(y * 0.5 + 0.1)
        ys[i] = y
    g = 1.0
    for y in reversed(ys):
        g = g * fma(-y, y, 1.0) * 0.5  # 1 - y², rounded once: the engine's (and PyTorch's) tanh rule
    return ys[-1], g
