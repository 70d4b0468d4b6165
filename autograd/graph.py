"""The graph algorithm: a topological order, and the backward loop that is backpropagation.

Both are iterative (no recursion), so a graph a million ops deep is fine, and both are deterministic: the
order is the order in which the Values were made, never memory addresses or hashing.
"""

from __future__ import annotations

import gc
import math
import numbers
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

from .modes import ANOMALY, MODE

if TYPE_CHECKING:
    from .value import Value

__all__ = ["backward", "topological_order"]

_SEQ = attrgetter("seq")
_INPUTS = attrgetter("inputs")


def topological_order(root: Value) -> list[Value]:
    """Every Value `root` depends on, each after all of its inputs (so `root` comes last).

    The order is the order the Values were made in (their `seq`), which is topological because a Value's
    inputs always exist before it. Finding them needs no recursion, so depth costs no stack.

    >>> from autograd import Value
    >>> a = Value(1.0, "a"); b = Value(2.0, "b"); c = a * b; c.label = "c"
    >>> [v.label for v in topological_order(c)]
    ['a', 'b', 'c']
    """
    seen = {root}
    found = [root]  # in the order found: nearly sorted already, which the final sort exploits
    todo = [root]  # found, inputs not looked at yet
    while todo:
        if len(todo) < 8:  # a narrow graph (a deep chain): one Value at a time
            for x in todo.pop().inputs:
                if x not in seen:
                    seen.add(x)
                    found.append(x)
                    todo.append(x)
        else:  # a wide one: all of todo's inputs at once, with set operations that run in C
            new = set(chain.from_iterable(map(_INPUTS, todo)))
            new -= seen
            seen |= new
            found += new
            todo = list(new)
    found.reverse()
    found.sort(key=_SEQ)
    return found


def backward(root: Value, seed: float = 1.0) -> None:
    """Fill `.grad` of every Value `root` depends on with d root/d value, times `seed`.

    Leaves (Values no op made) accumulate across calls, as in PyTorch; every intermediate Value's grad is
    recomputed from zero on each call. Never raises for a graph whose forward succeeded, but inside
    `detect_anomaly()`, where a NaN or infinity raises and no grad is left changed.
    """
    if not isinstance(seed, numbers.Real):
        raise TypeError(f"backward(seed) needs a real number, got {type(seed).__name__}: {seed!r}")
    collecting = gc.isenabled()
    gc.disable()  # backward makes no reference cycles: the cyclic collector would only rescan the graph
    try:
        _backward(root, float(seed))
    finally:
        if collecting:
            gc.enable()


def _backward(root: Value, seed: float) -> None:
    order = topological_order(root)
    checked = MODE.get() & ANOMALY
    saved = [v.grad for v in order] if checked else []
    for v in order:
        if v.op is not None:
            v.grad = 0.0
    root.grad += seed
    if checked:
        _loop_checked(order, saved)
        return
    # Go one Value at a time, outputs before the Values they were made from: the chain rule. For each
    # input x of v, accumulate does x.grad += v.grad · (d v/d x), the op's rule; it is the loop
    #     for x, gx in zip(v.inputs, v.op.vjp(v.grad, v.inputs, v.data)):
    #         x.grad += gx
    # written out per op. += is the total derivative: the contributions of all paths add up.
    for v in reversed(order):
        if v.op is not None:
            v.op.accumulate(v.grad, v.inputs, v.data)


def _loop_checked(order: list[Value], saved: list[float]) -> None:
    """The same loop, raising at the first non-finite gradient with every grad restored from `saved`.

    It takes every op's gradients as a list (`vjp`, even for sum and dot), so each one can be checked.
    """
    try:
        for v in reversed(order):
            if v.op is None:
                continue
            for i, (x, gx) in enumerate(zip(v.inputs, v.op.vjp(v.grad, v.inputs, v.data), strict=True)):
                if not math.isfinite(gx) and math.isfinite(v.grad):
                    shown = tuple(x.data for x in v.inputs)
                    raise FloatingPointError(
                        f"backward of {v.op.name} produced {gx!r} for input {i} "
                        f"(inputs {shown!r}, output {v.data!r}, upstream gradient {v.grad!r})"
                    )
                x.grad += gx
    except BaseException:
        for v, g in zip(order, saved, strict=True):
            v.grad = g
        raise
