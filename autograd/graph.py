"""The graph algorithm: a topological order, and the backward loop that is backpropagation.

Both are iterative (an explicit stack, no recursion), so a graph a million ops deep is fine, and both are
deterministic: the order depends only on the graph, never on memory addresses or hashing.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

from .modes import ANOMALY, MODE

if TYPE_CHECKING:
    from .value import Value

__all__ = ["topological_order", "backward"]


def topological_order(root: Value) -> list[Value]:
    """Every Value `root` depends on, each after all of its inputs (so `root` comes last).

    Depth-first, iterative, visiting inputs in argument order.

    >>> from autograd import Value
    >>> a = Value(1.0, "a"); b = Value(2.0, "b"); c = a * b; c.label = "c"
    >>> [v.label for v in topological_order(c)]
    ['a', 'b', 'c']
    """
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:  # all of v's inputs are in `order` already
            order.append(v)
        elif v not in seen:
            seen.add(v)
            if v.inputs:
                stack.append((v, True))
                stack.extend([(x, False) for x in reversed(v.inputs) if x not in seen])
            else:
                order.append(v)
    return order


def backward(root: Value, seed: float = 1.0) -> None:
    """Fill `.grad` of every Value `root` depends on with d root/d value, times `seed`.

    Leaves (Values no op made) accumulate across calls, as in PyTorch; every intermediate Value's grad is
    recomputed from zero on each call. Never raises for a graph whose forward succeeded, but inside
    `detect_anomaly()`, where a NaN or infinity raises and no grad is left changed.
    """
    if not isinstance(seed, numbers.Real):
        raise TypeError(f"backward(seed) needs a real number, got {type(seed).__name__}: {seed!r}")
    order = topological_order(root)
    if MODE.get() & ANOMALY:
        _backward_checked(order, float(seed))
        return
    for v in order:
        if v.op is not None:
            v.grad = 0.0
    root.grad += float(seed)
    # Go one Value at a time, outputs before the Values they were made from, and apply the chain rule.
    for v in reversed(order):
        if v.op is None:
            continue
        for x, gx in zip(v.inputs, v.op.vjp(v.grad, v.inputs, v.data)):
            x.grad += gx  # chain rule; += is the total derivative: contributions of all paths add up


def _backward_checked(order: list[Value], seed: float) -> None:
    """The same loop, raising at the first non-finite gradient with every grad restored."""
    saved = [v.grad for v in order]
    try:
        for v in order:
            if v.op is not None:
                v.grad = 0.0
        order[-1].grad += seed
        for v in reversed(order):
            if v.op is None:
                continue
            grads = v.op.vjp(v.grad, v.inputs, v.data)
            for i, (x, gx) in enumerate(zip(v.inputs, grads, strict=True)):
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
