"""Function transforms: `grad`, `value_and_grad`, `hessian`. They compose: `grad(grad(f))`.

They run the op table's rules on Values instead of floats, so the gradient is itself a graph that can be
differentiated again. They never touch `.grad`. Numbers in, numbers out; Values in, Values out (still
differentiable, which is how the transforms nest).

>>> f = lambda x: x ** 3
>>> grad(f)(2.0), grad(grad(f))(2.0), grad(grad(grad(f)))(2.0)     # 3x², 6x, 6
(12.0, 12.0, 6.0)
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from .graph import topological_order
from .value import Value

__all__ = ["backward_values", "grad", "hessian", "value_and_grad"]

Argnums = int | Sequence[int]


def backward_values(root: Value, wrt: Sequence[Value]) -> list[Value | float]:
    """d root/d w for each w in `wrt`, as Values whose graphs can be differentiated again.

    The same backward loop as `Value.backward`, with grads kept in a dict instead of `.grad` and each
    rule run on Values. A w that `root` does not depend on gets 0.0.
    """
    grads: dict[Value, Any] = {root: 1.0}
    for v in reversed(topological_order(root)):
        g = grads.get(v)
        if g is None or v.op is None:
            continue
        for x, gx in zip(v.inputs, v.op.backward_values(g, *v.inputs, v), strict=True):
            grads[x] = gx if x not in grads else grads[x] + gx  # the total derivative: paths add up
    return [grads.get(w, 0.0) for w in wrt]


def _normalize(argnums: Argnums, nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not isinstance(i, int) or not -nargs <= i < nargs:
            raise ValueError(f"argnums {argnums!r} does not fit a call with {nargs} positional arguments")
    return tuple(i % nargs for i in nums)


def _lift(x: Any, i: int) -> Value:
    if isinstance(x, Value):
        return x
    if isinstance(x, numbers.Real):
        return Value(float(x))
    raise TypeError(f"argument {i} must be a number or a Value to differentiate by it, got {type(x).__name__}")


def _lower(g: Any, was_value: bool) -> Any:
    if was_value:
        return g if isinstance(g, Value) else Value(g)
    return g.data if isinstance(g, Value) else float(g)


def _value_and_grads(f: Callable[..., Any], args: tuple[Any, ...], nums: tuple[int, ...]) -> tuple[Any, list[Any]]:
    call = list(args)
    for i in nums:
        call[i] = _lift(args[i], i)
    out = f(*call)
    if isinstance(out, Value):
        grads = backward_values(out, [call[i] for i in nums])
    elif isinstance(out, numbers.Real):
        grads = [0.0] * len(nums)  # f does not depend on its arguments
    else:
        raise TypeError(f"the function must return a Value or a number, got {type(out).__name__}")
    lowered = [_lower(g, isinstance(args[i], Value)) for g, i in zip(grads, nums, strict=True)]
    return out, lowered


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning f's value and its gradient with respect to the arguments in `argnums`.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        nums = _normalize(argnums, len(args))
        out, grads = _value_and_grads(f, args, nums)
        if isinstance(out, Value) and not any(isinstance(args[i], Value) for i in nums):
            out = out.data
        return out, (grads[0] if isinstance(argnums, int) else tuple(grads))

    return value_and_grad_f


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function: grad(f)(x) = f'(x).

    `argnums` picks the arguments to differentiate by: an int gives one derivative, a tuple a tuple.

    >>> grad(lambda x: x.tanh())(0.0)
    1.0
    >>> grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 5.0)
    (5.0, 3.0)
    """
    vg = value_and_grad(f, argnums)
    return lambda *args: vg(*args)[1]


def hessian(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """Second derivatives: a number for one argument, a list of rows for a tuple of arguments.

    A Newton step for f(x) = x⁴ - 3x from x = 2 (x_new = x - f'(x) / f''(x)):

    >>> f = lambda x: x ** 4 - 3 * x
    >>> x = 2.0
    >>> x - grad(f)(x) / hessian(f)(x)
    1.3958333...
    >>> hessian(lambda x, y: x * x * y, argnums=(0, 1))(3.0, 2.0)     # [[2y, 2x], [2x, 0]]
    [[4.0, 6.0], [6.0, 0.0]]
    """

    def hessian_f(*args: Any) -> Any:
        nums = _normalize(argnums, len(args))
        call = list(args)
        for i in nums:
            call[i] = _lift(args[i], i)
        wrt = [call[i] for i in nums]
        out = f(*call)
        if not isinstance(out, Value):
            rows: list[list[Any]] = [[0.0] * len(nums) for _ in nums]
        else:
            rows = []
            for g in backward_values(out, wrt):
                row = backward_values(g, wrt) if isinstance(g, Value) else [0.0] * len(nums)
                rows.append(row)
        rows = [[_lower(h, isinstance(args[i], Value)) for h, i in zip(row, nums, strict=True)] for row in rows]
        return rows[0][0] if isinstance(argnums, int) else rows

    return hessian_f
