"""Function transforms: `grad`, `value_and_grad`, `hessian`. They compose: `grad(grad(f))`.

They run the op table's rules on Values instead of floats, so the gradient is itself a graph that can be
differentiated again. They never touch `.grad`.

Numbers in, numbers out; Values in, Values out. One exception keeps nesting right: when the answer
depends on a Value from outside the call (the argument of an enclosing transform, or a model's
parameter), it stays a Value connected to it, so the enclosing transform or a later `backward()` sees
the dependence (as JAX's nested `grad` and ``torch.func.grad`` do). Without it, the inner transform
would hand back a bare number and the outer one would differentiate a constant: "perturbation
confusion".

>>> f = lambda x: x ** 3
>>> grad(f)(2.0), grad(grad(f))(2.0), grad(grad(grad(f)))(2.0)     # 3x², 6x, 6
(12.0, 12.0, 6.0)
>>> grad(lambda x: x * grad(lambda y: x * y)(2.0))(1.0)             # d/dx (x · x) = 2x
2.0

They answer where `backward()` answers: the rules run with IEEE arithmetic (``1/0`` is inf), and only
for the part of the graph that depends on the arguments. An enclosing `no_grad()` does not change them.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

from . import checks
from .graph import backward_steps, topological_order
from .modes import enable_grad
from .value import Value, _next_seq

__all__ = ["backward_values", "grad", "hessian", "value_and_grad"]

Argnums = int | Sequence[int]


def backward_values(root: Value, wrt: Sequence[Value]) -> list[Value | float]:
    """d root/d w for each w in `wrt`, as Values whose graphs can be differentiated again.

    The engine's backward pass (`graph.backward_steps`) with each rule run on Values, with IEEE
    arithmetic (a rule that divides by 0 gives inf, as on floats), and only for the part of the graph that
    depends on `wrt`: the rest is constant here, and its rules never run. A w that `root` does not depend
    on gets 0.0.

    >>> x, c = Value(0.0), Value(0.0).sqrt()        # c is a constant: sqrt's rule at 0 never runs
    >>> backward_values(x.sqrt() + c * x, [x])     # d√x/dx = 1/(2√x) = inf at 0, as backward() gives
    [Value(data=inf, grad=0.0)]
    """
    checks.instance("root", root, Value, "a Value")
    grads: dict[Value, Any] = {}
    for _ in backward_steps(root, 1.0, grads=grads, wrt=wrt):
        pass
    return [grads.get(w, 0.0) for w in wrt]


def _argnums(argnums: object, nargs: int) -> tuple[int, ...]:
    if isinstance(argnums, numbers.Integral) and not isinstance(argnums, bool):
        nums: tuple[int, ...] = (int(argnums),)
    elif isinstance(argnums, (tuple, list)) and argnums:
        nums = tuple(checks.integer(f"argnums[{k}]", i) for k, i in enumerate(argnums))
    else:
        raise TypeError(f"argnums must be an int or a non-empty tuple of ints, got {type(argnums).__name__}: "
                        f"{checks.shown(argnums)}")  # fmt: skip
    for i in nums:
        if not -nargs <= i < nargs:
            raise ValueError(f"argnums {argnums!r} does not fit a call with {nargs} positional arguments")
    if len({i % nargs for i in nums}) != len(nums):
        raise ValueError(f"argnums {argnums!r} names one argument twice")
    return tuple(i % nargs for i in nums)


def _lift(x: Any, i: int) -> Value:
    """The variable to differentiate by: a new leaf for a number; for a Value, a new node x · 1 made from
    it (the same number, bit for bit), so that only this call's uses count as uses of the variable, while
    the result stays connected to x for whoever differentiates by x."""
    if isinstance(x, Value):
        return x * 1.0
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        return Value(float(x))
    raise TypeError(f"argument {i} must be a number or a Value to differentiate by it, got {type(x).__name__}: "
                    f"{checks.shown(x)}")  # fmt: skip


def _outside(x: Any, start: int) -> bool:
    """Does x depend on a Value made before the call began (numbered below `start`)?"""
    return isinstance(x, Value) and topological_order(x)[0].seq < start  # the oldest Value it depends on


def _lower(x: Any, was_value: bool, start: int | None) -> Any:
    """A result as the caller gave: a Value for a Value argument, or one that depends on Values from
    outside the call (made before `start`; None: nothing can, f's result does not); else a float."""
    if was_value or (start is not None and _outside(x, start)):
        return x if isinstance(x, Value) else Value(float(x))
    return x.data if isinstance(x, Value) else float(x)


def _call(f: Callable[..., Any], args: tuple[Any, ...], nums: tuple[int, ...], what: str) -> tuple[Value | float, list[Value]]:
    """Call f (checked when the transform was made) with the arguments in `nums` as Values (graphs
    recorded, even inside no_grad()); check the result."""
    call = list(args)
    for i in nums:
        call[i] = _lift(args[i], i)
    with enable_grad():
        out = f(*call)
    if isinstance(out, bool) or not isinstance(out, (Value, numbers.Real)):
        raise TypeError(f"the function given to {what} must return a Value or a number (what to differentiate), "
                        f"got {type(out).__name__}: {checks.shown(out)}")  # fmt: skip
    return (out if isinstance(out, Value) else float(out)), [call[i] for i in nums]


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning f's value and its gradient with respect to the arguments in `argnums`.

    >>> value_and_grad(lambda x, y: x * y, argnums=(0, 1))(3.0, 4.0)
    (12.0, (4.0, 3.0))
    """
    checks.function("f", f, "a function")

    def value_and_grad_f(*args: Any) -> tuple[Any, Any]:
        start = _next_seq()
        nums = _argnums(argnums, len(args))
        out, wrt = _call(f, args, nums, "value_and_grad")
        grads = backward_values(out, wrt) if isinstance(out, Value) else [0.0] * len(nums)
        given = [isinstance(args[i], Value) for i in nums]
        # gradients are made from out's graph and new Values: none depends on an outside Value unless out does
        since = start if _outside(out, start) else None
        lowered = [_lower(g, was, since) for g, was in zip(grads, given, strict=True)]
        value = _lower(out, any(given), since)
        return value, (lowered[0] if not isinstance(argnums, (tuple, list)) else tuple(lowered))

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
    checks.function("f", f, "a function")

    def hessian_f(*args: Any) -> Any:
        start = _next_seq()
        nums = _argnums(argnums, len(args))
        out, wrt = _call(f, args, nums, "hessian")
        rows: list[list[Any]] = []
        for g in backward_values(out, wrt) if isinstance(out, Value) else [0.0] * len(nums):
            rows.append(backward_values(g, wrt) if isinstance(g, Value) else [0.0] * len(nums))
        given = [isinstance(args[i], Value) for i in nums]
        since = start if _outside(out, start) else None  # as in value_and_grad
        rows = [[_lower(h, was, since) for h, was in zip(row, given, strict=True)] for row in rows]
        return rows[0][0] if not isinstance(argnums, (tuple, list)) else rows

    return hessian_f
