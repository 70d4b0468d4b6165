"""One case per op in the table, written once and run on Values and on PyTorch float64 tensors alike.

Each case names its inputs' domain, so the same case drives the PyTorch comparison, the finite-difference
check (which needs no PyTorch) and the random-graph sweep.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import autograd


def leaky_relu(a: Any) -> Any:
    if isinstance(a, autograd.Value):
        return a.leaky_relu(0.1)
    import torch.nn.functional as F

    return F.leaky_relu(a, 0.1)


def softplus(a: Any) -> Any:
    if isinstance(a, autograd.Value):
        return a.softplus()
    import torch.nn.functional as F

    return F.softplus(a)


def vsum(*xs: Any) -> Any:
    if isinstance(xs[0], autograd.Value):
        return autograd.sum(xs)
    import torch

    return torch.stack(xs).sum(0)


def vdot(*args: Any) -> Any:
    n = len(args) // 2
    if isinstance(args[0], autograd.Value):
        return autograd.dot(args[:n], args[n : 2 * n], args[-1] if len(args) % 2 else None)
    import torch

    total = (torch.stack(args[:n]) * torch.stack(args[n : 2 * n])).sum(0)
    return total + args[-1] if len(args) % 2 else total


@dataclass(frozen=True)
class Case:
    fn: Callable[..., Any]
    arity: int
    low: float = -4.0
    high: float = 4.0
    # Where the forward agrees with PyTorch bit for bit, so must the gradient (the rule follows
    # PyTorch's arithmetic). False where the rule itself calls a transcendental function (libm here,
    # PyTorch's kernels there: sin, cos, log, exp) or where PyTorch fuses a multiply-add (tanh).
    exact_backward: bool = True
    # Forward computed by libm here and by PyTorch's own kernels there: allowed difference in ulp.
    forward_ulp: int = 0

    def sample(self, rng: random.Random) -> list[float]:
        return [rng.uniform(self.low, self.high) for _ in range(self.arity)]


POW_EXPONENTS = (2.0, 3.0, 0.5, -1.0, -2.0, -0.5, 1.0, 0.0, 1.7, -2.3, 4.0)

CASES: dict[str, Case] = {
    "+": Case(lambda a, b: a + b, 2),
    "-": Case(lambda a, b: a - b, 2),
    "*": Case(lambda a, b: a * b, 2),
    "/": Case(lambda a, b: a / b, 2, 0.1, 4.0),
    "neg": Case(lambda a: -a, 1),
    "**": Case(lambda a: a**3, 1),  # every exponent in POW_EXPONENTS is swept in test_ops
    "pow": Case(lambda a, b: a**b, 2, 0.05, 3.0, forward_ulp=1, exact_backward=False),  # uses log a
    "abs": Case(lambda a: abs(a), 1),
    "exp": Case(lambda a: a.exp(), 1, forward_ulp=1),
    "log": Case(lambda a: a.log(), 1, 0.01, 10.0, forward_ulp=1),
    "sqrt": Case(lambda a: a.sqrt(), 1, 0.0, 10.0, forward_ulp=1),  # PyTorch's sqrt kernel: not always correctly rounded
    "tanh": Case(lambda a: a.tanh(), 1, forward_ulp=2, exact_backward=False),
    "sigmoid": Case(lambda a: a.sigmoid(), 1, -10.0, 10.0, forward_ulp=2),
    "relu": Case(lambda a: a.relu(), 1),
    "leaky_relu": Case(leaky_relu, 1),
    "softplus": Case(softplus, 1, -30.0, 30.0, forward_ulp=2, exact_backward=False),  # uses e^a
    "sin": Case(lambda a: a.sin(), 1, forward_ulp=1, exact_backward=False),  # uses cos a
    "cos": Case(lambda a: a.cos(), 1, forward_ulp=1, exact_backward=False),  # uses sin a
    # n-ary: PyTorch sums a tensor pairwise in vector lanes, we add left to right: rounding differs
    "sum": Case(vsum, 5, forward_ulp=-1),
    "dot": Case(vdot, 7, forward_ulp=-1),
}


def ulp_distance(x: float, y: float) -> float:
    """How many representable doubles apart x and y are (0 when equal, inf across nan/inf mismatch)."""
    if x == y or (math.isnan(x) and math.isnan(y)):
        return 0
    if not (math.isfinite(x) and math.isfinite(y)):
        return math.inf
    return abs(x - y) / math.ulp(max(abs(x), abs(y)))
