"""The op table: every op's forward and its backward rule, side by side, one entry each.

A rule is a small Python expression over the op's inputs (``a``, ``b``), its result ``out``, the upstream
gradient ``g`` and the op's metadata (the ``n`` of ``x ** n``). ``backward(g, *inputs, out)`` returns one
gradient per input (vector-Jacobian form); with ``g = 1`` it gives the local derivatives themselves.

Each rule string is compiled once, at import, three ways, so one source serves every use:

* on floats: ``backward`` and ``vjp`` return the gradients, and ``accumulate``, the step the backward
  loop runs for each node, adds them into the inputs' ``.grad`` (``a.grad += g * b`` for ``*``);
* on floats with IEEE arithmetic (``x / 0`` is ``inf``, overflow is ``inf``), taken only when the fast
  path raises: a backward pass never raises for a graph whose forward succeeded, as in PyTorch;
* on ``Value`` objects, which records a graph of the derivative itself (higher-order derivatives).

The same strings are what explanations print (``d out/d a = out * (1 - out)``) and what compiled mode
turns into straight-line Python. Rules are written in PyTorch's arithmetic order (its
``derivatives.yaml``), so first-order gradients agree with PyTorch float64 to the last bit wherever the
forward does.

>>> OPS["*"].backward(1.0, 2.0, 3.0, 6.0)       # d(a*b)/da = b, d(a*b)/db = a
(3.0, 2.0)
>>> OPS["sigmoid"].formula(0)
'(1.0 - out) * out'
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Sequence
from operator import mul
from typing import Any

__all__ = ["OPS", "Op", "dot_forward", "power", "sigmoid", "softplus"]

Rule = Callable[..., tuple[Any, ...]]

# ---------------------------------------------------------------------------------------------------
# Float functions the forwards and rules call. Each follows PyTorch's arithmetic where that matters.


def _exp(a: float) -> float:
    """e^a; overflow gives inf (as PyTorch), where math.exp would raise."""
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def sigmoid(a: float) -> float:
    """σ(a) = 1 / (1 + e^-a) in PyTorch's order; e^-a overflows to inf for a < -709, giving 0.0.

    >>> sigmoid(0.0), sigmoid(-1e308), sigmoid(1e308)
    (0.5, 0.0, 1.0)
    """
    try:
        return 1.0 / (1.0 + math.exp(-a))
    except OverflowError:
        return 0.0


SOFTPLUS_THRESHOLD = 20.0  # PyTorch's default: above it softplus(a) is a to double precision


def softplus(a: float) -> float:
    """log(1 + e^a), stable: a itself above the threshold, log1p(e^a) below (never overflows).

    >>> softplus(0.0) == math.log(2.0), softplus(1e308)
    (True, 1e+308)
    """
    return a if a > SOFTPLUS_THRESHOLD else math.log1p(math.exp(a))


def power(a: float, n: float) -> float:
    """a ** n for a number exponent, with PyTorch's special cases (so results agree bit for bit).

    PyTorch computes x**2 as x*x, x**3 as x*x*x, x**0.5 as sqrt, x**-1 as 1/x, x**-2 as 1/(x*x),
    x**-0.5 as 1/sqrt(x). Overflow gives inf. Raises as Python's float ** does for 0 to a negative power
    (ZeroDivisionError) and math does for a negative base with a fractional exponent (ValueError).

    >>> power(3.0, 2), power(2.0, -1), power(4.0, 0.5), power(1e-200, -2)
    (9.0, 0.5, 2.0, inf)
    """
    if n == 2.0:
        return a * a
    if n == 3.0:
        return a * a * a
    if n == 1.0:
        return a
    if n == 0.0:
        return 1.0
    if a == 0.0 and n < 0.0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    if n == 0.5:
        return math.sqrt(a)
    if n == -0.5:
        return 1.0 / math.sqrt(a)
    if n == -1.0:
        return 1.0 / a
    if n == -2.0:
        aa = a * a
        return 1.0 / aa if aa != 0.0 else math.inf  # a*a underflows for |a| < 1e-162: 1/0⁺ = inf, as PyTorch
    try:
        return math.pow(a, n)
    except OverflowError:
        return math.copysign(math.inf, a) if a < 0 and n % 2 == 1 else math.inf


def _pow_value_exponent(a: float, b: float) -> float:
    """a ** b where b is itself differentiable: needs a >= 0 (d/db a^b = a^b log a)."""
    if a < 0.0:
        raise ValueError("a negative base has no real power for a Value exponent")
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError("0.0 cannot be raised to a negative power")
    try:
        return math.pow(a, b)
    except OverflowError:
        return math.inf


def _sgn(a: float) -> float:
    """sign of a: -1.0, 0.0 or 1.0, as the gradient of PyTorch's abs: abs'(0) = 0, and 0 at nan too.

    >>> _sgn(-2.5), _sgn(0.0), _sgn(math.nan)
    (-1.0, 0.0, 0.0)
    """
    return float((a > 0.0) - (a < 0.0))


_SPLIT = 134217729.0  # 2^27 + 1: splits a double into two halves whose products are exact (Dekker 1971)


def fma(a: float, b: float, c: float) -> float:
    """a·b + c with one rounding, as a fused multiply-add instruction computes it.

    PyTorch's tanh backward is ``g * (1 - out * out)``, and its CPU kernel fuses ``1 - out*out`` into one
    instruction: ``fma(-out, out, 1)``. Rounding out*out first instead loses up to thousands of ulp near
    saturation (|out| → 1). Here the product is split exactly (Dekker's two-product: a·b = p + e with
    p, e doubles) and ``math.fsum`` rounds p + e + c once, correctly: the fused result, bit for bit.

    >>> fma(0.1, 10.0, -1.0) == 5.551115123125783e-17     # 0.1 is not 1/10: the exact a·b - 1 shows it
    True
    >>> 1.0 - 0.9999999999 * 0.9999999999 == fma(-0.9999999999, 0.9999999999, 1.0)
    False
    """
    p = a * b
    if not (math.isfinite(p) and math.isfinite(c)) or abs(a) > 1e290 or abs(b) > 1e290:
        return p + c  # inf, nan, or too large to split: no rounding to save
    t = _SPLIT * a
    ah = t - (t - a)
    al = a - ah
    t = _SPLIT * b
    bh = t - (t - b)
    bl = b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a·b - p exactly
    return math.fsum((p, e, c))


if hasattr(math, "fma"):  # Python 3.13+: the instruction itself
    fma = math.fma


def _is_zero(a: float) -> bool:
    return a == 0.0


# IEEE versions, used only when a rule's fast form raises (x / 0, 0 ** -n, overflow, log 0).


def _ieee_div(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if math.isnan(x) or x == 0.0:
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)


def _ieee_pow(x: float, y: float) -> float:
    try:
        r = x**y
    except ZeroDivisionError:  # 0 ** negative
        odd = y == math.floor(y) and y % 2 == 1
        return math.copysign(math.inf, x) if odd else math.inf
    except OverflowError:
        return math.inf
    return math.nan if isinstance(r, complex) else r


def _ieee_power(a: float, n: float) -> float:
    try:
        return power(a, n)
    except ZeroDivisionError:  # a is ±0 and n < 0: the same special cases, dividing as IEEE does
        if n == -0.5:
            return _ieee_div(1.0, math.sqrt(a))
        if n == -1.0:
            return _ieee_div(1.0, a)
        if n == -2.0:
            return _ieee_div(1.0, a * a)
        return _ieee_pow(a, n)
    except ValueError:
        return math.nan


def _ieee_pow_v(a: float, b: float) -> float:
    try:
        return _pow_value_exponent(a, b)
    except ZeroDivisionError:  # 0 ** negative
        return math.inf
    except ValueError:  # a negative base
        return math.nan


def _ieee_log(a: float) -> float:
    if a == 0.0:
        return -math.inf
    return math.log(a) if a > 0.0 else math.nan


def _ieee_sqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0.0 else math.nan


# The names forwards and rules use, on floats.
FLOAT_NAMES: dict[str, Any] = {
    "exp": _exp, "log": math.log, "sqrt": math.sqrt, "tanh": math.tanh, "sin": math.sin, "cos": math.cos,
    "sigmoid": sigmoid, "softplus": softplus, "power": power, "pow_v": _pow_value_exponent, "sgn": _sgn,
    "is_zero": _is_zero, "fma": fma, "THRESHOLD": SOFTPLUS_THRESHOLD,
}  # fmt: skip
IEEE_NAMES: dict[str, Any] = {
    **FLOAT_NAMES, "_log": _ieee_log, "_sqrt": _ieee_sqrt, "_power": _ieee_power, "_pow_v": _ieee_pow_v,
    "_div": _ieee_div, "_pow": _ieee_pow,
}  # fmt: skip
_IEEE_RENAME = {"log": "_log", "sqrt": "_sqrt", "power": "_power", "pow_v": "_pow_v"}
# Filled in by autograd.value: the functions rules call, acting on Values, so rules build graphs (higher
# order). A test checks it covers every name the rules use.
VALUE_NAMES: dict[str, Any] = {}


class _IEEE(ast.NodeTransformer):
    """Rewrite `x / y`, `x ** y`, log, sqrt, power into IEEE helpers: the fallback form of a rule."""

    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(_IEEE_RENAME.get(node.id, node.id), node.ctx)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = {ast.Div: "_div", ast.Pow: "_pow"}.get(type(node.op))
        if helper is None:
            return node
        return ast.copy_location(ast.Call(ast.Name(helper, ast.Load()), [node.left, node.right], []), node)


def _ieee(expr: str) -> str:
    return ast.unparse(_IEEE().visit(ast.parse(expr, mode="eval")))


def _compile(source: str, namespace: dict[str, Any]) -> Any:
    code = compile(source, "<chainrule op table>", "exec")
    scope: dict[str, Any] = {}
    exec(code, dict(namespace), scope)  # noqa: S102 -- our own rule strings, never user text
    return scope["_f"]


# ---------------------------------------------------------------------------------------------------


class Op:
    """One entry of the op table: a forward on floats and a backward rule per input.

    ``forward(*inputs)`` maps floats to a float. ``backward(g, *inputs, out)`` returns one gradient per
    input. ``vjp(g, inputs, out)`` is the same on the inputs themselves (it reads their ``.data``).
    ``accumulate(g, inputs, out)`` is the engine's step for one node, the chain rule itself: it adds
    each input's gradient into that input's ``.grad``. ``rules`` holds the source of each rule;
    ``formula(i)`` is the local derivative d out/d input i as text. Ops with metadata (the ``n`` of
    ``x ** n``) are bound with ``op.bind(n=3.0)``.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> OPS["*"].accumulate(10.0, (a, b), -6.0)       # a.grad += 10 · b, b.grad += 10 · a
    >>> a.grad, b.grad
    (-30.0, 20.0)
    """

    __slots__ = (  # noqa: RUF023 -- grouped by meaning: what the op is, then its compiled functions
        "name", "arity", "inputs", "params", "forward_source", "rules", "domain",
        "forward", "backward", "vjp", "accumulate", "ieee_forward", "_factory", "_value_rules", "_bound",
    )  # fmt: skip

    name: str
    arity: int | None
    inputs: tuple[str, ...]
    params: dict[str, float]
    forward_source: str
    rules: tuple[str, ...]
    domain: str
    forward: Callable[..., float]
    ieee_forward: Callable[..., float]
    backward: Callable[..., tuple[float, ...]]
    vjp: Callable[[float, tuple[Any, ...], float], Sequence[float]]
    accumulate: Callable[[float, Sequence[Any], float], None]

    def __init__(
        self,
        name: str,
        forward: str,
        rules: tuple[str, ...],
        *,
        params: tuple[str, ...] = (),
        domain: str = "",
    ) -> None:
        self.name = name
        self.arity = len(rules)
        self.inputs = ("a", "b")[: len(rules)]
        self.params = dict.fromkeys(params, math.nan)
        self.forward_source = forward
        self.rules = rules
        self.domain = domain
        self._bound: dict[tuple[float, ...], Op] = {}
        args = ", ".join(self.inputs)
        used = {n.id for r in rules for n in ast.walk(ast.parse(r, mode="eval")) if isinstance(n, ast.Name)}
        datas = "".join(f"{x} = inputs[{i}].data; " for i, x in enumerate(self.inputs) if x in used)
        safe = ", ".join(_ieee(r) for r in rules)
        fast = ", ".join(rules)
        one = "," if len(rules) == 1 else ""  # `va, = inputs` unpacks one
        values = ", ".join(f"v{x}" for x in self.inputs) + one  # the input Values: va, vb
        grads = ", ".join(f"g{x}" for x in self.inputs) + one  # what each gets: ga, gb
        loads = "; ".join(f"{x} = v{x}.data" for x in self.inputs if x in used)
        adds = "".join(f"        v{x}.grad += g{x}\n" for x in self.inputs)
        # One factory per op, taking the metadata; it returns the forward, the backward on floats (fast
        # form, IEEE fallback), the vjp that reads inputs' data, and accumulate, the engine's step for
        # one node: every input's grad += g · d out/d input, with nothing half-added if a rule raises.
        src = (
            f"def _f({', '.join(params)}):\n"
            f"    def forward({args}):\n"
            f"        return {forward}\n"
            f"    def ieee_forward({args}):\n"
            f"        return {_ieee(forward)}\n"
            f"    def backward(g, {args}, out):\n"
            f"        try:\n"
            f"            return ({fast},)\n"
            f"        except (ArithmeticError, ValueError):\n"
            f"            return ({safe},)\n"
            f"    def vjp(g, inputs, out):\n"
            f"        {datas or 'pass'}\n"
            f"        try:\n"
            f"            return ({fast},)\n"
            f"        except (ArithmeticError, ValueError):\n"
            f"            return ({safe},)\n"
            f"    def accumulate(g, inputs, out):\n"
            f"        {values} = inputs\n"
            f"        {loads or 'pass'}\n"
            f"        try:\n"
            f"            {grads} = {fast}{one}\n"
            f"        except (ArithmeticError, ValueError):\n"
            f"            {grads} = {safe}{one}\n"
            f"{adds}"
            f"    return forward, ieee_forward, backward, vjp, accumulate\n"
        )
        self._factory = _compile(src, IEEE_NAMES)
        self._value_rules: tuple[Rule, ...] | None = None
        if not params:
            self.forward, self.ieee_forward, self.backward, self.vjp, self.accumulate = self._factory()

    def bind(self, **params: float) -> Op:
        """This op with its metadata fixed (cached), e.g. ``OPS["**"].bind(n=2.0)``."""
        key = tuple(map(float, map(params.__getitem__, self.params)))
        op = self._bound.get(key)
        if op is None:
            if len(self._bound) > 256:
                self._bound.clear()
            op = object.__new__(Op)
            for slot in Op.__slots__:
                if hasattr(self, slot):
                    setattr(op, slot, getattr(self, slot))
            op.params = dict(zip(self.params, key, strict=True))
            op.forward, op.ieee_forward, op.backward, op.vjp, op.accumulate = self._factory(*key)
            op._value_rules = None
            self._bound[key] = op
        return op

    def backward_values(self, g: Any, *inputs: Any, wanted: Sequence[bool] | None = None) -> tuple[Any, ...]:
        """The rules run on Values (inputs, then out), so the gradient is itself differentiable.

        `wanted[i]` False skips input i's rule (its entry is None): a higher-order pass runs rules only
        for inputs that depend on what it differentiates by.
        """
        if self._value_rules is None:
            args = ", ".join((*self.inputs, "out", *self.params))
            self._value_rules = tuple(
                _compile(f"def _f(g, {args}):\n    return {rule}\n", {**FLOAT_NAMES, **VALUE_NAMES})
                for rule in self.rules
            )
        params = self.params.values()
        return tuple(
            rule(g, *inputs, *params) if wanted is None or wanted[i] else None
            for i, rule in enumerate(self._value_rules)
        )

    def input_names(self, n: int | None = None) -> tuple[str, ...]:
        """The names the rules give the inputs (`n` inputs, for an op that takes any number)."""
        return self.inputs

    def rules_for(self, n: int | None = None) -> tuple[str, ...]:
        """One rule per input (`n` inputs, for an op that takes any number), in the input names.

        >>> OPS["*"].rules_for(), OPS["dot"].rules_for(5)
        (('g * b', 'g * a'), ('g * x1', 'g * x2', 'g * w1', 'g * w2', 'g'))
        """
        return self.rules

    def formula(self, i: int, n: int | None = None) -> str:
        """The local derivative d out/d input_i as text: the rule with g = 1.

        >>> OPS["/"].formula(1), OPS["dot"].formula(0, 4)
        ('-(out / b)', 'x1')
        """
        return _with_unit_gradient(self.rules_for(n)[i])

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Op({self.name!r}{params})"


class _NaryOp(Op):
    """An op over any number of inputs (sum, dot): one node where a Python loop would make n.

    Its derivative is written once, as `accumulate(g, inputs, out)`: the engine's fast path, adding
    g · d out/d x into each input's `.grad`. `vjp` and `backward` run that same code on stand-ins that
    start at -0.0 (the additive identity: -0.0 + y is y, bit for bit), so every use gets the same
    numbers. Its rules, written per number of inputs, serve formulas and compiled mode.
    """

    __slots__ = ("_names", "_rules")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        accumulate: Callable[[float, Sequence[Any], float], None],
        value_rule: Rule,
        names: Callable[[int], tuple[str, ...]],
        rules: Callable[[int], tuple[str, ...]],
        forward_source: str,
    ) -> None:
        self.name = name
        self.arity = None
        self.inputs = ()
        self.params = {}
        self.forward_source = forward_source
        self.rules = ()
        self.domain = ""
        self._bound = {}
        self._factory = None
        self.forward = forward
        self.ieee_forward = forward  # sums and products never raise: overflow is inf already
        self.backward = self._backward
        self.vjp = self._vjp
        self.accumulate = accumulate
        self._value_rules = (value_rule,)
        self._names = names
        self._rules = rules

    def _vjp(self, g: float, inputs: Sequence[Any], out: float) -> tuple[float, ...]:
        return self._backward(g, *(x.data for x in inputs), out)

    def _backward(self, g: float, *args: float) -> tuple[float, ...]:
        inputs = args[:-1]  # the last is out, which only dot's shortcut reads: it is given nan below, so
        # that a list of gradients shows every g · x_i, where the engine skips adding zeros
        slots = [_Slot(x) for x in inputs]  # one per position: an input given twice gets two gradients
        self.accumulate(g, slots, math.nan)
        return tuple(s.grad for s in slots)

    def backward_values(self, g: Any, *inputs: Any, wanted: Sequence[bool] | None = None) -> tuple[Any, ...]:
        assert self._value_rules is not None  # set in __init__
        grads = self._value_rules[0](g, *inputs)
        return grads if wanted is None else tuple(gx if w else None for gx, w in zip(grads, wanted, strict=True))

    def input_names(self, n: int | None = None) -> tuple[str, ...]:
        return self._names(self._count(n))

    def rules_for(self, n: int | None = None) -> tuple[str, ...]:
        return self._rules(self._count(n))

    def _count(self, n: int | None) -> int:
        if n is None:
            raise TypeError(f"{self.name} takes any number of inputs: formula(i, n) needs n, as rules_for(n) does")
        return n


class _Slot:
    """A stand-in input for `accumulate`: its number, and a gradient that starts at -0.0."""

    __slots__ = ("data", "grad")

    def __init__(self, data: float) -> None:
        self.data = data
        self.grad = -0.0


def _with_unit_gradient(rule: str) -> str:
    """Rewrite a rule for g = 1: drop `g *` factors, keep the local derivative."""

    def is_g(x: ast.AST) -> bool:
        return isinstance(x, ast.Name) and x.id == "g"

    class DropG(ast.NodeTransformer):
        def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
            self.generic_visit(node)
            if isinstance(node.op, ast.Mult) and is_g(node.left):
                return node.right
            if isinstance(node.op, ast.Mult) and is_g(node.right):
                return node.left
            if isinstance(node.op, ast.Div) and is_g(node.left):
                return ast.BinOp(ast.Constant(1), ast.Div(), node.right)
            return node

    class OneForG(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            return ast.Constant(1) if node.id == "g" else node

        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            if isinstance(node.func, ast.Name) and node.func.id == "fma":  # fused: shown as the math it is
                a, b, c = node.args
                if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.USub):  # fma(-x, y, c) = c - x*y
                    return ast.BinOp(c, ast.Sub(), ast.BinOp(a.operand, ast.Mult(), b))
                return ast.BinOp(ast.BinOp(a, ast.Mult(), b), ast.Add(), c)
            return node

    tree = OneForG().visit(DropG().visit(ast.parse(rule, mode="eval")))
    return ast.unparse(tree)


# ---------------------------------------------------------------------------------------------------
# n-ary ops: sum and dot. Their inputs are flat tuples; dot's are (w_1..w_n, x_1..x_n[, bias]).


def _sum_forward(*xs: float) -> float:
    return float(sum(xs))  # left to right, as a Python loop would add them


def _sum_accumulate(g: float, inputs: Sequence[Any], out: float) -> None:
    for x in inputs:
        x.grad += g  # d(x_1 + ... + x_n)/d x_i = 1


def dot_forward(ws: Iterable[float], xs: Iterable[float], bias: float | None = None) -> float:
    """Σ w_i x_i (+ bias), summed left to right: the one definition of dot's arithmetic."""
    total: float = sum(map(mul, ws, xs))
    return total if bias is None else total + bias


def _dot_forward(*args: float) -> float:
    n = len(args) // 2
    return dot_forward(args[:n], args[n : 2 * n], args[-1] if len(args) % 2 else None)


def _dot_accumulate(g: float, inputs: Sequence[Any], out: float) -> None:
    # d(Σ w_i x_i + b)/d w_i = x_i, d/d x_i = w_i, d/d b = 1; PyTorch's order: g * other. Weights first,
    # then inputs, then the bias: the order of the += matters only for an input given twice, and is fixed.
    if g == 0.0 and -math.inf < out < math.inf:
        # A finite sum has finite terms, so every g * x_i is exactly zero: nothing to add. (An inactive
        # ReLU above a neuron does this for half the network.) With out inf or nan, 0 * inf = nan must flow.
        return
    n = len(inputs) // 2
    ws, xs = inputs[:n], inputs[n : 2 * n]
    for w, x in zip(ws, xs):
        w.grad += g * x.data
    for w, x in zip(ws, xs):
        x.grad += g * w.data
    if len(inputs) % 2:
        inputs[-1].grad += g


def _sum_values(g: Any, *inputs: Any) -> tuple[Any, ...]:
    return (g,) * (len(inputs) - 1)


def _dot_values(g: Any, *args: Any) -> tuple[Any, ...]:
    inputs = args[:-1]
    n = len(inputs) // 2
    grads = [g * x for x in inputs[n : 2 * n]] + [g * w for w in inputs[:n]]
    return (*grads, g) if len(inputs) % 2 else tuple(grads)


def _sum_names(n: int) -> tuple[str, ...]:
    return tuple(f"x{i + 1}" for i in range(n))


def _dot_names(n: int) -> tuple[str, ...]:
    k = n // 2
    return (*(f"w{i + 1}" for i in range(k)), *(f"x{i + 1}" for i in range(k)), *(("b",) if n % 2 else ()))


def _dot_rules(n: int) -> tuple[str, ...]:
    k = n // 2  # the rules _dot_accumulate runs: d/dw_i = x_i, d/dx_i = w_i, d/db = 1
    return (*(f"g * x{i + 1}" for i in range(k)), *(f"g * w{i + 1}" for i in range(k)), *(("g",) if n % 2 else ()))


# ---------------------------------------------------------------------------------------------------
# THE TABLE. forward on the left, one backward rule per input on the right (g = d root/d out).
# Comments carry the calculus a learner writes on paper.

_TABLE = [
    #  name         forward               backward rules: one per input
    Op("+",        "a + b",               ("g", "g")),                                   # d(a+b) = da + db
    Op("-",        "a - b",               ("g", "-g")),
    Op("*",        "a * b",               ("g * b", "g * a")),                           # product rule
    Op("/",        "a / b",               ("g / b", "-(g * (out / b))"),                 # d(a/b)/db = -a/b²
       domain="division by zero: {a!r} / {b!r}"),
    Op("neg",      "-a",                  ("-g",)),
    Op("**",       "power(a, n)",         ("0.0 if n == 0 else g * (n * power(a, n - 1.0))",),  # n a^(n-1)
       params=("n",),
       domain="{a!r} ** {n!r}: a negative base needs a whole exponent, and 0 a non-negative one"),
    Op("pow",      "pow_v(a, b)",         ("0.0 if is_zero(b) else g * (b * a ** (b - 1.0))",   # b a^(b-1)
                                           "0.0 if is_zero(a) and b >= 0 else g * (out * log(a))"),  # a^b ln a
       domain="{a!r} ** {b!r}: with a Value exponent the base must be >= 0 (0 needs exponent >= 0)"),
    Op("abs",      "abs(a)",              ("g * sgn(a)",)),                              # abs'(0) = 0
    Op("exp",      "exp(a)",              ("g * out",)),                                 # (e^a)' = e^a
    Op("log",      "log(a)",              ("g / a",),                                    # (ln a)' = 1/a
       domain="log needs a positive input, got {a!r}"),
    Op("sqrt",     "sqrt(a)",             ("g / (2.0 * out)",),                          # (√a)' = 1/(2√a)
       domain="sqrt needs a non-negative input, got {a!r}"),
    # tanh' = 1 - tanh², as PyTorch computes it: 1 - out·out in one fused multiply-add (see fma)
    Op("tanh",     "tanh(a)",             ("g * fma(-out, out, 1.0)",)),
    Op("sigmoid",  "sigmoid(a)",          ("g * (1.0 - out) * out",)),                   # σ' = σ(1 - σ)
    Op("relu",     "0.0 if a <= 0 else a", ("0.0 if out <= 0 else g",)),                # relu'(0) = 0; nan stays
    Op("leaky_relu", "a if a > 0 else a * slope", ("g if a > 0 else g * slope",), params=("slope",)),
    Op("softplus", "softplus(a)",         ("g if a > THRESHOLD else g * exp(a) / (exp(a) + 1.0)",)),  # = σ(a)
    Op("sin",      "sin(a)",              ("g * cos(a)",)),
    Op("cos",      "cos(a)",              ("g * -sin(a)",)),
    _NaryOp("sum", _sum_forward, _sum_accumulate, _sum_values, _sum_names, lambda n: ("g",) * n, "x1 + ... + xn"),
    _NaryOp("dot", _dot_forward, _dot_accumulate, _dot_values, _dot_names, _dot_rules, "w1*x1 + ... + wn*xn + b"),
]  # fmt: skip

OPS: dict[str, Op] = {op.name: op for op in _TABLE}
