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
    if isinstance(a, (autograd.Value, Precise)):
        return a.leaky_relu(0.1)
    import torch.nn.functional as F

    return F.leaky_relu(a, 0.1)


def softplus(a: Any) -> Any:
    if isinstance(a, (autograd.Value, Precise)):
        return a.softplus()
    import torch.nn.functional as F

    return F.softplus(a)


def vsum(*xs: Any) -> Any:
    if isinstance(xs[0], autograd.Value):
        return autograd.sum(xs)
    if isinstance(xs[0], Precise):
        return sum(xs[1:], xs[0])
    import torch

    return torch.stack(xs).sum(0)


def vdot(*args: Any) -> Any:
    n = len(args) // 2
    if isinstance(args[0], autograd.Value):
        return autograd.dot(args[:n], args[n : 2 * n], args[-1] if len(args) % 2 else None)
    if isinstance(args[0], Precise):
        total = vsum(*(w * x for w, x in zip(args[:n], args[n : 2 * n], strict=True)))
        return total + args[-1] if len(args) % 2 else total
    import torch

    total = (torch.stack(args[:n]) * torch.stack(args[n : 2 * n])).sum(0)
    return total + args[-1] if len(args) % 2 else total


class Precise:
    """A number computed by mpmath at 40 significant digits, with the methods a Value has: the third
    opinion where our gradient and PyTorch's differ by more than rounding would explain."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        import mpmath

        self.v = v.v if isinstance(v, Precise) else mpmath.mpf(v)

    def _op(self, other: Any, f: Callable[[Any, Any], Any]) -> Precise:
        return Precise(f(self.v, Precise(other).v))

    def __add__(self, o: Any) -> Precise: return self._op(o, lambda a, b: a + b)  # noqa: E704
    def __radd__(self, o: Any) -> Precise: return self._op(o, lambda a, b: b + a)  # noqa: E704
    def __sub__(self, o: Any) -> Precise: return self._op(o, lambda a, b: a - b)  # noqa: E704
    def __rsub__(self, o: Any) -> Precise: return self._op(o, lambda a, b: b - a)  # noqa: E704
    def __mul__(self, o: Any) -> Precise: return self._op(o, lambda a, b: a * b)  # noqa: E704
    def __rmul__(self, o: Any) -> Precise: return self._op(o, lambda a, b: b * a)  # noqa: E704
    def __truediv__(self, o: Any) -> Precise: return self._op(o, lambda a, b: a / b)  # noqa: E704
    def __pow__(self, o: Any) -> Precise: return self._op(o, lambda a, b: a**b)  # noqa: E704
    def __rpow__(self, o: Any) -> Precise: return self._op(o, lambda a, b: b**a)  # noqa: E704
    def __neg__(self) -> Precise: return Precise(-self.v)  # noqa: E704
    def __abs__(self) -> Precise: return Precise(abs(self.v))  # noqa: E704

    def _f(self, name: str) -> Precise:
        import mpmath

        return Precise(getattr(mpmath, name)(self.v))

    def exp(self) -> Precise: return self._f("exp")  # noqa: E704
    def log(self) -> Precise: return self._f("log")  # noqa: E704
    def sqrt(self) -> Precise: return self._f("sqrt")  # noqa: E704
    def tanh(self) -> Precise: return self._f("tanh")  # noqa: E704
    def sin(self) -> Precise: return self._f("sin")  # noqa: E704
    def cos(self) -> Precise: return self._f("cos")  # noqa: E704
    def sigmoid(self) -> Precise: return 1 / (1 + (-self).exp())  # noqa: E704
    def relu(self) -> Precise: return self if self.v > 0 else Precise(0)  # noqa: E704
    def leaky_relu(self, slope: float) -> Precise: return self if self.v > 0 else self * slope  # noqa: E704
    def softplus(self) -> Precise: return (self.exp() + 1).log()  # noqa: E704


def vlogsumexp(*xs: Any) -> Any:
    if isinstance(xs[0], autograd.Value):
        return autograd.logsumexp(xs)
    if isinstance(xs[0], Precise):
        return vsum(*(x.exp() for x in xs)).log()
    import torch

    return torch.logsumexp(torch.stack(xs), 0)


def vcross_entropy(*xs: Any) -> Any:
    """The cross-entropy of logits xs for class 0: logsumexp(xs) - xs[0] (PyTorch: F.cross_entropy)."""
    if isinstance(xs[0], autograd.Value):
        return autograd.logsumexp(xs, minus=xs[0])
    if isinstance(xs[0], Precise):
        return vlogsumexp(*xs) - xs[0]
    import torch

    return torch.nn.functional.cross_entropy(torch.stack(xs)[None], torch.tensor([0]))


@dataclass(frozen=True)
class Case:
    fn: Callable[..., Any]
    arity: int
    low: float = -4.0
    high: float = 4.0
    # Where the forward agrees with PyTorch bit for bit, so must the gradient (the rule follows
    # PyTorch's arithmetic). False where the rule itself calls a transcendental function (libm here,
    # PyTorch's kernels there: sin, cos, log, exp).
    exact_backward: bool = True
    # Forward computed by libm here and by PyTorch's own kernels there: allowed difference in ulp.
    forward_ulp: int = 0
    # Ours is within forward_ulp of the correctly rounded result (40 digits, mpmath) and PyTorch's is not
    # always (log-sum-exp: PyTorch's log of a rounded sum loses a confident softmax's tiny remainder):
    # ours is checked against the truth, PyTorch's only to be close in absolute terms.
    exact_forward: bool = False

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
    "tanh": Case(lambda a: a.tanh(), 1, forward_ulp=2),  # 1 - out·out fused, as PyTorch: see ops.fma
    "sigmoid": Case(lambda a: a.sigmoid(), 1, -10.0, 10.0, forward_ulp=2),
    "relu": Case(lambda a: a.relu(), 1),
    "leaky_relu": Case(leaky_relu, 1),
    "softplus": Case(softplus, 1, -30.0, 30.0, forward_ulp=2, exact_backward=False),  # uses e^a
    "sin": Case(lambda a: a.sin(), 1, forward_ulp=1, exact_backward=False),  # uses cos a
    "cos": Case(lambda a: a.cos(), 1, forward_ulp=1, exact_backward=False),  # uses sin a
    # n-ary: PyTorch sums a tensor pairwise in vector lanes, we add left to right: rounding differs
    "sum": Case(vsum, 5, forward_ulp=-1),
    "dot": Case(vdot, 7, forward_ulp=-1),
    # Ours: log1p of an exactly rounded sum (math.fsum); PyTorch: log of a sum added in vector lanes. The
    # rules call exp (libm here, PyTorch's kernel there).
    "logsumexp": Case(vlogsumexp, 5, -30.0, 30.0, forward_ulp=2, exact_backward=False, exact_forward=True),
    "cross_entropy": Case(vcross_entropy, 5, -30.0, 30.0, forward_ulp=2, exact_backward=False, exact_forward=True),
}


def ulp_distance(x: float, y: float) -> float:
    """How many representable doubles apart x and y are (0 when equal, inf across nan/inf mismatch)."""
    if x == y or (math.isnan(x) and math.isnan(y)):
        return 0
    if not (math.isfinite(x) and math.isfinite(y)):
        return math.inf
    return abs(x - y) / math.ulp(max(abs(x), abs(y)))


# ---------------------------------------------------------------------------------------------------
# Random graphs: a program of ops over a few leaves, run on Values and on PyTorch float64 tensors alike.

UNARY = ("neg", "abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "softplus", "sin", "cos", "**")
BINARY = ("+", "-", "*", "/", "pow")
NARY = ("sum", "dot")
# logsumexp and cross_entropy are left out of random programs: their forward is deliberately more exact
# than PyTorch's (log1p of a correctly rounded sum), so bit-for-bit counts would measure that choice, not
# the rules; tests/test_ops.py and tests/test_losses.py hold them to the 40-digit truth instead.


@dataclass(frozen=True)
class Program:
    """Instructions (op, operand indices or numbers, metadata) over `leaves`; the last value is the root.

    An operand is an int (an earlier value: leaves first, then results, so values are shared by later
    instructions) or a float (a constant). Every op of the table appears; operands are chosen so that
    each forward stays in its domain with a margin (log of > 0.05, division by |b| > 0.1, ...).
    """

    leaves: tuple[float, ...]
    steps: tuple[tuple[str, tuple[int | float, ...], float], ...]

    def run(self, xs: Any) -> Any:
        """The root, computed from leaves `xs` (Values or tensors) by the program's instructions."""
        vals = list(xs)
        for name, args, meta in self.steps:
            ins = [vals[a] if isinstance(a, int) else a for a in args]
            vals.append(_apply(name, ins, meta))
        return vals[-1]


def _apply(name: str, ins: list[Any], meta: float) -> Any:
    a = ins[0]
    if isinstance(a, float):  # a number base, a Value exponent
        return a ** ins[1]
    if name in ("+", "-", "*", "/"):
        b = ins[1]
        return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b}[name]()
    if name == "pow":
        return a ** ins[1]
    if name == "**":
        return a**meta
    if name == "neg":
        return -a
    if name == "abs":
        return abs(a)
    if name == "leaky_relu":
        return leaky_relu(a)
    if name == "softplus":
        return softplus(a)
    if name == "sum":
        return vsum(*ins)
    if name == "dot":
        return vdot(*ins)
    if name == "logsumexp":
        return vlogsumexp(*ins)
    if name == "cross_entropy":
        return vcross_entropy(*ins)
    return getattr(a, name)()


_EXPONENTS = (2.0, 3.0, 0.5, -1.0, -2.0, -0.5, 1.0, 0.0, 1.5, -1.3, 2.5)


def random_program(rng: random.Random, n_leaves: int = 3, n_steps: int = 12) -> Program:
    """A random program whose every intermediate stays in a moderate range and in its op's domain."""
    leaves = tuple(0.0 if rng.random() < 0.08 else rng.uniform(-2.0, 2.0) for _ in range(n_leaves))
    data = list(leaves)  # each value's number, to keep operands in their domains
    steps: list[tuple[str, tuple[int | float, ...], float]] = []
    names = UNARY + BINARY + NARY
    while len(steps) < n_steps:
        name = rng.choice(names)
        pick = lambda: rng.randrange(len(data))  # shared sub-expressions: any earlier value
        meta = 0.0
        args: tuple[int | float, ...]
        if name in NARY:
            k = rng.randint(2, 4)
            args = tuple(pick() for _ in range(2 * k + (name == "dot" and rng.random() < 0.5)))
            args = args[: 2 * k - (name == "sum")] if name == "sum" else args
        elif name == "pow" and rng.random() < 0.25:  # a number to a Value power: 2 ** x
            args = (round(rng.uniform(0.1, 3.0), 3), pick())
        elif name in BINARY:
            a = pick()
            b = pick() if rng.random() < 0.8 else round(rng.uniform(-2.0, 2.0), 3)
            args = (a, b)
        else:
            args = (pick(),)
            if name == "**":
                meta = rng.choice(_EXPONENTS)
        ins = [data[x] if isinstance(x, int) else x for x in args]
        if not _in_domain(name, ins, meta):
            continue
        value = _float_apply(name, ins, meta)
        if not (math.isfinite(value) and abs(value) < 1e6):
            continue
        data.append(value)
        steps.append((name, args, meta))
    # the root adds the last few values, so it depends on most of the program
    tail = tuple(range(len(data) - 4, len(data)))
    steps.append(("sum", tail, 0.0))
    return Program(leaves, tuple(steps))


def _in_domain(name: str, ins: list[float], meta: float) -> bool:
    a = ins[0]
    if name == "log":
        return a > 0.05
    if name == "sqrt":
        return a > 0.01
    if name == "/":
        return abs(ins[1]) > 0.1
    if name == "pow":
        return a > 0.05 and abs(ins[1]) < 4.0
    if name == "**":
        return meta == int(meta) and meta >= 0 or a > 0.05
    if name == "exp":
        return a < 20.0
    return True


def _float_apply(name: str, ins: list[float], meta: float) -> float:
    return float(_apply(name, [autograd.Value(x) for x in ins], meta).data)


def precise_derivative(program: Program, orders: tuple[int, ...]) -> float:
    """A partial derivative of the program's root at its leaves (`orders[i]`: how often by leaf i), by
    mpmath's numerical differentiation at 40 digits: exact to far more than double precision where the
    function is smooth."""
    import mpmath

    with mpmath.workdps(40):
        value = mpmath.diff(lambda *xs: program.run([Precise(x) for x in xs]).v, program.leaves, orders)
    return float(value)


def agreement(ours: float, theirs: float, truth: Callable[[], float]) -> str:
    """How our number compares with PyTorch's: "exact" (same bits), "sign" (a zero of the other sign),
    "close" (within 1e-12, relative or absolute), "amplified" (further apart, but ours is as near the
    40-digit truth as PyTorch's: rounding of an ill-conditioned function), else "mismatch"."""
    if ours == theirs and math.copysign(1.0, ours) == math.copysign(1.0, theirs) or math.isnan(ours) and math.isnan(theirs):
        return "exact"
    if ours == theirs:
        return "sign"
    if math.isclose(ours, theirs, rel_tol=1e-12, abs_tol=1e-12):
        return "close"
    true = truth()
    if math.isfinite(ours) and abs(ours - true) <= 8 * abs(theirs - true) + 4 * math.ulp(true):
        return "amplified"
    return "mismatch"
