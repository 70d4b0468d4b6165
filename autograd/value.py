"""`Value`: one number that remembers how it was computed.

A Value holds `data` (a float), `grad` (d root/d this, a float, 0.0 until a backward pass), `inputs` (the
Values it was computed from, in argument order), `op` (its entry in the op table, None for a leaf) and a
`label`. There are no closures and no back-references, so a graph has no reference cycles: it is freed by
reference counting the moment the last name for its root goes away.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Iterable
from typing import Any

from . import checks, graph
from .graph import NO_GRAPH
from .modes import ANOMALY, IEEE, MODE, NO_GRAD, TRACE, DataDependentError, TracedFloat
from .ops import FLOAT_NAMES, OPS, VALUE_NAMES, Op, dot_forward

__all__ = ["Operand", "Value", "dot", "dots", "map_op", "sum"]

_ADD, _SUB, _MUL, _DIV, _NEG = OPS["+"], OPS["-"], OPS["*"], OPS["/"], OPS["neg"]
_POW_N, _POW_V, _SUM, _DOT = OPS["**"], OPS["pow"], OPS["sum"], OPS["dot"]
_LSE, _CE = OPS["logsumexp"], OPS["cross_entropy"]
_EXP, _LOG, _SQRT, _TANH, _SIGMOID = OPS["exp"], OPS["log"], OPS["sqrt"], OPS["tanh"], OPS["sigmoid"]
_RELU, _SOFTPLUS, _SIN, _COS, _ABS = OPS["relu"], OPS["softplus"], OPS["sin"], OPS["cos"], OPS["abs"]
_new = object.__new__
_next_seq = itertools.count().__next__  # atomic under the GIL


class Value:
    """A number that remembers how it was computed.

    >>> a, b = Value(2.0), Value(-3.0)
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad          # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
    """

    # `seq` numbers Values in the order they were made. Inputs always exist before the Value made from
    # them, so sorting by `seq` is a topological order: no deep stack, and drawings list nodes in the
    # order the expression was written.
    __slots__ = ("data", "grad", "inputs", "op", "label", "seq")  # noqa: RUF023 -- in the order the docs name them

    data: float
    grad: float
    inputs: tuple[Value, ...]
    op: Op | None
    label: str
    seq: int

    def __init__(self, data: float, label: str = "") -> None:
        if type(data) is float or isinstance(data, numbers.Real):
            self.data = float(data)
        else:
            raise TypeError(f"Value needs a real number (int or float), got {type(data).__name__}: {data!r}")
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, got {type(label).__name__}")
        self.grad = 0.0
        self.inputs = ()
        self.op = None
        self.label = label
        self.seq = _next_seq()

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def _repr_html_(self) -> str:
        """In Jupyter: the graph that made this Value, drawn (up to 40 Values; see `autograd.viz`), or one
        line saying what it is. (viz is imported here, when a notebook asks: drawing is optional.)"""
        from . import viz

        return viz.html_summary(self)

    def __float__(self) -> float:
        if MODE.get() & TRACE:
            _refuse(f"float({self.data!r})")
        return self.data

    # Arithmetic: each dunder is one line; the op table holds the math. Numbers become constant leaves.
    def __add__(self, other: Operand) -> Value:
        return _binary(_ADD, self, other)

    def __radd__(self, other: Operand) -> Value:
        return _binary(_ADD, other, self)

    def __sub__(self, other: Operand) -> Value:
        return _binary(_SUB, self, other)

    def __rsub__(self, other: Operand) -> Value:
        return _binary(_SUB, other, self)

    def __mul__(self, other: Operand) -> Value:
        return _binary(_MUL, self, other)

    def __rmul__(self, other: Operand) -> Value:
        return _binary(_MUL, other, self)

    def __truediv__(self, other: Operand) -> Value:
        return _binary(_DIV, self, other)

    def __rtruediv__(self, other: Operand) -> Value:
        return _binary(_DIV, other, self)

    def __neg__(self) -> Value:
        return _unary(_NEG, self)

    def __pos__(self) -> Value:
        return self

    def __pow__(self, other: Operand) -> Value:
        if type(other) is float or type(other) is int or isinstance(other, numbers.Real):
            return _unary(_POW_N.bind(n=float(other)), self)
        if isinstance(other, Value):
            return _binary(_POW_V, self, other)
        return NotImplemented

    def __rpow__(self, other: Operand) -> Value:  # 2 ** x: the base is a constant, the exponent a Value
        return _binary(_POW_V, other, self)

    def __abs__(self) -> Value:
        return _unary(_ABS, self)

    def exp(self) -> Value:
        """e^x."""
        return _unary(_EXP, self)

    def log(self) -> Value:
        """Natural logarithm; ValueError for x <= 0.

        >>> Value(-1.0).log()
        Traceback (most recent call last):
          ...
        ValueError: log needs a positive input, got -1.0
        """
        return _unary(_LOG, self)

    def sqrt(self) -> Value:
        """√x; ValueError for x < 0."""
        return _unary(_SQRT, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _unary(_TANH, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^-x), stable for any float; σ' = σ(1 - σ).

        >>> s = Value(0.0).sigmoid(); s.backward(); s.data
        0.5
        """
        return _unary(_SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x); relu'(0) = 0 as in PyTorch."""
        return _unary(_RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x."""
        if not isinstance(slope, numbers.Real):
            raise TypeError(f"slope must be a number, got {type(slope).__name__}")
        return _unary(OPS["leaky_relu"].bind(slope=float(slope)), self)

    def softplus(self) -> Value:
        """log(1 + e^x), stable for any float; its derivative is σ(x)."""
        return _unary(_SOFTPLUS, self)

    def sin(self) -> Value:
        """Sine."""
        return _unary(_SIN, self)

    def cos(self) -> Value:
        """Cosine."""
        return _unary(_COS, self)

    # Comparisons look at data and return bool; == and hash stay identity, so Values live in sets/dicts.
    def __lt__(self, other: Operand) -> bool:
        if MODE.get() & TRACE:
            _refuse(f"{self.data!r} < {_data(other)!r}")
        return self.data < _data(other)

    def __le__(self, other: Operand) -> bool:
        if MODE.get() & TRACE:
            _refuse(f"{self.data!r} <= {_data(other)!r}")
        return self.data <= _data(other)

    def __gt__(self, other: Operand) -> bool:
        if MODE.get() & TRACE:
            _refuse(f"{self.data!r} > {_data(other)!r}")
        return self.data > _data(other)

    def __ge__(self, other: Operand) -> bool:
        if MODE.get() & TRACE:
            _refuse(f"{self.data!r} >= {_data(other)!r}")
        return self.data >= _data(other)

    __eq__ = object.__eq__
    __hash__ = object.__hash__

    # micrograd's names, read-only, so code written against micrograd (its graph-tracing function) runs.
    @property
    def _prev(self) -> set[Value]:
        """micrograd's name for the inputs: the set of Values this one was computed from."""
        return set(self.inputs)

    @property
    def _op(self) -> str:
        """micrograd's name for the op: how a drawing labels it ('*', '**2', 'tanh'); '' for a leaf."""
        return "" if self.op is None else self.op.label

    # The graph.
    def backward(self, seed: float = 1.0) -> None:
        """Backpropagate: fill `.grad` of every Value this one was computed from.

        Leaves accumulate across calls (as in PyTorch); intermediate grads are recomputed each call.
        """
        graph.backward(self, seed)

    def detach(self) -> Value:
        """A new leaf with the same data: gradients do not flow through it."""
        return Value(self.data, self.label)

    def zero_grad(self) -> None:
        """Set `.grad` to 0.0 on this Value and every Value it was computed from."""
        for v in graph.topological_order(self):
            v.grad = 0.0


Operand = Value | float | int


def _refuse(what: str) -> None:
    raise DataDependentError(
        f"a traced function compared a Value ({what}): its graph would depend on the data. "
        "Use an op that branches inside (relu, abs, ...) or run it without compiling"
    )


def _data(x: Any) -> float:
    if isinstance(x, Value):
        return x.data
    if isinstance(x, numbers.Real):
        return float(x)
    raise TypeError(f"cannot compare Value with {type(x).__name__}")


def _leaf(data: float) -> Value:
    return _node(data, (), None)


def _node(data: float, inputs: tuple[Value, ...], op: Op | None) -> Value:
    """Put a Value together (an op's result, or a leaf): the only place a graph edge is recorded."""
    v = _new(Value)
    v.data = data
    v.grad = 0.0
    v.inputs = inputs
    v.op = op
    v.label = ""
    v.seq = _next_seq()
    mode = MODE.get()
    if mode and op is not None:
        if mode & NO_GRAD:  # a result, but no record of how it was made
            v.inputs = NO_GRAPH
            v.op = None
        elif mode & ANOMALY and not math.isfinite(data):
            shown = tuple(x.data for x in inputs)
            raise FloatingPointError(f"{op.name} produced {data!r} from inputs {shown!r}")
        if mode & TRACE:  # compiled mode is tracing: the user's code may not branch on this number
            v.data = TracedFloat(float.__float__(data))  # (x ** 1 returns x's traced number itself)
    return v


def _domain_error(op: Op, datas: tuple[float, ...], error: Exception) -> Exception:
    """The forward's exception again, of the same type, with a message naming the op and its inputs."""
    names = dict(zip(("a", "b"), datas, strict=False)) | op.params
    return type(error)(op.domain.format(**names) if op.domain else f"{op.name}: {error}")


def _operand(x: Any) -> Value | None:
    """A Value for an operand: Values as they are, numbers as constant leaves, anything else None."""
    if type(x) is float:
        return _leaf(x)
    if isinstance(x, Value):
        return x
    if type(x) is int or isinstance(x, numbers.Real):
        return _leaf(float(x))
    return None


def _binary(op: Op, a: Any, b: Any) -> Value:
    if type(b) is not Value:  # a number (x * 2), or something else
        b = _operand(b)
        if b is None:
            return NotImplemented  # type: ignore[no-any-return]  # Python then raises its own TypeError
    if type(a) is not Value:  # a number (2 * x, from __rmul__)
        a = _operand(a)
        if a is None:
            return NotImplemented  # type: ignore[no-any-return]
    try:
        data = op.forward(a.data, b.data)
    except (ArithmeticError, ValueError, DataDependentError):
        data = _forward_again(op, (a.data, b.data))
    return _node(data, (a, b), op)


def _unary(op: Op, a: Value) -> Value:
    try:
        data = op.forward(a.data)
    except (ArithmeticError, ValueError, DataDependentError):
        data = _forward_again(op, (a.data,))
    return _node(data, (a,), op)


def _forward_again(op: Op, datas: tuple[float, ...]) -> float:
    """An op's forward after its fast form raised: outside its domain, the domain error naming the op, or
    in IEEE mode the IEEE result; while tracing, the forward's own branches run on the plain numbers."""
    plain = tuple(float.__float__(d) for d in datas)  # a traced .data is compared by the op, not the user
    try:
        return op.forward(*plain)
    except (ArithmeticError, ValueError) as e:
        if MODE.get() & IEEE:
            return op.ieee_forward(*plain)
        raise _domain_error(op, plain, e) from None


def _as_value(x: Any, what: str) -> Value:
    v = _operand(x)
    if v is not None:
        return v
    raise TypeError(f"{what} must hold Values or numbers, got {type(x).__name__}: {x!r}")


def sum(values: Iterable[Operand]) -> Value:
    """One node for x_1 + ... + x_n (a Python `sum()` makes n nodes).

    >>> from autograd import Value, sum
    >>> xs = [Value(1.0), Value(2.0), Value(3.0)]
    >>> s = sum(xs); s.backward()
    >>> s.data, [x.grad for x in xs]
    (6.0, [1.0, 1.0, 1.0])
    """
    inputs = tuple(_as_value(x, "sum(values)") for x in values)
    return _node(_SUM.forward(*[x.data for x in inputs]), inputs, _SUM)


def logsumexp(values: Iterable[Operand], minus: Operand | None = None) -> Value:
    """One node for log(e^x1 + ... + e^xn), computed without overflow (the largest x taken out first).
    Its local derivatives are the softmax: ∂out/∂xi = e^(xi - out).

    With `minus`, one `cross_entropy` node for logsumexp(x) - minus, computed as (m - minus) + log Σ e^(xi -
    m), m the largest x, so that nothing cancels: with minus = x_c it is the cross-entropy of the logits x
    for class c, -log softmax(x)_c, and its gradient is softmax(x) - one_hot(c).

    >>> from autograd import Value
    >>> xs = [Value(1000.0), Value(1000.0)]            # e^1000 overflows; log(2·e^1000) does not
    >>> z = logsumexp(xs); z.backward()
    >>> z.data == 1000.0 + math.log(2.0), [x.grad for x in xs]
    (True, [0.5000000000000275, 0.5000000000000275])
    >>> xs = [Value(1000.0), Value(1000.0)]            # the same, as a cross-entropy: exact
    >>> loss = logsumexp(xs, minus=xs[0]); loss.backward()
    >>> loss.data == math.log(2.0), [x.grad for x in xs]    # softmax - one_hot(0)
    (True, [-0.5, 0.5])
    """
    inputs = tuple(_as_value(x, "logsumexp(values)") for x in values)
    if not inputs:
        raise ValueError("logsumexp needs at least one value: log of an empty sum is log 0")
    op, args = (_LSE, inputs) if minus is None else (_CE, (*inputs, _as_value(minus, "logsumexp(minus=...)")))
    datas = tuple(x.data for x in args)
    try:
        data = op.forward(*datas)
    except DataDependentError:  # tracing: the largest input is found on the plain numbers, inside the op
        data = _forward_again(op, datas)
    return _node(data, args, op)


def softmax(values: Iterable[Operand]) -> list[Value]:
    """The softmax of x1..xn: e^xi / Σ e^xj, written e^(xi - logsumexp(x)) so that nothing overflows. Each
    output is two nodes (a subtraction and an exp) above one shared logsumexp node.

    >>> from autograd import Value
    >>> p = softmax([Value(0.0), Value(math.log(3.0))])    # e^0 : e^ln 3 = 1 : 3
    >>> [round(v.data, 12) for v in p]
    [0.25, 0.75]
    """
    inputs = [_as_value(x, "softmax(values)") for x in values]
    lse = logsumexp(inputs)
    return [(x - lse).exp() for x in inputs]


def dot(ws: Iterable[Operand], xs: Iterable[Operand], bias: Operand | None = None) -> Value:
    """One node for w_1 x_1 + ... + w_n x_n (+ bias): a neuron's pre-activation.

    >>> from autograd import Value, dot
    >>> w, x, b = [Value(2.0), Value(-1.0)], [3.0, 4.0], Value(0.5)
    >>> z = dot(w, x, b); z.backward()
    >>> z.data, [wi.grad for wi in w], b.grad      # dz/dw_i = x_i, dz/db = 1
    (2.5, [3.0, 4.0], 1.0)
    """
    wl: list[Any] = ws if type(ws) is list else list(ws)
    xl: list[Any] = xs if type(xs) is list else list(xs)
    if len(wl) != len(xl):
        raise ValueError(f"dot needs as many weights as inputs, got {len(wl)} weights and {len(xl)} inputs")
    if len([w for w in wl if type(w) is Value]) != len(wl):
        wl = [_as_value(w, "dot(ws, ...)") for w in wl]
    if len([x for x in xl if type(x) is Value]) != len(xl):
        xl = [_as_value(x, "dot(..., xs)") for x in xl]
    b = bias if bias is None or type(bias) is Value else _as_value(bias, "dot bias")
    return _dot_node(wl, xl, [x.data for x in xl], b)


def dots(
    rows: list[list[Value]],
    xs: list[Value],
    biases: list[Value | None] | None = None,
    labels: list[str] | None = None,
) -> list[Value]:
    """One `dot` node per row: ``rows[j] · xs + biases[j]``, a matrix times a vector (a layer's
    pre-activations), reading each input's number once for all rows. The same nodes as
    ``[dot(w, xs, b) for w, b in zip(rows, biases)]``, made in one loop, labelled `labels[j]` if given.

    Rows are lists of Values as long as `xs` (a list of Values); a bias is a Value or None. Anything else
    is a TypeError or ValueError, found when reading it fails (so correct calls pay for no checks).

    >>> from autograd import Value
    >>> x = [Value(3.0), Value(1.0)]
    >>> [z.data for z in dots([[Value(2.0), Value(0.0)], [Value(-1.0), Value(1.0)]], x, [Value(0.5), None])]
    [6.5, -2.0]
    """
    if biases is None:
        biases = [None] * len(rows)
    if labels is None:
        labels = [""] * len(rows)
    elif not _all_str(labels):
        _check_dots(rows, xs, biases, labels)
    try:
        xd = [x.data for x in xs]  # read once for every row
        if MODE.get():  # no_grad, anomaly, tracing: each node through _node, as one dot() would make it
            out = [_dot_node(ws, xs, xd, b) for ws, b in zip(rows, biases, strict=True)]
            for z, label in zip(out, labels, strict=True):
                z.label = label
            return out
        out = []
        for ws, b, label in zip(rows, biases, labels, strict=True):
            if len(ws) != len(xd):
                raise ValueError
            # _node's record, field by field (a call per node costs 15% of a layer's forward pass)
            z = _new(Value)
            if b is None:
                z.data = dot_forward([w.data for w in ws], xd)
                z.inputs = (*ws, *xs)
            else:
                z.data = dot_forward([w.data for w in ws], xd, b.data)
                z.inputs = (*ws, *xs, b)
            z.grad = 0.0
            z.op = _DOT
            z.label = label
            z.seq = _next_seq()
            out.append(z)
        return out
    except (AttributeError, TypeError, ValueError):
        _check_dots(rows, xs, biases, labels)
        raise


def _all_str(labels: object) -> bool:
    """Whether `labels` is a list of str, checked in C (`dots` and `map_op` run once per layer per sample:
    a Python loop over the labels cost more than 1 µs a call)."""
    try:
        "".join(labels)  # type: ignore[arg-type]  # anything else is the answer False
    except TypeError:
        return False
    return isinstance(labels, (list, tuple))


def _dot_node(ws: list[Value], xs: list[Value], xd: list[float], b: Value | None) -> Value:
    if len(ws) != len(xd):
        raise ValueError
    if b is None:
        return _node(dot_forward([w.data for w in ws], xd), (*ws, *xs), _DOT)
    return _node(dot_forward([w.data for w in ws], xd, b.data), (*ws, *xs, b), _DOT)


def _check_dots(rows: object, xs: object, biases: object, labels: object) -> None:
    """Say what is wrong with arguments of `dots` that failed."""
    ls = checks.iterable("labels", labels, "a list of str, one per row")
    for j, label in enumerate(ls):
        checks.instance(f"labels[{j}]", label, str, "a str")
    xl = checks.iterable("xs", xs, "a list of Values")
    for i, x in enumerate(xl):
        checks.instance(f"xs[{i}]", x, Value, "a Value")
    rl = checks.iterable("rows", rows, "a list of lists of Values")
    bl = checks.iterable("biases", biases, "a list of Values or None, one per row")
    if len(bl) != len(rl):
        raise ValueError(f"dots needs one bias (or None) per row: {len(rl)} rows, {len(bl)} biases")
    for j, (ws, b) in enumerate(zip(rl, bl, strict=True)):
        wl = checks.iterable(f"rows[{j}]", ws, "a list of Values")
        if len(wl) != len(xl):
            raise ValueError(f"rows[{j}] has {len(wl)} weights but there are {len(xl)} inputs")
        for i, w in enumerate(wl):
            checks.instance(f"rows[{j}][{i}]", w, Value, "a Value")
        if b is not None:
            checks.instance(f"biases[{j}]", b, Value, "a Value or None")
    if len(ls) != len(rl):
        raise ValueError(f"dots needs one label per row: {len(rl)} rows, {len(ls)} labels")


def map_op(op: Op, values: list[Value], labels: list[str] | None = None) -> list[Value]:
    """`op` applied to each Value: one node each, the same nodes as ``[op(v) for v in values]`` would
    be, made in one loop (a layer's activations), labelled `labels[j]` if given.

    >>> from autograd import OPS, Value
    >>> [a.data for a in map_op(OPS["relu"], [Value(-1.0), Value(2.0)])]
    [0.0, 2.0]
    """
    if op.arity != 1:
        raise ValueError(f"map_op applies an op of one input, got {op!r}")
    if labels is None:
        labels = [""] * len(values)
    elif len(labels) != len(values) or not _all_str(labels):
        raise ValueError(f"map_op needs one label (a str) per Value: {len(values)} Values, labels {labels!r}")
    if MODE.get():
        out = [_unary(op, v) for v in values]
        for a, label in zip(out, labels, strict=True):
            a.label = label
        return out
    forward, out = op.forward, []
    try:
        for v, label in zip(values, labels, strict=True):
            try:
                data = forward(v.data)
            except (ArithmeticError, ValueError):
                data = _forward_again(op, (v.data,))
            a = _new(Value)  # _node's record, field by field, as in dots
            a.data = data
            a.grad = 0.0
            a.inputs = (v,)
            a.op = op
            a.label = label
            a.seq = _next_seq()
            out.append(a)
    except AttributeError:
        for i, v in enumerate(checks.iterable("values", values, "a list of Values")):
            checks.instance(f"values[{i}]", v, Value, "a Value")
        raise
    return out


def _fma(a: Operand, b: Operand, c: Operand) -> Value:
    """a·b + c on Values, its number rounded once as the float rule's fused multiply-add rounds it.

    The graph is a·b + c, whose derivatives are the fused operation's; only the number is the fused
    one, so a gradient computed on Values equals the float rule's bit for bit (tanh: 1 - out·out).
    """
    out = a * b + c
    assert isinstance(out, Value)  # a rule gives at least one Value
    out.data = FLOAT_NAMES["fma"](_data(a), _data(b), _data(c))
    return out


def _method(name: str) -> Any:
    float_fn = FLOAT_NAMES[name]
    return lambda x: getattr(x, name)() if isinstance(x, Value) else float_fn(x)


# The functions the rules call, on Values (higher order). sgn and is_zero look at data: they are constant.
VALUE_NAMES.update({name: _method(name) for name in ("exp", "log", "sin", "cos")})
VALUE_NAMES.update(
    power=lambda a, n: a**n,
    fma=lambda a, b, c: _fma(a, b, c),
    sgn=lambda x: float(FLOAT_NAMES["sgn"](x.data if isinstance(x, Value) else x)),
    is_zero=lambda x: (x.data if isinstance(x, Value) else x) == 0,
)
