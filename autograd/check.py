"""`gradcheck`: compare the engine's gradients with central finite differences.

For users as much as for our tests: write a new op or a new model, then check it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from .modes import no_grad
from .value import Value

__all__ = ["GradcheckError", "gradcheck", "numerical_grad"]


class GradcheckError(RuntimeError):
    """An analytic gradient disagrees with its finite-difference estimate."""


def numerical_grad(f: Callable[..., Any], inputs: list[float], i: int, eps: float = 1e-6) -> float:
    """(f(x + eps) - f(x - eps)) / (2 eps) in input i: error O(eps²), rounding O(1/eps).

    >>> round(numerical_grad(lambda x: x * x, [3.0], 0), 6)
    6.0
    """

    def at(shift: float) -> float:
        xs = [Value(x + shift if j == i else x) for j, x in enumerate(inputs)]
        with no_grad():
            out = f(*xs)
        return out.data if isinstance(out, Value) else float(out)

    return (at(eps) - at(-eps)) / (2.0 * eps)


def gradcheck(
    f: Callable[..., Any], *inputs: float, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """True if every input's gradient matches central differences; otherwise raise GradcheckError.

    `f` takes Values and returns a Value. A gradient passes if |analytic - numeric| <= atol + rtol*|numeric|.

    >>> gradcheck(lambda x, y: (x * y).sigmoid() + y.log(), 0.5, 2.0)
    True
    >>> gradcheck(lambda x: x.relu() * 2, 0.0)   # relu has a kink at 0: the estimate sees slope 1
    Traceback (most recent call last):
      ...
    autograd.check.GradcheckError: input 0 (= 0.0): analytic gradient 0.0, numeric 1.0...
    """
    values: list[float] = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            x = x.data
        if not isinstance(x, numbers.Real):
            raise TypeError(f"gradcheck input {i} must be a number, got {type(x).__name__}")
        values.append(float(x))
    if not (eps > 0 and atol >= 0 and rtol >= 0):
        raise ValueError(f"gradcheck needs eps > 0, atol >= 0, rtol >= 0, got {eps}, {atol}, {rtol}")
    leaves = [Value(x) for x in values]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck needs f to return a Value, got {type(out).__name__}")
    out.backward()
    for i, leaf in enumerate(leaves):
        numeric = numerical_grad(f, values, i, eps)
        analytic = leaf.grad
        close = abs(analytic - numeric) <= atol + rtol * abs(numeric)
        if not close and not (math.isnan(analytic) and math.isnan(numeric)):
            raise GradcheckError(
                f"input {i} (= {values[i]!r}): analytic gradient {analytic!r}, numeric {numeric!r} "
                f"(central differences, eps={eps}); allowed |difference| <= {atol} + {rtol} * |numeric|"
            )
    return True
