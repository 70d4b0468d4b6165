"""The graph algorithm: a topological order, and the backward loop that is backpropagation.

Both are iterative (no recursion), so a graph a million ops deep is fine, and both are deterministic: the
order is the order in which the Values were made, never memory addresses or hashing.
"""

from __future__ import annotations

import gc
import math
import threading
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING

from . import checks
from .modes import ANOMALY, MODE

if TYPE_CHECKING:
    from .value import Value

__all__ = ["NO_GRAPH", "backward", "topological_order"]


class _NoGraph(tuple):  # type: ignore[type-arg]  # always empty
    """The `inputs` of a Value computed inside `no_grad()`: empty, like a leaf's, but a different object,
    so `backward()` can tell "nothing was recorded" from "a leaf"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NO_GRAPH"


NO_GRAPH: tuple[Value, ...] = _NoGraph()
"""`v.inputs is NO_GRAPH` for a Value computed inside `no_grad()`: a number with no graph behind it."""

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
    _check_root(root)
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


def _check_root(root: object) -> None:
    if not (hasattr(root, "inputs") and hasattr(root, "seq") and hasattr(root, "grad")):  # Values: value.py
        # imports this module, so the class itself is not at hand here
        raise TypeError(f"root must be a Value (the root of a graph), got {type(root).__name__}: {checks.shown(root)}")


def backward(root: Value, seed: float = 1.0) -> None:
    """Fill `.grad` of every Value `root` depends on with d root/d value, times `seed`.

    Leaves (Values no op made) accumulate across calls, as in PyTorch; every intermediate Value's grad is
    recomputed from zero on each call. Never raises for a graph whose forward succeeded, but inside
    `detect_anomaly()`, where a NaN or infinity raises and no grad is left changed. A root computed
    inside `no_grad()` has no graph: backward raises RuntimeError, as PyTorch does.

    >>> from autograd import Value, no_grad
    >>> x = Value(3.0)
    >>> with no_grad():
    ...     y = x * x
    >>> backward(y)
    Traceback (most recent call last):
      ...
    RuntimeError: this Value (9.0) was computed inside no_grad(), which records no graph: ...
    """
    _check_root(root)
    seed = checks.real("seed", seed, finite=False)
    if root.inputs is NO_GRAPH:
        raise RuntimeError(
            f"this Value ({root.data!r}) was computed inside no_grad(), which records no graph: there is "
            "nothing to backpropagate through. Compute it outside no_grad() (or inside enable_grad())"
        )
    with _collector_paused():
        _backward(root, seed)


class _collector_paused:
    """Pause Python's cyclic garbage collector; restore exactly the state found, whatever the threads do.

    backward makes no reference cycles, so the collector would only rescan the graph (~10% of a training
    step). Threads share one collector: the first to enter pauses it (if it was running), the last to
    leave resumes it. A lock makes that count and the collector's state change together.
    """

    _lock = threading.Lock()
    _inside = 0
    _resume = False

    def __enter__(self) -> None:
        cls = _collector_paused
        with cls._lock:
            if cls._inside == 0:
                cls._resume = gc.isenabled()
                gc.disable()
            cls._inside += 1

    def __exit__(self, *exc: object) -> None:
        cls = _collector_paused
        with cls._lock:
            cls._inside -= 1
            if cls._inside == 0 and cls._resume:
                gc.enable()


def _backward(root: Value, seed: float) -> None:
    order = topological_order(root)
    checked = MODE.get() & ANOMALY
    saved = [v.grad for v in order] if checked else []
    for v in order:
        if v.op is not None:
            v.grad = -0.0  # the additive identity: -0.0 + y is y for every y, as PyTorch's first "set"
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
