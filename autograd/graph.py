"""The graph algorithm: a topological order, and the backward loop that is backpropagation.

    def backward(root, seed=1.0):
        order = topological_order(root)           # every Value root depends on, inputs first
        for v in order:                           # intermediate grads start from nothing,
            if v.op is not None:                  # leaves keep theirs (they accumulate across calls)
                v.grad = -0.0
        root.grad += seed                         # d root/d root = 1
        for v in reversed(order):                 # outputs before the Values they were made from
            if v.op is not None:
                v.op.accumulate(v.grad, v.inputs, v.data)

That is all of it. ``accumulate`` is the chain rule for one node, generated from the op table's rules:
for each input x of v, ``x.grad += v.grad · ∂v/∂x``; print it with ``print(OPS["*"].source)``. The
``+=`` is the total derivative: a Value used by several others receives a contribution from each, and
by the time the loop reaches it, all have arrived (every Value that uses it was made after it).

`backward_steps` walks the same loop as a sequence of records (node, upstream gradient, each input's
local derivative and contribution) without touching ``.grad``: the explanations, the drawings, anomaly
detection, the function transforms and the interactive view all read the backward pass through it.

Both are iterative (no recursion), so a graph a million ops deep is fine, and deterministic: the order is
the order in which the Values were made, never memory addresses or hashing.
"""

from __future__ import annotations

import gc
import math
import threading
from collections.abc import Collection, Iterator, MutableMapping
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from . import checks
from .modes import ANOMALY, MODE, enable_grad, ieee_arithmetic

if TYPE_CHECKING:
    from .value import Value

__all__ = ["NO_GRAPH", "BackwardStep", "backward", "backward_steps", "gradients", "topological_order"]


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
    recomputed on each call. Never raises for a graph whose forward succeeded, but inside
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
        if MODE.get() & ANOMALY:
            _backward_checked(root, seed)
            return
        order = topological_order(root)
        for v in order:
            if v.op is not None:
                v.grad = -0.0  # the additive identity (-0.0 + y is y, bit for bit): "nothing yet"
        root.grad += seed
        for v in reversed(order):  # the chain rule, one node at a time: see the module docstring
            if v.op is not None:
                v.op.accumulate(v.grad, v.inputs, v.data)


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


def _backward_checked(root: Value, seed: float) -> None:
    """backward inside detect_anomaly(): the same numbers, found step by step, so that each gradient can
    be checked; `.grad` is written only when every step has passed (all or nothing)."""
    order = topological_order(root)
    grads: dict[Value, Any] = {v: v.grad for v in order if v.op is None}  # leaves accumulate
    for step in _backward_steps(root, order, seed, grads, None):
        for i, gx in enumerate(step.sent):
            if not math.isfinite(gx) and math.isfinite(step.upstream):
                v = step.node
                assert v.op is not None  # steps are for nodes an op made
                shown = tuple(x.data for x in v.inputs)
                raise FloatingPointError(
                    f"backward of {v.op.name} produced {gx!r} for input {i} "
                    f"(inputs {shown!r}, output {v.data!r}, upstream gradient {step.upstream!r})"
                )
    for v in order:
        v.grad = grads.get(v, -0.0 if v.op is not None else v.grad)


# ---------------------------------------------------------------------------------------------------
# The backward pass as a sequence of steps, for everything that reads it.


class BackwardStep:
    """One node of the backward pass: d root/d node (complete: every Value that uses the node came
    before it), and the chain rule applied to each of its inputs.

    ``sent[i]`` is what input i receives: the op's rule with g = upstream, the number the engine adds.
    ``before[i]``/``after[i]`` are that input's gradient around the ``+=`` (None where `wrt` skipped it;
    ``before`` is None the first time an input is reached). ``local[i]`` is the local derivative
    ∂node/∂input_i (the rule with g = 1), computed when first asked for.
    """

    __slots__ = ("_local", "after", "before", "node", "sent", "upstream")

    def __init__(
        self, node: Value, upstream: Any, sent: tuple[Any, ...], before: tuple[Any, ...], after: tuple[Any, ...]
    ) -> None:
        self.node, self.upstream, self.sent, self.before, self.after = node, upstream, sent, before, after
        self._local: tuple[float, ...] | None = None

    @property
    def local(self) -> tuple[float, ...]:
        """∂node/∂input_i for each input: the op's rules with upstream gradient 1."""
        if self._local is None:
            v = self.node
            assert v.op is not None  # steps are for nodes an op made
            self._local = v.op.backward(1.0, *(x.data for x in v.inputs), v.data)
        return self._local

    def __repr__(self) -> str:
        op = self.node.op.name if self.node.op is not None else "?"
        return f"<BackwardStep {op} node, upstream {self.upstream!r}, sends {self.sent!r}>"


def backward_steps(
    root: Value,
    seed: float = 1.0,
    *,
    grads: MutableMapping[Value, Any] | None = None,
    wrt: Collection[Value] | None = None,
) -> Iterator[BackwardStep]:
    """The backward pass from `root`, one node at a time, as the engine's loop visits them; no `.grad`
    changes. Gradients are kept in `grads` (a dict, updated as the steps go: read it during or after).

    A Value missing from `grads` has received nothing yet; its first contribution is its gradient, as in
    PyTorch (give leaves a start, e.g. 0.0 or their `.grad`, to add to it). With `wrt`, the rules run on
    Values (so gradients are graphs: higher order), with IEEE arithmetic as on floats, and only for the
    part of the graph that depends on `wrt`.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); y = x * x
    >>> [(s.upstream, s.local, s.sent) for s in backward_steps(y)]      # x feeds * twice: two += of 3
    [(1.0, (3.0, 3.0), (3.0, 3.0))]
    >>> grads = gradients(y); grads[x]
    6.0
    """
    _check_root(root)
    return _backward_steps(root, topological_order(root), seed, grads, wrt)


def _backward_steps(
    root: Value, order: list[Value], seed: float, grads: MutableMapping[Value, Any] | None, wrt: Collection[Value] | None
) -> Iterator[BackwardStep]:
    """backward_steps with root's topological order already found."""
    grads = {} if grads is None else grads
    grads[root] = seed if root not in grads else grads[root] + seed
    if wrt is None:
        yield from _steps(order, grads, None)
        return
    live = set(wrt) & set(order)
    for v in order:  # the Values whose number changes with some w: only their rules are needed
        if v.op is not None and any(x in live for x in v.inputs):
            live.add(v)
    with enable_grad(), ieee_arithmetic():
        yield from _steps(order, grads, live)


def _steps(order: list[Value], grads: MutableMapping[Value, Any], live: set[Value] | None) -> Iterator[BackwardStep]:
    for v in reversed(order):  # outputs before the Values they were made from
        op, g = v.op, grads.get(v)
        if op is None or g is None or (live is not None and v not in live):
            continue
        if live is None:
            sent = op.backward(g, *(x.data for x in v.inputs), v.data)
        else:
            sent = op.backward_values(g, *v.inputs, v, wanted=[x in live for x in v.inputs])
        before, after = [], []
        for x, gx in zip(v.inputs, sent, strict=True):
            old = grads.get(x) if gx is not None else None
            before.append(old)
            if gx is not None:
                grads[x] = gx if old is None else old + gx  # the chain rule; += adds up the paths
            after.append(grads.get(x) if gx is not None else None)
        yield BackwardStep(v, g, sent, tuple(before), tuple(after))


def gradients(root: Value, seed: float = 1.0, *, grads: MutableMapping[Value, Any] | None = None) -> dict[Value, float]:
    """d root/d v for every Value v that `root` depends on, in a dict: the backward pass without `.grad`.

    Leaves start at 0.0 unless `grads` gives them a start, so this equals `backward()` from zeroed grads.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> g = gradients(a * b + a); g[a], g[b]
    (-2.0, 2.0)
    """
    _check_root(root)
    order = topological_order(root)
    start: dict[Value, Any] = {v: 0.0 for v in order if v.op is None}
    if grads is not None:
        start.update(grads)
    for _ in _backward_steps(root, order, seed, start, None):
        pass
    return {v: start.get(v, 0.0) for v in order}
