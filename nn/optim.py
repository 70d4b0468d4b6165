"""Optimizers, in order of increasing complexity: SGD (with momentum and Nesterov), Adam, and nonlinear
conjugate gradient; and learning-rate schedules.

An optimizer holds the list of parameters it was given (made once, never per step) and changes their
`.data` from their `.grad` in `step()`: each step is one pass over the parameters, linear in their number.
SGD and Adam follow PyTorch's update formulas in PyTorch's arithmetic order, so from the same start they
take the same steps. A method that must re-evaluate the loss (conjugate gradient, whose line search tries
several step lengths) takes `step(closure)`, as PyTorch's LBFGS: the closure zeroes the gradients,
computes the loss, calls `backward()` and returns the loss.

Every setting is checked when the optimizer is made. A step is all or nothing: if it fails (the closure
raises, Ctrl-C arrives, or the update would leave a parameter unsafe, see `Optimizer.step`), the
parameters, their gradients and the optimizer's state are exactly as before it. That costs a snapshot
and a check, measured with timeit for 337 parameters (the 2-16-16-1 moons network): ≈ 16 µs per step
(reading the parameters before and after, 6 µs each; copying the state, 1-2 µs; the check, 2 µs), next
to ≈ 20 µs for plain SGD's update itself and ≈ 3.7 ms for a training step on a batch of 10.
"""

from __future__ import annotations

import math
import operator
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar, cast

from autograd import Value
from autograd.checks import flag, instance, integer, iterable, optional, real

__all__ = [
    "SGD", "Adam", "ConjugateGradient", "ConstantLR", "LinearDecay", "Optimizer", "Schedule", "StepDecay",
]  # fmt: skip

Closure = Callable[[], "Value | float"]

_GRAD = operator.attrgetter("grad")

_SAFE = math.sqrt(sys.float_info.max)
"""≈ 1.3407807929942596e154, the largest float whose square is finite: |w| ≤ _SAFE ⇔ w·w < inf."""


def _loss_value(loss: Value | float) -> float:
    return loss.data if isinstance(loss, Value) else float(loss)


def _all_safe(ws: list[float]) -> bool:
    """True when every w is finite with a finite square, by one C-level pass (≈ 2 µs for 337 floats):
    √(Σ w²) (math.hypot, which never overflows on the way) is NaN or infinite if any w is, and at least
    max |w|. Near the limit (≥ half of it, up to an ulp of rounding) `_unsafe` decides, one by one."""
    try:
        return math.hypot(*ws) <= _SAFE / 2.0
    except (TypeError, OverflowError):  # not floats: let the exact test say which
        return False


def _unsafe(w: float) -> bool:
    """True if w is NaN, infinite, or so large that w² overflows."""
    try:
        return not math.isfinite(w * w)
    except (OverflowError, TypeError):  # a huge int set by hand, or not a number at all
        return True


class Optimizer:
    """The base class: a list of parameters, a learning rate `lr` (> 0), `zero_grad()` and `step()`.

    A method implements `_update(closure)` and lists in `_state` the attributes a step changes; `step()`
    wraps it so that a failed step changes nothing.

    >>> from autograd import Value
    >>> opt = SGD([Value(1.0)], lr=0.1)
    >>> opt.lr = 0.0
    Traceback (most recent call last):
      ...
    ValueError: lr must be > 0, got 0.0
    """

    needs_closure: ClassVar[bool] = False
    """True for methods whose `step` must re-evaluate the loss (`step(closure)`)."""

    _state: ClassVar[tuple[str, ...]] = ()
    """The attributes a step changes besides the parameters: saved before it, put back if it fails."""

    params: list[Value]

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        ps = iterable("params", params, "an iterable of Values (model.parameters())")
        if not ps:
            raise ValueError("params is empty: the optimizer has nothing to change")
        seen: set[Value] = set()
        for i, p in enumerate(ps):
            instance(f"params[{i}]", p, Value, "a Value")
            if p in seen:
                raise ValueError(f"params holds the same Value twice (at {i}); each parameter once")
            seen.add(p)
        self.params = ps
        self.lr = lr
        self._updates = 0  # steps that stood: a caller interrupted between two steps can tell if one landed

    @property
    def lr(self) -> float:
        """The learning rate (step size, finite and > 0); a schedule may change it between steps."""
        return self._lr

    @lr.setter
    def lr(self, lr: float) -> None:
        self._lr = real("lr", lr, low=0.0, low_open=True)

    def zero_grad(self) -> None:
        """Set every parameter's `.grad` to 0.0.

        >>> from autograd import Value
        >>> p = Value(1.0); p.grad = 5.0; SGD([p], lr=0.1).zero_grad(); p.grad
        0.0
        """
        for p in self.params:
            p.grad = 0.0

    def step(self, closure: Closure | None = None) -> float | None:
        """Change the parameters once; with a closure, call it first and return its loss.

        All or nothing: if the step raises (the closure fails, KeyboardInterrupt arrives) or its update would
        leave a parameter NaN, infinite or beyond ±√(max float) ≈ 1.34e154 (where its square overflows: a
        FloatingPointError), the parameters, their `.grad` and the optimizer's state (velocity, moments,
        step count, counters) are put back exactly as they were, and the error is raised.

        >>> from autograd import Value
        >>> w = Value(1.0); opt = SGD([w], lr=1e300, momentum=0.9)
        >>> w.grad = 1e10; opt.step()
        Traceback (most recent call last):
          ...
        FloatingPointError: SGD.step: the update would make parameter 0 -inf, beyond ±√(max float) ...
        >>> w.data, w.grad                                 # as before
        (1.0, 10000000000.0)
        >>> opt.lr = 1e-10; opt.step(); w.data             # still a first step: v = g, w = 1 - 1e-10·1e10
        0.0
        """
        params = self.params
        data = [p.data for p in params]  # the snapshot: its cost is measured in the module docstring
        grads = None if closure is None else [p.grad for p in params]
        state = [(name, _copy(getattr(self, name))) for name in self._state]
        updates = self._updates
        try:
            loss = self._update(closure)
            after = [p.data for p in params]
            if not _all_safe(after):
                self._refuse(after)
            self._updates = updates + 1
        except BaseException:
            self._updates = updates
            for p, w in zip(params, data, strict=True):
                p.data = w
            if grads is not None:
                for p, g in zip(params, grads, strict=True):
                    p.grad = g
            for name, value in state:
                setattr(self, name, value)
            raise
        return loss

    def _update(self, closure: Closure | None) -> float | None:
        """The method's update of every parameter (and of its state); `step` makes it all or nothing."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update(closure)")

    def _refuse(self, after: list[float]) -> None:
        for i, w in enumerate(after):
            if _unsafe(w):
                label = self.params[i].label
                reason = (f"the update would make parameter {i}{f' ({label})' if label else ''} {w!r}, beyond "
                          "±√(max float) ≈ 1.34e154 where its square overflows")  # fmt: skip
                error = FloatingPointError(f"{type(self).__name__}.step: {reason}; the parameters and the "
                                           "optimizer's state are as before (try a smaller learning rate)")  # fmt: skip
                error.reason = reason  # type: ignore[attr-defined]  # what went wrong, for fit's DivergedError
                raise error

    def _call(self, closure: Closure | None) -> float | None:
        return None if closure is None else _loss_value(closure())

    def _forget(self) -> None:
        """Drop what a closure method remembers of the loss between steps (its next step evaluates afresh)."""


def _copy(x: object) -> object:
    return x[:] if isinstance(x, list) else x


class SGD(Optimizer):
    """Gradient descent, w ← w - lr · dE/dw; with `momentum` μ a velocity, with `nesterov` a look-ahead.

    As PyTorch's SGD: v ← μv + g (v = g on the first step), then w ← w - lr·v, or with Nesterov
    w ← w - lr·(g + μv). `weight_decay` λ adds λw to each gradient first. lr > 0, μ ≥ 0 and λ ≥ 0, finite.

    >>> from autograd import Value
    >>> w = Value(3.0)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); w.data        # dE/dw = 2w = 6; 3 - 0.1·6
    2.4
    >>> w = Value(1.0); opt = SGD([w], lr=0.5, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * 1.0).backward(); opt.step()
    >>> round(w.data, 12)                             # v = 1, then 0.9·1 + 1 = 1.9: 1 - 0.5 - 0.95
    -0.45
    """

    _state = ("_velocity",)

    def __init__(
        self, params: Iterable[Value], lr: float, momentum: float = 0.0, nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:  # fmt: skip
        super().__init__(params, lr)
        self.momentum = real("momentum", momentum, low=0.0)
        self.weight_decay = real("weight_decay", weight_decay, low=0.0)
        self.nesterov = flag("nesterov", nesterov)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("nesterov=True needs momentum > 0")
        self._velocity: list[float] | None = None

    def _update(self, closure: Closure | None) -> float | None:
        loss = self._call(closure)
        lr, mu, wd = self.lr, self.momentum, self.weight_decay
        params = self.params
        if mu == 0.0:
            for p in params:
                g = p.grad if wd == 0.0 else p.grad + wd * p.data
                p.data -= lr * g
            return loss
        velocity = self._velocity
        if velocity is None:
            velocity = self._velocity = [p.grad + wd * p.data if wd else p.grad for p in params]
            first = True
        else:
            first = False
        nesterov = self.nesterov
        for i, p in enumerate(params):
            g = p.grad if wd == 0.0 else p.grad + wd * p.data
            v = velocity[i] if first else mu * velocity[i] + g
            velocity[i] = v
            p.data -= lr * (g + mu * v if nesterov else v)
        return loss

    def __repr__(self) -> str:
        extra = f", momentum={self.momentum}" if self.momentum else ""
        extra += ", nesterov=True" if self.nesterov else ""
        extra += f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return f"SGD({len(self.params)} parameters, lr={self.lr}{extra})"


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): a step per parameter scaled by running moments of its gradient.

    m ← β₁m + (1 - β₁)g,  v ← β₂v + (1 - β₂)g²,  w ← w - lr · (m / (1 - β₁ᵗ)) / (√(v / (1 - β₂ᵗ)) + ε),
    in PyTorch's arithmetic order. The first steps move each weight by about lr, whatever the gradient's size.
    β₁, β₂ in [0, 1); ε > 0 (with ε = 0 a zero gradient would divide 0 by 0).

    >>> from autograd import Value
    >>> w = Value(3.0); opt = Adam([w], lr=0.1)
    >>> (w * w).backward(); opt.step(); round(w.data, 9)     # first step: lr · g/|g|
    2.9
    """

    _state = ("_m", "_v", "t")

    def __init__(
        self, params: Iterable[Value], lr: float = 0.001, betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:  # fmt: skip
        super().__init__(params, lr)
        pair = iterable("betas", betas, "a pair (β₁, β₂)")
        if len(pair) != 2:
            raise ValueError(f"betas must be a pair (β₁, β₂), got {len(pair)} numbers: {betas!r}")
        self.betas = (
            real("betas[0]", pair[0], low=0.0, high=1.0, high_open=True),
            real("betas[1]", pair[1], low=0.0, high=1.0, high_open=True),
        )
        self.eps = real("eps", eps, low=0.0, low_open=True)
        n = len(self.params)
        self._m = [0.0] * n
        self._v = [0.0] * n
        self.t = 0

    def _update(self, closure: Closure | None) -> float | None:
        loss = self._call(closure)
        beta1, beta2 = self.betas
        self.t += 1
        t = self.t
        step_size = self.lr / (1 - beta1**t)
        bias_correction2_sqrt = (1 - beta2**t) ** 0.5
        w1, w2, eps = 1 - beta1, 1 - beta2, self.eps
        m, v = self._m, self._v
        for i, p in enumerate(self.params):
            g = p.grad
            mi = m[i] + w1 * (g - m[i])  # PyTorch's lerp(m, g, 1 - β₁) = β₁m + (1 - β₁)g
            vi = v[i] * beta2 + w2 * g * g
            m[i], v[i] = mi, vi
            p.data += (-step_size * mi) / (math.sqrt(vi) / bias_correction2_sqrt + eps)
        return loss

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.lr}, betas={self.betas}, eps={self.eps})"


class ConjugateGradient(Optimizer):
    """Nonlinear conjugate gradient (Polak-Ribière+, restarts, strong-Wolfe line search): full batch.

    Each `step(closure)` is one iteration: a direction d, then a line search along it for a step α with
    sufficient decrease f(x + αd) ≤ f(x) + c₁α∇f·d and curvature |∇f(x + αd)·d| ≤ c₂|∇f·d| (the strong
    Wolfe conditions; Nocedal & Wright, Algorithms 3.5 and 3.6). The next direction is
    d ← -g + βd with β = max(0, g·(g - g_old) / (g_old·g_old)) (PR+: β < 0 restarts), and a restart to
    steepest descent every `restart_every` iterations (default: the number of parameters), or when d is
    not a descent direction. `lr` caps the first trial step. `evaluations` counts closure calls.

    After a step the parameters, their `.grad` and the loss it returns all belong to the same point: the
    accepted one, or the start when the line search found no decrease (within `max_line_search` trials). A
    trial point whose loss or gradient is not finite counts as too far. Settings: 0 < c₁ < c₂ < 1,
    `restart_every` and `max_line_search` integers (≥ 1, ≥ 2).

    >>> from autograd import Value
    >>> x, y = Value(3.0), Value(-2.0)
    >>> def closure():
    ...     opt.zero_grad(); loss = (x - 1) ** 2 + 10 * (y + 1) ** 2; loss.backward(); return loss
    >>> opt = ConjugateGradient([x, y])
    >>> for _ in range(10):
    ...     loss = opt.step(closure)
    >>> round(x.data, 9), round(y.data, 9), opt.evaluations < 40
    (1.0, -1.0, True)
    """

    needs_closure = True
    _state = ("evaluations", "iterations", "converged", "_x", "_f", "_g", "_d", "_f_old", "_since_restart")

    def __init__(
        self, params: Iterable[Value], lr: float = 1.0, c1: float = 1e-4, c2: float = 0.1,
        restart_every: int | None = None, max_line_search: int = 30,
    ) -> None:  # fmt: skip
        super().__init__(params, lr)
        self.c1 = real("c1", c1, low=0.0, high=1.0, low_open=True, high_open=True)
        self.c2 = real("c2", c2, low=self.c1, high=1.0, low_open=True, high_open=True)
        every = optional(integer, "restart_every", restart_every, low=1)
        self.restart_every = len(self.params) if every is None else every
        self.max_line_search = integer("max_line_search", max_line_search, low=2)
        self.evaluations = 0
        self.iterations = 0
        self.converged = False
        # State carried between steps: where we are, f and g there, the last direction and slope.
        self._x: list[float] | None = None
        self._f = 0.0
        self._g: list[float] = []
        self._d: list[float] | None = None
        self._f_old: float | None = None
        self._since_restart = 0

    def _evaluate(self, closure: Closure, x: list[float]) -> tuple[float, list[float]]:
        for p, xi in zip(self.params, x, strict=True):
            p.data = xi
        f = _loss_value(closure())
        self.evaluations += 1
        return f, list(map(_GRAD, self.params))

    def _forget(self) -> None:
        self._x = None  # the next step evaluates its start point and restarts along steepest descent

    def _place(self, x: list[float], g: list[float]) -> None:
        """Leave the parameters at x with their gradients g (the last trial may have been elsewhere)."""
        for p, xi, gi in zip(self.params, x, g, strict=True):
            p.data = xi
            p.grad = gi

    def step(self, closure: Closure | None = None) -> float:
        """One CG iteration; returns the loss at the new point (the start point's loss if none is better).

        All or nothing (`Optimizer.step`): if the closure raises at a trial point, the parameters, their
        `.grad` and the state are as before the step.
        """
        return cast(float, super().step(closure))  # _update always returns the loss

    def _update(self, closure: Closure | None) -> float:
        if closure is None:
            raise TypeError("ConjugateGradient.step needs a closure that computes the loss and its gradients")
        x = [p.data for p in self.params]
        if self._x != x:  # first step, or someone moved the parameters: start afresh from here
            f, g = self._evaluate(closure, x)
            if not math.isfinite(f) or not all(map(math.isfinite, g)):
                self._x = None
                return f  # nowhere sensible to go: leave the parameters as they were
            self._f, self._g, self._d, self._f_old, self._since_restart = f, g, None, None, 0
        f, g = self._f, self._g
        gg = _dot(g, g)
        if gg == 0.0:  # a stationary point: nothing to do
            self.converged = True
            self._x = x
            self._place(x, g)
            return f
        d = self._d
        if d is None or self._since_restart >= self.restart_every:
            d, self._since_restart = [-gi for gi in g], 0
        slope = _dot(g, d)
        if slope >= 0.0:  # not downhill: restart along steepest descent
            d, slope, self._since_restart = [-gi for gi in g], -gg, 0
        # First trial step: as scipy, aim for the decrease the last iteration got (Nocedal & Wright 3.60).
        f_old = self._f_old if self._f_old is not None else f + math.sqrt(gg) / 2.0
        alpha0 = min(self.lr, 1.01 * 2.0 * (f - f_old) / slope)
        if not alpha0 > 0.0:
            alpha0 = self.lr
        found = self._line_search(closure, x, f, d, slope, alpha0)
        self.iterations += 1
        if found is None:  # no acceptable step along d: back to the start
            self._place(x, g)
            if self._since_restart == 0:  # even steepest descent found nothing: a minimum to precision
                self.converged = True
            self._d, self._since_restart, self._x = None, 0, x
            return f
        x_new, f_new, g_new = found
        self._place(x_new, g_new)  # the last trial may be another point than the one accepted
        beta = max(0.0, (_dot(g_new, g_new) - _dot(g_new, g)) / gg)  # Polak-Ribière+, in one pass each
        self._d = [-gi + beta * di for gi, di in zip(g_new, d, strict=True)]
        self._since_restart = self._since_restart + 1 if beta > 0.0 else 0
        self._f_old, self._f, self._g, self._x = f, f_new, g_new, x_new
        return f_new

    def _line_search(
        self, closure: Closure, x: list[float], f0: float, d: list[float], slope0: float, alpha: float
    ) -> tuple[list[float], float, list[float]] | None:
        """A step satisfying the strong Wolfe conditions along d, or the best decrease seen, or None."""
        c1, c2 = self.c1, self.c2
        evals = 0
        best: tuple[list[float], float, list[float]] | None = None

        def phi(a: float) -> tuple[float, float, list[float], list[float]]:
            nonlocal evals, best
            evals += 1
            xa = [xi + a * di for xi, di in zip(x, d, strict=True)]
            fa, ga = self._evaluate(closure, xa)
            if not (math.isfinite(fa) and math.isfinite(_dot(ga, ga))):  # NaN or inf: too far
                fa = math.inf
            elif fa <= f0 + c1 * a * slope0 and (best is None or fa < best[1]):
                best = (xa, fa, ga)
            return fa, _dot(ga, d), xa, ga

        def zoom(
            lo: float, f_lo: float, s_lo: float, hi: float, f_hi: float, s_hi: float
        ) -> tuple[list[float], float, list[float]] | None:
            while evals < self.max_line_search:
                a = _interpolate(lo, f_lo, s_lo, hi, f_hi, s_hi)
                fa, sa, xa, ga = phi(a)
                if fa > f0 + c1 * a * slope0 or fa >= f_lo:
                    hi, f_hi, s_hi = a, fa, sa
                else:
                    if abs(sa) <= -c2 * slope0:
                        return xa, fa, ga
                    if sa * (hi - lo) >= 0.0:
                        hi, f_hi, s_hi = lo, f_lo, s_lo
                    lo, f_lo, s_lo = a, fa, sa
            return best

        a_prev, f_prev, s_prev = 0.0, f0, slope0
        while evals < self.max_line_search:
            fa, sa, xa, ga = phi(alpha)
            if fa > f0 + c1 * alpha * slope0 or (a_prev > 0.0 and fa >= f_prev):
                return zoom(a_prev, f_prev, s_prev, alpha, fa, sa)
            if abs(sa) <= -c2 * slope0:
                return xa, fa, ga
            if sa >= 0.0:
                return zoom(alpha, fa, sa, a_prev, f_prev, s_prev)
            a_prev, f_prev, s_prev = alpha, fa, sa
            alpha *= 2.0  # still going down steeply: try further
        return best

    def __repr__(self) -> str:
        return f"ConjugateGradient({len(self.params)} parameters, lr={self.lr}, c1={self.c1}, c2={self.c2})"


def _dot(a: list[float], b: list[float]) -> float:
    return sum(map(float.__mul__, a, b), 0.0)  # plain sum: inf and nan propagate, never raise


def _interpolate(lo: float, f_lo: float, s_lo: float, hi: float, f_hi: float, s_hi: float) -> float:
    """The minimizer of the cubic through (lo, f_lo, s_lo) and (hi, f_hi, s_hi) (Nocedal & Wright 3.59),
    kept inside the middle 80% of the interval; bisection where the cubic is no help."""
    width = hi - lo
    if math.isfinite(f_hi) and math.isfinite(s_hi) and width != 0.0:
        d1 = s_lo + s_hi - 3.0 * (f_lo - f_hi) / (lo - hi)
        disc = d1 * d1 - s_lo * s_hi
        if disc >= 0.0:
            d2 = math.copysign(math.sqrt(disc), hi - lo)
            denom = s_hi - s_lo + 2.0 * d2
            if denom != 0.0:
                a = hi - (hi - lo) * (s_hi + d2 - d1) / denom
                low, high = min(lo, hi), max(lo, hi)
                margin = 0.1 * abs(width)
                if low + margin <= a <= high - margin:
                    return a
    return lo + 0.5 * width


# ---------------------------------------------------------------------------------------------------
# Learning-rate schedules: lr as a function of the epoch (0, 1, 2, ...). `fit` sets optimizer.lr from one.

Schedule = Callable[[int], float]


@dataclass(frozen=True)
class ConstantLR:
    """The same rate every epoch.

    >>> ConstantLR(0.1)(0), ConstantLR(0.1)(99)
    (0.1, 0.1)
    """

    lr: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", real("lr", self.lr, low=0.0, low_open=True))

    def __call__(self, epoch: int) -> float:
        return self.lr


@dataclass(frozen=True)
class LinearDecay:
    """From `start` to `end` in a straight line over `epochs`, then `end`: micrograd's demo is
    LinearDecay(1.0, 0.1, 100), lr = 1.0 - 0.9·k/100.

    >>> s = LinearDecay(1.0, 0.1, 100)
    >>> s(0), round(s(50), 12), round(s(100), 12), round(s(500), 12)
    (1.0, 0.55, 0.1, 0.1)
    """

    start: float
    end: float
    epochs: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", real("start", self.start, low=0.0, low_open=True))
        object.__setattr__(self, "end", real("end", self.end, low=0.0, low_open=True))
        object.__setattr__(self, "epochs", integer("epochs", self.epochs, low=1))

    def __call__(self, epoch: int) -> float:
        k = min(max(epoch, 0), self.epochs)
        return self.start - (self.start - self.end) * k / self.epochs


@dataclass(frozen=True)
class StepDecay:
    """Multiply the rate by `gamma` every `every` epochs: lr · gamma^(epoch // every).

    >>> s = StepDecay(0.1, every=10, gamma=0.5)
    >>> s(0), s(9), s(10), s(25)
    (0.1, 0.1, 0.05, 0.025)
    """

    lr: float
    every: int
    gamma: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "lr", real("lr", self.lr, low=0.0, low_open=True))
        object.__setattr__(self, "every", integer("every", self.every, low=1))
        object.__setattr__(self, "gamma", real("gamma", self.gamma, low=0.0, high=1.0, low_open=True))

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** (max(epoch, 0) // self.every)
