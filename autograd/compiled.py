"""Compiled mode: trace a function once, emit straight-line Python for its forward and backward pass.

`compile(f, params, examples)` calls `f` on Values, records the graph, and writes it out as one Python
function: one line per op of the forward pass, then one line per local derivative of the backward pass
(`g_x += rule`), outputs before inputs. It reuses the op table's own strings (`Op.forward_source`,
`Op.rules`), so the printed source is backpropagation as plain code, and the numbers are the interpreted
engine's, bit for bit: the same float functions, the same arithmetic, the same order of the `+=`.

A compiled function replays one graph. A function whose graph depends on the data (`if x > 0:` on a
Value, or on `x.data`) cannot be replayed, and is refused, never silently frozen. What is detected:

* while tracing (`tracing()`), comparing a Value, `float(value)`, and every comparison, truth test or
  conversion (`int`, `round`, `math.floor`, `float`, `Value(...)`) of the `.data` of an input, a param
  or any Value computed from them raises DataDependentError, at the line that does it;
* f is traced once per example (twice if only one is given), the later traces with every param's
  number moved by one part in 2²⁰: a different graph, or a different constant (a number computed from
  `.data` by arithmetic, e.g. ``x * w.data``), raises; so does a Value from outside that is not in
  `params` (compiled code would freeze its number);
* every `check_every` samples, a call is re-run by the interpreted engine and must agree bit for bit.

Not detected: a branch on a number that a C function derives from `.data` (``if math.isnan(x.data)``)
taken the same way on every example and on the check's sample; numbers read from `.data` of a Value that
is neither an input, a param, nor computed from them; randomness that happens to repeat. Inputs of a
compiled function must be numbers (int or float): anything else is a TypeError.

>>> from autograd import Value, compile
>>> w, b = Value(0.5, "w"), Value(-1.0, "b")
>>> step = compile(lambda x, y: (w * x + b - y) ** 2, [w, b], [(2.0, 1.0), (3.0, 0.5)])
>>> print(step.source)
def compiled(P, G, x0, x1):
    p0, p1 = P  # w, b
    # forward: one line per op
    v0 = p0 * x0  # *
    v1 = v0 + p1  # +
    v2 = v1 - x1  # -
    v3 = power(v2, 2.0)  # **
    # backward: one line per local derivative, outputs before the values they were made from
    gp0, gp1 = G
    g3 = 1.0
    g2 = g3 * (2.0 * power(v2, 1.0))  # v3 = v2 ** 2
    g1 = g2  # v2 = v1 - x1
    g0 = g1  # v1 = v0 + p1
    gp1 += g1
    gp0 += g0 * x0  # v0 = p0 * x0
    return v3, (gp0, gp1)
>>> step(2.0, 1.0)                   # loss and d loss/d param, from the params' current data
(1.0, [-4.0, -2.0])
>>> step.backward(2.0, 1.0)          # or accumulate into .grad, as loss.backward() would
1.0
>>> w.grad, b.grad
(-4.0, -2.0)
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from . import checks, ops, rules
from .explain import describe
from .graph import topological_order
from .modes import ANOMALY, MODE, DataDependentError, TracedFloat, enable_grad, tracing
from .ops import Op
from .value import Value

__all__ = ["Compiled", "compile"]

# The compiled forward of sum and dot writes `0.0 + t1 + t2 + ...`: exactly what the engine's builtin
# sum() does on CPython 3.11 (a float accumulator started at 0.0, added left to right). Python 3.12's sum()
# compensates its rounding; there, the compiled code calls the engine's own function instead.
_PLAIN_SUM = builtins.sum([1e16, 1.0, -1e16]) == 0.0

_NAMES: dict[str, Any] = dict(ops.IEEE_NAMES)
_NAMES.update({f"_{op.name}": op.forward for op in ops.OPS.values() if op.arity is None})  # _sum, _dot, ...


def _literal(x: float) -> str:
    """Source text for a constant, exact: repr round-trips; signs and non-finite values spelled out."""
    if math.isnan(x):
        return "nan"
    text = "inf" if math.isinf(x) else repr(abs(x))
    return f"(-{text})" if math.copysign(1.0, x) < 0 else text


class _Trace:
    """One traced call: the graph in topological order, and a canonical form to compare traces by."""

    def __init__(
        self,
        f: Callable[..., Any],
        params: dict[Value, int],
        example: Sequence[float],
        moved: bool = False,
        has_aux: bool = False,
    ) -> None:
        self.inputs = [Value(float(x)) for x in example]
        for x in self.inputs:
            x.data = TracedFloat(x.data)
        saved = [p.data for p in params]
        try:
            for p, d in zip(params, saved, strict=True):  # `moved`: a constant computed from p.data changes
                p.data = TracedFloat(d * (1.0 + 2.0**-20) if moved else d)
            with enable_grad(), tracing():
                out = f(*self.inputs)
        finally:
            for p, d in zip(params, saved, strict=True):
                p.data = d
        self.aux: list[Value] = []
        self.aux_is_list = False
        if has_aux:
            if not (isinstance(out, tuple) and len(out) == 2):
                raise TypeError(f"with has_aux=True, f must return (loss, aux), got {type(out).__name__}: {checks.shown(out)}")
            out, aux = out
            self.aux_is_list = isinstance(aux, (list, tuple))
            self.aux = list(aux) if self.aux_is_list else [aux]
            for i, a in enumerate(self.aux):
                checks.instance(f"aux[{i}]", a, Value, "a Value (a number f computed, reported with the loss)")
        if not isinstance(out, Value):
            raise TypeError(f"compile needs f to return a Value, got {type(out).__name__}: {checks.shown(out)}")
        self.root = out
        self.order = _graph_order(out, self.aux)
        self.shape = _shape(self.order, params, self.inputs)
        index = {v: k for k, v in enumerate(self.order)}
        self.aux_at = tuple(index[a] for a in self.aux)  # where the reported values are in the order

    def compare(self, first: _Trace, n: int) -> None:
        """Raise unless this trace built the same graph as `first` (n: which example this is, from 1)."""
        if len(self.shape) != len(first.shape) or self.aux_at != first.aux_at:
            raise DataDependentError(
                f"f built a graph of {len(self.shape)} values for example {n} but {len(first.shape)} for example 1: "
                "its graph depends on the data (a branch on .data?), so it cannot be compiled; run it uncompiled"
            )
        for k, (a, b) in enumerate(zip(self.shape, first.shape, strict=True)):
            if a[0] == "c" and b[0] == "c":
                if self.order[k] is first.order[k]:  # the same Value in both traces: it was made outside f
                    v = self.order[k]
                    raise ValueError(
                        f"f uses {v!r}{f' ({v.label})' if v.label else ''}, a Value made outside it that is not in "
                        "params: compiled code would freeze its data. Add it to params, or use a plain number"
                    )
                if a[1] == b[1]:
                    continue
            elif a == b:
                continue
            raise DataDependentError(
                f"f built a different graph for example {n} than for example 1 (at value {k}: {_show(a)} vs "
                f"{_show(b)}): it depends on the data (a number read from .data, a branch, randomness), "
                "so it cannot be compiled; run it uncompiled"
            )


def _show(key: tuple[Any, ...]) -> str:
    if key[0] == "c":
        return f"constant {float.fromhex(key[1])!r}"
    if key[0] in ("p", "x"):
        return f"{'param' if key[0] == 'p' else 'input'} {key[1]}"
    return f"op {key[0]!r}"


def _expr(source: str, names: Mapping[str, str | float], ieee: bool = False) -> str:
    """A forward or a rule of the op table with one node's variables put in, constants folded."""
    return rules.substitute(rules.ieee(source) if ieee else source, names, ops.IEEE_NAMES)


def _emit(trace: _Trace, params: Sequence[Value], ieee: bool) -> tuple[str, int, int]:
    """The source of one function `compiled(P, G, x0, x1, ...) -> (loss, grads)`, and its line counts."""
    order, shape = trace.order, trace.shape
    var: dict[Value, str] = {}
    node_no: dict[Value, int] = {}
    for v, key in zip(order, shape, strict=True):
        if key[0] == "p":
            var[v] = f"p{key[1]}"
        elif key[0] == "x":
            var[v] = f"x{key[1]}"
        elif key[0] == "c":
            var[v] = _literal(v.data)
        else:
            node_no[v] = len(node_no)
            var[v] = f"v{node_no[v]}"
    # A Value needs a gradient if a param is among the Values it was made from and the loss is made from it
    # (an aux value off the loss's path gets none).
    needs: dict[Value, bool] = {}
    for v, key in zip(order, shape, strict=True):
        needs[v] = any(needs[x] for x in v.inputs) if v.op is not None else key[0] == "p"
    if trace.aux:
        on_path = set(topological_order(trace.root))
        needs = {v: n and v in on_path for v, n in needs.items()}

    args = "".join(f", x{j}" for j in range(len(trace.inputs)))
    labels = ", ".join(p.label or "?" for p in params)
    lines = [f"def compiled(P, G{args}):"]
    if params:
        lines.append(f"    {', '.join(f'p{i}' for i in range(len(params)))}{',' if len(params) == 1 else ''} = P"
                     + (f"  # {labels}" if any(p.label for p in params) else ""))
    lines.append("    # forward: one line per op")
    n_forward = 0
    for v in order:
        if v.op is None:
            continue
        op = v.op
        if op.arity is None:  # a family: its terms written out, or (Python 3.12+) the engine's own function
            ins = [var[x] for x in v.inputs]
            rhs = op.forward_for(len(ins), ins) if _PLAIN_SUM else f"_{op.name}({', '.join(ins)})"
        else:
            rhs = _expr(op.forward_source, _names(op, v, var))
        lines.append(f"    {var[v]} = {rhs}  # {op.name}")
        n_forward += 1

    lines.append("    # backward: one line per local derivative, outputs before the values they were made from")
    if params:
        lines.append(f"    {', '.join(f'gp{i}' for i in range(len(params)))}{',' if len(params) == 1 else ''} = G")
    grad = {v: f"g{node_no[v]}" if v.op is not None else f"gp{key[1]}" for v, key in zip(order, shape) if needs[v]}
    started: set[Value] = set()  # intermediate grads are assigned at their first contribution, then +=
    root = trace.root
    if needs[root]:
        if root.op is None:
            lines.append(f"    {grad[root]} += 1.0")
        else:
            lines.append(f"    {grad[root]} = 1.0")
            started.add(root)
    n_backward = 0
    for v in reversed(order):
        if v.op is None or not needs[v]:
            continue
        op, g = v.op, grad[v]
        inputs = v.inputs
        names = _names(op, v, var) | {"g": g}
        derivatives = [_expr(rule, names, ieee) for rule in op.rules_for(len(inputs))]
        comment = f"  # {describe(v, var)}"
        for x, rule in zip(inputs, derivatives, strict=True):
            if not needs[x]:
                continue
            if x.op is not None and x not in started:
                lines.append(f"    {grad[x]} = {rule}{comment}")
                started.add(x)
            else:
                lines.append(f"    {grad[x]} += {rule}{comment}")  # chain rule: paths add up
            comment = ""
            n_backward += 1
    grads = ", ".join(f"gp{i}" for i in range(len(params)))
    aux = "".join(f"{var[a]}, " for a in trace.aux)
    lines.append(f"    return {var[root]}, ({grads}{',' if len(params) == 1 else ''})" + (f", ({aux.rstrip(' ')})" if aux else ""))
    return "\n".join(lines), n_forward, n_backward


def _names(op: Op, v: Value, var: dict[Value, str]) -> dict[str, str | float]:
    names: dict[str, str | float] = dict(zip(op.input_names(len(v.inputs)), (var[x] for x in v.inputs), strict=True))
    names["out"] = var[v]
    names.update(op.params)
    return names


def _same(a: float, b: float) -> bool:
    return a.hex() == b.hex()  # bit for bit: 0.0 and -0.0 differ, nan matches nan


class Compiled:
    """A traced function as straight-line Python. Made by `compile`; see its docstring.

    `source` is the code; `params` the Values whose gradients it computes, read afresh at each call.
    """

    source: str
    params: list[Value]
    n_inputs: int
    has_aux: bool

    def __init__(
        self,
        f: Callable[..., Any],
        params: list[Value],
        first: _Trace,
        check_every: int | None,
        has_aux: bool = False,
    ) -> None:
        self.f = f
        self.params = params
        self.n_inputs = len(first.inputs)
        self.has_aux = has_aux
        self._aux_is_list = first.aux_is_list
        self._shape = first.shape
        self.source, self.n_forward, self.n_backward = _emit(first, params, ieee=False)
        self.ieee_source = _emit(first, params, ieee=True)[0]
        self._fast = _build(self.source, "<chainrule compiled>")
        self._safe = _build(self.ieee_source, "<chainrule compiled, IEEE>")
        self.check_every = check_every
        self._countdown = check_every or 0

    def __repr__(self) -> str:
        return (
            f"Compiled({getattr(self.f, '__name__', 'f')}: {len(self.params)} params, {self.n_inputs} inputs, "
            f"{self.n_forward} forward lines, {self.n_backward} backward lines)"
        )

    def __call__(self, *inputs: float) -> Any:
        """f(*inputs) and d f/d p for every param, as floats, and with has_aux the aux values (a float, or a
        list for a list); `.grad` is left alone."""
        sample = _numbers(inputs, self.n_inputs)
        self._tick(1, sample)
        P = [p.data for p in self.params]
        grads: Sequence[float]
        aux: Sequence[float]
        if MODE.get() & ANOMALY:
            loss, grads, aux = self._interpreted(sample)
        else:
            loss, grads, aux = self._run(P, [0.0] * len(P), sample)
        return (loss, list(grads), self._aux(aux)) if self.has_aux else (loss, list(grads))

    def backward(self, *inputs: float) -> Any:
        """Add d f/d p into every param's `.grad`, as `f(*inputs).backward()` would; return f(*inputs)
        (and with has_aux, the aux values)."""
        result = self.backward_batch([inputs])
        return (result[0][0], result[1][0]) if self.has_aux else result[0]

    def backward_batch(self, samples: Iterable[Sequence[float]]) -> Any:
        """`backward` for each sample in turn (params unchanged in between); returns each sample's loss
        (with has_aux, the losses and each sample's aux values).

        Gradients accumulate into `.grad` exactly as a loop of `f(*sample).backward()` would. If a sample
        raises, no `.grad` is changed.
        """
        samples = [_numbers(s, self.n_inputs, k) for k, s in enumerate(checks.iterable("samples", samples))]
        if not samples:
            return ([], []) if self.has_aux else []
        self._tick(len(samples), samples[0])
        losses: list[float] = []
        auxes: list[Any] = []
        aux: Sequence[float]
        if MODE.get() & ANOMALY:  # the interpreted engine, which checks every op
            saved = [p.grad for p in self.params]
            try:
                for s in samples:
                    loss, _, aux = self._interpreted(s, accumulate=True)
                    losses.append(loss)
                    auxes.append(self._aux(aux))
            except BaseException:
                for p, g in zip(self.params, saved, strict=True):
                    p.grad = g
                raise
            return (losses, auxes) if self.has_aux else losses
        P = [p.data for p in self.params]
        G: Sequence[float] = [p.grad for p in self.params]
        fast = self._fast
        try:
            if self.has_aux:
                for s in samples:
                    loss, G, aux = fast(P, G, *s)
                    losses.append(loss)
                    auxes.append(aux)
            else:
                for s in samples:
                    loss, G = fast(P, G, *s)
                    losses.append(loss)
        except (ArithmeticError, ValueError):
            G = [p.grad for p in self.params]
            losses, auxes = [], []
            for s in samples:
                loss, G, aux = self._run(P, G, s)
                losses.append(loss)
                auxes.append(aux)
        for p, g in zip(self.params, G, strict=True):
            p.grad = g
        return (losses, [self._aux(a) for a in auxes]) if self.has_aux else losses

    def _aux(self, aux: Sequence[float]) -> Any:
        return list(aux) if self._aux_is_list else aux[0]

    def verify(self, *inputs: float) -> None:
        """Run f on these inputs with the interpreted engine and raise unless the compiled code agrees.

        Raises DataDependentError if the graph or any number differs (bit for bit).
        """
        sample = _numbers(inputs, self.n_inputs)
        P = [p.data for p in self.params]
        loss, grads, aux = self._run(P, [0.0] * len(P), sample)
        want_loss, want, want_aux = self._interpreted(sample, check_shape=True)
        bad = [i for i, (a, b) in enumerate(zip(grads, want, strict=True)) if not _same(a, b)]
        bad_aux = [i for i, (a, b) in enumerate(zip(aux, want_aux, strict=True)) if not _same(a, b)]
        if not _same(loss, want_loss) or bad or bad_aux:
            what = f"gradient of param {bad[0]}: {grads[bad[0]]!r} vs {want[bad[0]]!r}" if bad else \
                f"aux value {bad_aux[0]}: {aux[bad_aux[0]]!r} vs {want_aux[bad_aux[0]]!r}" if bad_aux else \
                f"loss {loss!r} vs {want_loss!r}"
            raise DataDependentError(
                f"compiled f disagrees with the interpreted engine on inputs {inputs!r} ({what}): its graph "
                "depends on the data (a number read from .data?); run it uncompiled"
            )

    # -----------------------------------------------------------------------------------------------

    def _tick(self, n: int, inputs: Sequence[float]) -> None:
        if self.check_every:
            self._countdown -= n
            if self._countdown < 0:
                self._countdown = self.check_every
                self.verify(*inputs)

    def _run(
        self, P: list[float], G: Sequence[float], inputs: Sequence[float]
    ) -> tuple[float, Sequence[float], Sequence[float]]:
        """The fast code; where it raises, the engine's fallback: IEEE rules, or the engine's own error.
        Returns (loss, grads, aux values), aux empty without has_aux."""
        try:
            result = self._fast(P, G, *inputs)
        except (ArithmeticError, ValueError):
            try:
                result = self._safe(P, G, *inputs)
            except (ArithmeticError, ValueError):
                self._interpreted(inputs)  # a forward failed: the engine raises it, naming the op
                raise
        return result if self.has_aux else (*result, ())

    def _interpreted(
        self, inputs: Sequence[float], check_shape: bool = False, accumulate: bool = False
    ) -> tuple[float, list[float], list[float]]:
        """f run by the interpreted engine: (loss, grads, aux values); `.grad` as before unless `accumulate`."""
        saved = [p.grad for p in self.params]
        try:
            if not accumulate:
                for p in self.params:
                    p.grad = 0.0
            xs = [Value(float(x)) for x in inputs]
            with enable_grad():
                result = self.f(*xs)
            out, aux = result if self.has_aux else (result, [])
            aux = list(aux) if isinstance(aux, (list, tuple)) else [aux]
            if check_shape:
                trace_shape = _shape_of(out, aux, self.params, xs)
                if trace_shape != self._shape:
                    raise DataDependentError(
                        f"f built a different graph on inputs {tuple(inputs)!r} than when it was traced: its "
                        "graph depends on the data (a number read from .data?); run it uncompiled"
                    )
            out.backward()
            grads = [p.grad for p in self.params]
        except BaseException:
            for p, g in zip(self.params, saved, strict=True):
                p.grad = g
            raise
        if not accumulate:
            for p, g in zip(self.params, saved, strict=True):
                p.grad = g
        return out.data, grads, [a.data for a in aux]


def _numbers(sample: object, n: int, k: int | None = None) -> Sequence[float]:
    """One sample's inputs: n real numbers (a tuple of floats is taken as it is: the fast path)."""
    where = "inputs" if k is None else f"samples[{k}]"
    if type(sample) is tuple and len(sample) == n and all([type(x) is float for x in sample]):  # noqa: C419
        return sample
    items = checks.iterable(where, sample, f"a sample of {n} numbers")
    if len(items) != n:
        raise TypeError(f"compiled f takes {n} inputs, got {len(items)}: {checks.shown(tuple(items))}")
    return tuple(checks.real(f"{where}[{i}]", x, finite=False) for i, x in enumerate(items))


def _graph_order(root: Value, aux: Sequence[Value]) -> list[Value]:
    """The loss's graph in topological order, with the graphs of the aux values (usually inside it)."""
    order = topological_order(root)
    more = {v for a in aux for v in topological_order(a)} - set(order)
    return sorted([*order, *more], key=lambda v: v.seq) if more else order


def _shape_of(out: Any, aux: Sequence[Value], params: list[Value], xs: list[Value]) -> list[tuple[Any, ...]]:
    if not isinstance(out, Value):
        return []
    return _shape(_graph_order(out, aux), {p: i for i, p in enumerate(params)}, xs)


def _shape(order: list[Value], params: Mapping[Value, int], xs: list[Value]) -> list[tuple[Any, ...]]:
    """A graph's canonical form, to compare graphs by: per Value, ("p", i) for params[i], ("x", j) for
    xs[j], ("c", hex) for a constant, (op name, its params, the inputs' positions) for a node."""
    index = {v: k for k, v in enumerate(order)}
    where_x = {x: j for j, x in enumerate(xs)}
    shape: list[tuple[Any, ...]] = []
    for v in order:
        if v.op is not None:
            shape.append((v.op.name, tuple(v.op.params.values()), tuple(index[x] for x in v.inputs)))
        elif v in params:
            shape.append(("p", params[v]))
        elif v in where_x:
            shape.append(("x", where_x[v]))
        else:
            shape.append(("c", v.data.hex()))
    return shape


def _build(source: str, filename: str) -> Callable[..., Any]:
    """The function `compiled(P, G, x...)` -> (loss, grads) or, with aux values, (loss, grads, aux)."""
    (compiled,) = rules.build(source, _NAMES, "compiled", filename=filename)
    return compiled


def compile(  # autograd.compile mirrors torch.compile
    f: Callable[..., Any],
    params: Iterable[Value],
    examples: Iterable[Sequence[float]],
    *,
    has_aux: bool = False,
    check_every: int | None = 1000,
) -> Compiled:
    """Trace `f` and compile its forward and backward pass into straight-line Python.

    `f(*inputs)` takes Values (one per number of a sample) and returns a Value, the loss. `params` are
    the Values (leaves) it reads whose gradients you want: their current `.data` is read at every call.
    `examples` is a list of samples (tuples of numbers). f is traced on each of them (twice on one): all
    must give the same graph. Give two or more with different data, e.g. your first training samples.
    `check_every`: after that many samples, one is re-run by the interpreted engine and must agree bit for
    bit (None: never). `has_aux`: f returns (loss, aux), aux a Value or a list of Values computed on the
    way (a model's outputs, say), whose numbers every call reports beside the loss (as JAX's has_aux).

    The result `c` has `c.source`, `c(*inputs) -> (loss, grads)`, `c.backward(*inputs) -> loss`
    (accumulating into `.grad`) and `c.backward_batch(samples) -> losses`.

    >>> from autograd import Value, compile
    >>> w = Value(3.0)
    >>> c = compile(lambda x: (w * x).tanh(), [w], [(0.5,), (-1.0,)])
    >>> loss, (dw,) = c(0.0)
    >>> loss, dw                          # tanh(0) = 0, d/dw tanh(w x) = x (1 - tanh²) = 0
    (0.0, 0.0)
    >>> compile(lambda x: x.relu() if x > 0 else -x, [], [(1.0,), (2.0,)])
    Traceback (most recent call last):
      ...
    autograd.modes.DataDependentError: a traced function compared a Value (1.0 > 0.0): ...
    """
    params = list(params)
    where: dict[Value, int] = {}
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"params must be Values, got {type(p).__name__} at {i}: {p!r}")
        if p.op is not None:
            raise ValueError(f"params must be leaves (Values no op made), but param {i} was made by {p.op.name!r}")
        if p in where:
            raise ValueError(f"param {i} is listed twice in params (also at {where[p]})")
        where[p] = i
    checks.function("f", f, "a function of Values that returns a Value (the loss)")
    given = checks.iterable("examples", examples, "a list of samples (tuples of numbers), e.g. [(x1, y1), (x2, y2)]")
    if not given:
        raise ValueError("compile needs at least one example: a list of samples, e.g. [(x1, y1), (x2, y2)]")
    width = len(checks.iterable("examples[0]", given[0], "a sample (a tuple of numbers)"))
    examples = [tuple(_numbers(e, width, k)) for k, e in enumerate(given)]
    checks.optional(checks.integer, "check_every", check_every, low=1)
    checks.flag("has_aux", has_aux)
    first = _Trace(f, where, examples[0], has_aux=has_aux)
    for n, e in enumerate(examples[1:] if len(examples) > 1 else examples, start=2):
        _Trace(f, where, e, moved=True, has_aux=has_aux).compare(first, n)
    compiled = Compiled(f, params, first, check_every, has_aux)
    compiled.verify(*examples[0])  # the emitted code must reproduce the engine here and now
    return compiled
