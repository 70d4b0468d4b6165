"""`gradcheck`: compare the engine's gradients with central finite differences.

For users as much as for our tests: write a new op or a new model, then check it.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

from .checks import function, integer, iterable, real, shown
from .modes import enable_grad, no_grad
from .value import Value

__all__ = ["GradcheckError", "gradcheck", "numerical_grad"]


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def numerical_grad(f: Callable[..., Any], inputs: list[float], i: int, eps: float = 1e-6) -> float:
    """(f(x + eps) - f(x - eps)) / (2 eps) in input i: error O(eps²), rounding O(1/eps).

    >>> round(numerical_grad(lambda x: x * x, [3.0], 0), 6)
    6.0
    """
    f = function("f", f, "a function of Values")
    values = [real(f"inputs[{k}]", x) for k, x in enumerate(iterable("inputs", inputs, "a list of numbers"))]
    if not values:
        raise ValueError("inputs must hold at least one number, got []")
    i = integer("i", i, low=0, high=len(values) - 1)
    _takes(f, len(values))
    return _numerical(f, values, i, real("eps", eps, low=0.0, low_open=True))


_NOT_FINITE = "; the estimate is not finite: f overflows or leaves its domain at x ± eps (try a smaller eps)"


def _takes(f: Callable[..., Any], n: int) -> None:
    """Refuse an `f` that cannot be called with `n` positional inputs, before calling it."""
    try:
        signature = inspect.signature(f)
    except (TypeError, ValueError):  # some builtins have no signature: the call itself will tell
        return
    try:
        signature.bind(*range(n))
    except TypeError as e:
        raise TypeError(f"f cannot take the {n} input{'s' if n != 1 else ''} given: {e}") from None


def _numerical(f: Callable[..., Any], inputs: list[float], i: int, eps: float) -> float:
    def at(shift: float) -> float:
        xs = [Value(x + shift if j == i else x) for j, x in enumerate(inputs)]
        with no_grad():
            out = f(*xs)
        if isinstance(out, Value):
            return out.data
        return real("f's result", out, finite=False)  # a number is fine here: no graph is needed

    return (at(eps) - at(-eps)) / (2.0 * eps)


def gradcheck(
    f: Callable[..., Any], *inputs: float, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """True if every input's gradient matches central differences; otherwise raise GradcheckError.

    `f` takes Values and returns a Value. A gradient passes if |analytic - numeric| <= atol + rtol*|numeric|.
    Inputs are finite numbers (or Values, whose data is used); eps > 0, atol >= 0 and rtol >= 0 are finite.
    The check builds its own graph, so it is unaffected by an enclosing `no_grad()`.

    >>> gradcheck(lambda x, y: (x * y).sigmoid() + y.log(), 0.5, 2.0)
    True
    >>> gradcheck(lambda x: x.relu() * 2, 0.0)   # relu has a kink at 0: the estimate sees slope 1
    Traceback (most recent call last):
      ...
    autograd.check.GradcheckError: input 0 (= 0.0): analytic gradient 0.0, numeric 1.0...
    """
    f = function("f", f, "a function of Values that returns a Value")
    if not inputs:
        raise ValueError("gradcheck needs at least one input: gradcheck(f, x1, x2, ...)")
    values = [real(f"inputs[{i}]", x.data if isinstance(x, Value) else x) for i, x in enumerate(inputs)]
    _takes(f, len(values))
    eps = real("eps", eps, low=0.0, low_open=True)
    atol = real("atol", atol, low=0.0)
    rtol = real("rtol", rtol, low=0.0)
    for i, x in enumerate(values):
        if x - eps == x or x + eps == x:
            raise ValueError(
                f"eps={eps} is below the spacing of floats at inputs[{i}] = {x!r}: x ± eps == x, "
                "so the estimate would be 0; use a larger eps"
            )
        if not math.isfinite(x - eps) or not math.isfinite(x + eps):
            raise ValueError(
                f"eps={eps} is too large for inputs[{i}] = {x!r}: x ± eps overflows; use a smaller eps"
            )
    leaves = [Value(x) for x in values]
    with enable_grad():  # the analytic gradient needs a graph, even inside an outer no_grad()
        out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck needs f to return a Value, got {type(out).__name__}: {shown(out)}")
    out.backward()
    for i, leaf in enumerate(leaves):
        numeric = _numerical(f, values, i, eps)
        analytic = leaf.grad
        # an infinite estimate would make the allowance infinite: it matches only the same infinity
        close = analytic == numeric or (
            math.isfinite(numeric) and abs(analytic - numeric) <= atol + rtol * abs(numeric)
        )
        if not close and not (math.isnan(analytic) and math.isnan(numeric)):
            raise GradcheckError(
                f"input {i} (= {values[i]!r}): analytic gradient {analytic!r}, numeric {numeric!r} "
                f"(central differences, eps={eps}); allowed |difference| <= {atol} + {rtol} * |numeric|"
                + ("" if math.isfinite(numeric) else _NOT_FINITE)
            )
    return True
