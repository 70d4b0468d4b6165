"""The deep chain, the wide sum and memory per node, on each engine.

* deep chain: y = tanh(y * 0.5 + 0.1) repeated n times from a leaf x; forward, backward (dy/dx) and
  freeing the graph are timed separately. Two lines explain chainrule's: the same run with the cyclic
  collector paused during the forward pass (as a caller may do), and the object floor: the Python
  objects chainrule's graph is made of, made, linked and freed, with no arithmetic and no backward;
* wide sum: s = Σ w_i x_i over n pairs of leaves (chainrule: n `*` nodes and one `autograd.sum` node;
  micrograd and PyTorch scalar: Python's `sum`, n `+` nodes);
* bytes per node: a chain of n `y = y + x` nodes, measured with tracemalloc (Python's heap) and as the
  growth of the resident set (what the process really holds; the only measure that sees PyTorch's C++).

micrograd 0.1.0 has no tanh: we add the one from its author's lecture, in its closure style. Its recursive
topological sort needs `sys.setrecursionlimit` beyond depth ~1000, so micrograd runs these workloads in a
child process (`python -m benchmarks.child`), where a crash cannot take the run down.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from functools import partial
from operator import mul
from typing import Any

from autograd.ops import fma

X0 = 0.3  # the chain's input


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


# --- deep chain --------------------------------------------------------------------------------------


def chain_floor(n: int, fused: bool = True) -> dict[str, Any]:
    """Plain floats. fused: 1 - y² rounded once, as the engine (and PyTorch) computes tanh's derivative: an
    exact fused multiply-add costs pure Python about 0.6 µs a step. Unfused: 1 - y*y, the cheapest float code."""
    box: dict[str, Any] = {}

    def forward() -> float:
        ys = [0.0] * n
        y, tanh = X0, math.tanh
        for i in range(n):
            y = tanh(y * 0.5 + 0.1)
            ys[i] = y
        box["ys"] = ys
        return y

    def backward() -> float:
        g = 1.0
        if fused:
            for y in reversed(box["ys"]):
                g = g * fma(-y, y, 1.0) * 0.5  # d tanh(u)/du = 1 - tanh² (fused, as the engine), du/dy = 0.5
        else:
            for y in reversed(box["ys"]):
                g = g * (1.0 - y * y) * 0.5
        return g

    return _phases(forward, backward, box, collect=False)


def chain_chainrule(n: int, collector: bool = True) -> dict[str, Any]:
    from autograd import Value

    box: dict[str, Any] = {}

    def forward() -> float:
        collecting = gc.isenabled()
        if not collector:
            gc.disable()
        try:
            x = Value(X0)
            y = x
            for _ in range(n):
                y = (y * 0.5 + 0.1).tanh()
        finally:
            if collecting:
                gc.enable()
        box["x"], box["y"] = x, y
        return y.data

    def backward() -> float:
        box["y"].backward()
        return float(box["x"].grad)

    return _phases(forward, backward, box, collect=False)


def chain_objects(n: int) -> dict[str, Any]:
    """The least an engine with one Python object per node can spend on the chain, collector on.

    Per step the objects chainrule makes: five with Value's slots (y * 0.5 and + 0.1 each make a
    constant leaf and a node, tanh a node) and three input tuples, linked as the graph links them.
    No arithmetic, no backward: making them and freeing them is all that is timed.
    """
    node = node_class()
    box: dict[str, Any] = {}

    def forward() -> None:
        box["y"] = chain_of_objects(n, node)

    return _phases(forward, lambda: None, box, collect=False)


def node_class() -> type:
    """A class with Value's memory layout (its slots) and none of its code."""
    from autograd import Value

    return type("Node", (), {"__slots__": Value.__slots__})


def chain_of_objects(n: int, node: type) -> Any:
    """The object floor's graph: n steps of five `node`s and three input tuples, linked as chainrule's."""
    y = node()
    y.inputs = ()
    for _ in range(n):
        c = node()
        c.inputs = ()
        m = node()
        m.inputs = (y, c)
        c = node()
        c.inputs = ()
        s = node()
        s.inputs = (m, c)
        y = node()
        y.inputs = (s,)
    return y


def chain_torch(n: int) -> dict[str, Any]:
    import torch

    torch.set_num_threads(1)
    box: dict[str, Any] = {}

    def forward() -> float:
        x = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(n):
            y = torch.tanh(y * 0.5 + 0.1)
        box["x"], box["y"] = x, y
        return float(y.item())

    def backward() -> float:
        box["y"].backward()
        return float(box["x"].grad.item())

    return _phases(forward, backward, box, collect=False)


def micrograd_tanh(self: Any) -> Any:
    """tanh for micrograd's Value, as in its author's lecture (micrograd 0.1.0 ships without it)."""
    from micrograd.engine import Value

    t = math.tanh(self.data)
    out = Value(t, (self,), "tanh")

    def _backward() -> None:
        self.grad += (1 - t**2) * out.grad

    out._backward = _backward
    return out


def chain_micrograd(n: int) -> dict[str, Any]:
    from micrograd.engine import Value

    Value.tanh = micrograd_tanh
    box: dict[str, Any] = {}

    def forward() -> float:
        x = Value(X0)
        y = x
        for _ in range(n):
            y = (y * 0.5 + 0.1).tanh()
        box["x"], box["y"] = x, y
        return float(y.data)

    def backward() -> float:
        box["y"].backward()
        return float(box["x"].grad)

    return _phases(forward, backward, box, collect=True)


def _phases(forward: Callable[[], Any], backward: Callable[[], Any], box: dict[str, Any], collect: bool) -> dict[str, Any]:
    """Time forward, backward and freeing the graph (micrograd's cycles need the collector to go)."""
    gc.collect()
    tf, out = _timed(forward)
    tb, grad = _timed(backward)

    def free() -> None:
        box.clear()
        if collect:
            gc.collect()

    tr, _ = _timed(free)
    return {"forward": tf, "backward": tb, "free": tr, "total": tf + tb + tr, "out": out, "grad": grad}


# --- wide sum ----------------------------------------------------------------------------------------


def wide_inputs(n: int) -> tuple[list[float], list[float]]:
    import random

    rng = random.Random(n)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]


def wide_floor(n: int) -> dict[str, Any]:
    ws, xs = wide_inputs(n)
    box: dict[str, Any] = {}

    def forward() -> float:
        return sum(map(mul, ws, xs))

    def backward() -> float:
        g = 1.0
        box["gw"] = [g * x for x in xs]  # ds/dw_i = x_i
        box["gx"] = [g * w for w in ws]  # ds/dx_i = w_i
        return float(box["gw"][0])

    return _phases(forward, backward, box, collect=False)


def wide_chainrule(n: int) -> dict[str, Any]:
    import autograd
    from autograd import Value

    ws, xs = wide_inputs(n)
    W, X = [Value(w) for w in ws], [Value(x) for x in xs]
    box: dict[str, Any] = {}

    def forward() -> float:
        box["s"] = s = autograd.sum([w * x for w, x in zip(W, X, strict=True)])
        return s.data

    def backward() -> float:
        box["s"].backward()
        return W[0].grad

    return _phases(forward, backward, box, collect=False)


def wide_micrograd(n: int) -> dict[str, Any]:
    from micrograd.engine import Value

    ws, xs = wide_inputs(n)
    W, X = [Value(w) for w in ws], [Value(x) for x in xs]
    box: dict[str, Any] = {}

    def forward() -> float:
        box["s"] = s = sum(w * x for w, x in zip(W, X, strict=True))
        return float(s.data)

    def backward() -> float:
        box["s"].backward()
        return float(W[0].grad)

    return _phases(forward, backward, box, collect=True)


def wide_torch(n: int) -> dict[str, Any]:
    import torch

    torch.set_num_threads(1)
    ws, xs = wide_inputs(n)
    f64 = torch.float64
    W = [torch.tensor(w, dtype=f64, requires_grad=True) for w in ws]
    X = [torch.tensor(x, dtype=f64, requires_grad=True) for x in xs]
    box: dict[str, Any] = {}

    def forward() -> float:
        box["s"] = s = sum(w * x for w, x in zip(W, X, strict=True))
        return float(s.item())

    def backward() -> float:
        box["s"].backward()
        return float(W[0].grad.item())

    return _phases(forward, backward, box, collect=False)


CHAIN = {"chainrule": chain_chainrule, "float floor": chain_floor, "float floor, unfused": partial(chain_floor, fused=False),
         "PyTorch scalar": chain_torch,
         "micrograd": chain_micrograd, "chainrule, collector paused": partial(chain_chainrule, collector=False),
         "object floor": chain_objects}  # fmt: skip
UNCHECKED = ("object floor",)  # computes nothing: no output to compare
WIDE = {"chainrule": wide_chainrule, "float floor": wide_floor, "PyTorch scalar": wide_torch,
        "micrograd": wide_micrograd}  # fmt: skip


# --- memory ------------------------------------------------------------------------------------------


def rss_bytes() -> int:
    """The resident set size now (Linux /proc; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as f:
            import os

            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def bytes_per_node(engine: str, n: int) -> dict[str, Any]:
    """Memory of a chain of n `y = y + x` nodes: tracemalloc and resident-set growth, per node."""
    import tracemalloc

    if engine == "chainrule":
        from autograd import Value as Leaf

        make = lambda: Leaf(1.0)
    elif engine == "micrograd":
        from micrograd.engine import Value as Leaf  # type: ignore[no-redef]

        make = lambda: Leaf(1.0)
    else:
        import torch

        make = lambda: torch.tensor(1.0, dtype=torch.float64, requires_grad=True)

    def build(n: int = n) -> Any:
        x = make()
        y = x * 1.0
        for _ in range(n):
            y = y + x
        return y

    build(max(n // 100, 10))  # warm up lazily built tables, small: freed memory is not reused below
    gc.collect()
    gc.disable()
    try:
        rss0 = rss_bytes()
        y = build()
        rss1 = rss_bytes()
        del y
        gc.collect()
        tracemalloc.start()
        y = build()
        traced, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del y
    finally:
        gc.enable()
    return {"tracemalloc": traced / n, "rss": (rss1 - rss0) / n, "n": n}
