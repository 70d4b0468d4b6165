"""The op table: every op's forward and its backward rules, side by side, one entry each.

A rule is a small Python expression over the op's inputs (``a``, ``b``), its result ``out``, the upstream
gradient ``g`` and the op's metadata (the ``n`` of ``x ** n``): the gradient that input receives. With
``g = 1`` it is the local derivative ∂out/∂input itself, which is what explanations show.

From these strings `autograd.rules` writes each op's code once, at import, and keeps it as text: print
``OPS["*"].source`` to see the chain rule the engine runs for a product, one node of the backward pass::

    def accumulate(g, inputs, out):
        va, vb = inputs
        a = va.data; b = vb.data
        va.grad += g * b
        vb.grad += g * a

Where a rule can raise on floats (``g / b`` at b = 0) the code falls back to IEEE's answer (inf, nan),
so a backward pass never raises for a graph whose forward succeeded, as in PyTorch. The same strings run
on Values for higher-order derivatives, and compiled mode pastes them into straight-line Python. Rules
are written in PyTorch's arithmetic order (its ``derivatives.yaml``), so first-order gradients agree
with PyTorch float64 to the last bit wherever the forward does.

>>> OPS["*"].backward(1.0, 2.0, 3.0, 6.0)       # d(a*b)/da = b, d(a*b)/db = a
(3.0, 2.0)
>>> OPS["sigmoid"].formula(0)
'(1 - out) * out'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from operator import mul
from typing import Any

from . import rules

__all__ = ["OPS", "Family", "Op", "dot_forward", "fma", "power", "sigmoid", "softplus"]

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
    "is_zero": _is_zero, "fma": fma, "abs": abs, "THRESHOLD": SOFTPLUS_THRESHOLD, "inf": math.inf, "nan": math.nan,
}  # fmt: skip
IEEE_NAMES: dict[str, Any] = {
    **FLOAT_NAMES, "_log": _ieee_log, "_sqrt": _ieee_sqrt, "_power": _ieee_power, "_pow_v": _ieee_pow_v,
    "_div": _ieee_div, "_pow": _ieee_pow,
}  # fmt: skip
# Filled in by autograd.value: the functions rules call, acting on Values, so rules build graphs (higher
# order). A test checks it covers every name the rules use.
VALUE_NAMES: dict[str, Any] = {}


def _num(x: float) -> str:
    return f"{x:.6g}"


# ---------------------------------------------------------------------------------------------------


class Op:
    """One entry of the op table: a forward on floats and a backward rule per input, as strings.

    ``forward(*inputs)`` maps floats to a float; ``backward(g, *inputs, out)`` gives one gradient per
    input (the rules); ``accumulate(g, inputs, out)`` is one node of the backward pass, the chain rule
    itself: each input Value's ``.grad += g · ∂out/∂input``. ``backward_values`` runs the rules on
    Values (higher order). ``source`` is the Python code of all of them, generated from the strings.
    ``formula(i)`` is the local derivative ∂out/∂input_i as text; ``describe(names)`` shows a node made by
    the op. Ops with metadata (the ``n`` of ``x ** n``) are bound with ``op.bind(n=3.0)``.

    >>> from autograd import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> OPS["*"].accumulate(10.0, (a, b), -6.0)       # a.grad += 10 · b, b.grad += 10 · a
    >>> a.grad, b.grad
    (-30.0, 20.0)
    """

    __slots__ = (  # noqa: RUF023 -- grouped by meaning: what the op is, then its generated functions
        "name", "arity", "inputs", "params", "forward_source", "rules", "domain", "show", "source",
        "forward", "backward", "backward_values", "accumulate", "ieee_forward", "_factory", "_bound",
    )  # fmt: skip

    name: str
    arity: int | None
    inputs: tuple[str, ...]
    params: dict[str, float]
    forward_source: str
    rules: tuple[str, ...]
    domain: str
    show: str
    source: str
    forward: Callable[..., float]
    ieee_forward: Callable[..., float]
    _factory: Callable[..., tuple[Callable[..., Any], ...]] | None
    backward: Callable[..., tuple[float, ...]]
    backward_values: Callable[..., tuple[Any, ...]]
    accumulate: Callable[[float, Sequence[Any], float], None]

    def __init__(
        self,
        name: str,
        forward: str,
        rules_: tuple[str, ...],
        *,
        params: tuple[str, ...] = (),
        domain: str = "",
        show: str = "",
    ) -> None:
        self.name = name
        self.arity = len(rules_)
        self.inputs = ("a", "b")[: len(rules_)]
        self.params = dict.fromkeys(params, math.nan)
        self.forward_source = forward
        self.rules = rules_
        self.domain = domain
        self.show = show or f"{name}({', '.join('{' + x + '}' for x in self.inputs)})"
        self.source = rules.op_source(name, self.inputs, params, forward, rules_)
        self._bound: dict[tuple[float, ...], Op] = {}
        if params:
            (self._factory,) = rules.build(self.source, IEEE_NAMES, "make")
        else:
            self._factory = None
            self._set(rules.build(self.source, IEEE_NAMES, *_MADE))

    def _set(self, fns: tuple[Callable[..., Any], ...]) -> None:
        self.forward, self.ieee_forward, self.backward, _, self.accumulate = fns
        self.backward_values = self._first_backward_values

    def _first_backward_values(self, g: Any, *args: Any, wanted: Sequence[bool] | None = None) -> tuple[Any, ...]:
        """Compile the rules to run on Values (the first time they are needed: Value's functions are
        filled in by autograd.value, after this module), then run them."""
        namespace = {**FLOAT_NAMES, **VALUE_NAMES}
        if self._factory is None:
            (rule,) = rules.build(self.source, namespace, "backward_values")
        else:
            (make,) = rules.build(self.source, namespace, "make")
            rule = make(*self.params.values())[3]
        def backward_values(g: Any, *args: Any, wanted: Sequence[bool] | None = None) -> tuple[Any, ...]:
            grads: tuple[Any, ...] = rule(g, *args, wanted=wanted or (True,) * (len(args) - 1))  # args end with out
            return grads

        self.backward_values = backward_values
        return backward_values(g, *args, wanted=wanted)

    def bind(self, **params: float) -> Op:
        """This op with its metadata fixed (cached), e.g. ``OPS["**"].bind(n=2.0)``."""
        key = tuple(map(float, map(params.__getitem__, self.params)))
        op = self._bound.get(key)
        if op is None:
            if len(self._bound) > 256:
                self._bound.clear()
            op = object.__new__(type(self))
            for slot in Op.__slots__:
                if hasattr(self, slot):
                    setattr(op, slot, getattr(self, slot))
            op.params = dict(zip(self.params, key, strict=True))
            assert self._factory is not None  # an op with metadata has one
            op._set(self._factory(*key))
            self._bound[key] = op
        return op

    def input_names(self, n: int | None = None) -> tuple[str, ...]:
        """The names the rules give the inputs (`n` inputs, for an op that takes any number)."""
        return self.inputs

    def rules_for(self, n: int | None = None) -> tuple[str, ...]:
        """One rule per input (`n` inputs, for an op that takes any number), in the input names.

        >>> OPS["*"].rules_for(), OPS["dot"].rules_for(5)
        (('g * b', 'g * a'), ('g * x1', 'g * x2', 'g * w1', 'g * w2', 'g'))
        """
        return self.rules

    def forward_for(self, n: int | None = None, names: Sequence[str] | None = None) -> str:
        """The forward as an expression of the input names (`n` inputs, for an op that takes any number;
        `names` in place of the rules' names, for a family: a sum of thousands stays a flat string)."""
        return self.forward_source

    def formula(self, i: int, n: int | None = None) -> str:
        """The local derivative ∂out/∂input_i as a learner writes it: the rule with g = 1.

        >>> OPS["/"].formula(1), OPS["dot"].formula(0, 4), OPS["tanh"].formula(0)
        ('-(out / b)', 'x1', '1 - out * out')
        """
        return rules.show(rules.unit_gradient(self.rules_for(n)[i]))

    @property
    def label(self) -> str:
        """The op as a drawing labels it: its name, with its metadata (``**2``, ``leaky_relu 0.01``).

        >>> OPS["**"].bind(n=2.0).label, OPS["tanh"].label
        ('**2', 'tanh')
        """
        if self.name == "**":
            return "**" + _num(self.params["n"])
        extra = " ".join(_num(p) for p in self.params.values())
        return f"{self.name} {extra}" if extra else self.name

    def describe(self, inputs: Sequence[str], max_terms: int = 8) -> str:
        """How a node made by this op reads, given its inputs' names.

        >>> OPS["**"].bind(n=2.0).describe(["x"]), OPS["dot"].describe(["w1", "w2", "x1", "x2", "b"])
        ('x ** 2', 'w1*x1 + w2*x2 + b')
        """
        values = dict(zip(self.inputs, inputs, strict=True)) | {k: _num(v) for k, v in self.params.items()}
        return self.show.format(**values)

    def __repr__(self) -> str:
        params = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Op({self.name!r}{params})"


class Family(Op):
    """An op over any number of inputs, as one node where a Python loop would make n: `sum` and `dot`.

    Its rules are written once, for one element of each group of inputs (dot: w_i and x_i, in the names
    of the elements at the same index), plus a `tail` input (dot's bias); `rules_for(n)` spells them out
    for n inputs, and `source` is the generated loop.
    """

    __slots__ = ("_forward_terms", "_written", "always", "group_rules", "groups", "tail")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        groups: tuple[str, ...],
        group_rules: dict[str, str],
        *,
        tail: tuple[str, str] | None = None,
        skip_zero: bool = False,
        always: bool = False,
        forward_terms: Callable[[dict[str, str]], str] | None = None,
        written: Callable[[Sequence[str]], str] | None = None,
        forward_source: str,
    ) -> None:
        self.name = name
        self.arity = None
        self.inputs = ()
        self.params = {}
        self.forward_source = forward_source
        self.rules = ()
        self.domain = ""
        self.show = ""
        self.groups, self.group_rules, self.tail = groups, group_rules, tail
        if (forward_terms is None) == (written is None):
            raise TypeError(f"{name}: a family is a sum of terms (forward_terms) or written as a whole (written)")
        self._forward_terms, self._written = forward_terms, written
        self.always = always and tail is not None
        self.source = rules.family_source(name, groups, group_rules, tail, skip_zero, self.always)
        self._bound = {}
        self._factory = None
        self.forward = self.ieee_forward = forward  # no family raises: overflow is inf already
        self.backward, self.accumulate = rules.build(self.source, IEEE_NAMES, "backward", "accumulate")
        self.backward_values = self._first_backward_values

    def _count(self, n: int | None) -> tuple[int, bool]:
        if n is None:
            raise TypeError(f"{self.name} takes any number of inputs: say how many (rules_for(n), formula(i, n))")
        k = len(self.groups)
        if self.always:
            return (n - 1) // k, True
        return n // k, bool(self.tail and n % k)

    def input_names(self, n: int | None = None) -> tuple[str, ...]:
        """The names of n inputs: dot's are w1..wk, x1..xk (and b); sum's x1..xn."""
        k, tail = self._count(n)
        names = [f"{x}{i + 1}" for x in self.groups for i in range(k)]
        return (*names, *((self.tail[0],) if tail and self.tail else ()))

    def rules_for(self, n: int | None = None) -> tuple[str, ...]:
        k, tail = self._count(n)
        spelled = [
            rules.substitute(self.group_rules[x], {y: f"{y}{i + 1}" for y in self.groups})
            for x in self.groups
            for i in range(k)
        ]
        return (*spelled, *((self.tail[1],) if tail and self.tail else ()))

    def forward_for(self, n: int | None = None, names: Sequence[str] | None = None) -> str:
        """The forward for n inputs as one expression: a sum added left to right as the forward adds, or
        a call of the family's own function (``_logsumexp(...)``, which compiled code is given).

        >>> OPS["dot"].forward_for(5), OPS["sum"].forward_for(2, ["p0", "v3"]), OPS["logsumexp"].forward_for(2)
        ('0.0 + w1 * x1 + w2 * x2 + b', '0.0 + p0 + v3', '_logsumexp(x1, x2)')
        """
        k, _ = self._count(n)
        names = self.input_names(n) if names is None else names
        if self._forward_terms is None:
            return f"_{self.name}({', '.join(names)})"
        terms = [self._forward_terms({x: names[j * k + i] for j, x in enumerate(self.groups)}) for i in range(k)]
        return " + ".join(["0.0", *terms, *names[len(self.groups) * k :]])

    def describe(self, inputs: Sequence[str], max_terms: int = 8) -> str:
        if self._written is not None:
            shown = list(inputs) if len(inputs) <= max_terms else [*inputs[:3], "...", *inputs[-2:]]
            return self._written(shown)
        assert self._forward_terms is not None  # a family is one or the other (checked when made)
        k, _ = self._count(len(inputs))
        terms = [
            self._forward_terms({x: inputs[j * k + i] for j, x in enumerate(self.groups)}).replace(" * ", "*")
            for i in range(k)
        ] + list(inputs[len(self.groups) * k :])
        if len(terms) > max_terms:
            terms = [*terms[:3], f"... ({len(terms) - 5} more)", *terms[-2:]]
        return " + ".join(terms)


_MADE = ("forward", "ieee_forward", "backward", "backward_values", "accumulate")


# ---------------------------------------------------------------------------------------------------
# Forwards of the ops over any number of inputs: added left to right, as a Python loop would add them.


def _sum_forward(*xs: float) -> float:
    return float(sum(xs))


def dot_forward(ws: Iterable[float], xs: Iterable[float], bias: float | None = None) -> float:
    """Σ w_i x_i (+ bias), summed left to right: the one definition of dot's arithmetic."""
    total: float = sum(map(mul, ws, xs))
    return total if bias is None else total + bias


def _dot_forward(*args: float) -> float:
    n = len(args) // 2
    return dot_forward(args[:n], args[n : 2 * n], args[-1] if len(args) % 2 else None)


def _log_sum_exp_after(xs: Sequence[float], m: float) -> float:
    """log Σ e^(xi - m) for m = max(xs), finite: log1p of the sum without the largest term (which is 1),
    that sum rounded once (`math.fsum`), so a confident softmax's tiny remainder is not lost in 1 + it."""
    return math.log1p(math.fsum([*[math.exp(x - m) for x in xs], -1.0]))  # a nan anywhere gives nan


def logsumexp_forward(*xs: float) -> float:
    """log(e^x1 + ... + e^xn), without overflow: the largest, m, taken out, m + log Σ e^(xi - m). Each
    e^(xi - m) is at most 1, so nothing overflows. An inf input gives inf, all -inf gives -inf, a nan nan.

    >>> logsumexp_forward(1000.0, 1000.0) == 1000.0 + math.log(2.0)
    True
    """
    m = max(xs)
    if m in (math.inf, -math.inf):  # x - m would be inf - inf; the answer is m, unless a nan is there
        return math.nan if any(math.isnan(x) for x in xs) else m
    return m + _log_sum_exp_after(xs, m)


def _cross_entropy_forward(*args: float) -> float:
    """logsumexp(x1..xk) - b as (m - b) + log Σ e^(xi - m), m the largest x: with b = x_c, PyTorch's
    -log_softmax(x)_c = -((x_c - m) - log Σ e^(xi - m)), its log Σ taken more exactly (see above)."""
    *xs, b = args
    m = max(xs)
    if m in (math.inf, -math.inf) or b in (math.inf, -math.inf):
        return logsumexp_forward(*xs) - b  # inf - b, or lse - inf: the IEEE answer (nan for inf - inf)
    return (m - b) + _log_sum_exp_after(xs, m)


# ---------------------------------------------------------------------------------------------------
# THE TABLE. forward on the left, one backward rule per input on the right (g = d root/d out).
# Comments carry the calculus a learner writes on paper.

_TABLE = [
    #  name         forward               backward rules: one per input
    Op("+",        "a + b",               ("g", "g"), show="{a} + {b}"),                # d(a+b) = da + db
    Op("-",        "a - b",               ("g", "-g"), show="{a} - {b}"),
    Op("*",        "a * b",               ("g * b", "g * a"), show="{a} * {b}"),        # product rule
    Op("/",        "a / b",               ("g / b", "-(g * (out / b))"), show="{a} / {b}",  # d(a/b)/db = -a/b²
       domain="division by zero: {a!r} / {b!r}"),
    Op("neg",      "-a",                  ("-g",), show="-{a}"),
    Op("**",       "power(a, n)",         ("0.0 if n == 0 else g * (n * power(a, n - 1.0))",),  # n a^(n-1)
       params=("n",), show="{a} ** {n}",
       domain="{a!r} ** {n!r}: a negative base needs a whole exponent, and 0 a non-negative one"),
    Op("pow",      "pow_v(a, b)",         ("0.0 if is_zero(b) else g * (b * a ** (b - 1.0))",   # b a^(b-1)
                                           "0.0 if is_zero(a) and b >= 0 else g * (out * log(a))"),  # a^b ln a
       show="{a} ** {b}",
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
    Op("leaky_relu", "a if a > 0 else a * slope", ("g if a > 0 else g * slope",), params=("slope",),
       show="leaky_relu({a}, {slope})"),
    Op("softplus", "softplus(a)",         ("g if a > THRESHOLD else g * exp(a) / (exp(a) + 1.0)",)),  # = σ(a)
    Op("sin",      "sin(a)",              ("g * cos(a)",)),
    Op("cos",      "cos(a)",              ("g * -sin(a)",)),
    # Any number of inputs: x1 + ... + xn, and w1*x1 + ... + wn*xn (+ b), a neuron's pre-activation.
    Family("sum", _sum_forward, ("x",), {"x": "g"}, forward_terms=lambda v: v["x"], forward_source="x1 + ... + xn"),
    Family("dot", _dot_forward, ("w", "x"), {"w": "g * x", "x": "g * w"}, tail=("b", "g"), skip_zero=True,
           forward_terms=lambda v: f"{v['w']} * {v['x']}", forward_source="w1*x1 + ... + wn*xn + b"),
    # log(e^x1 + ... + e^xn): ∂out/∂xi = e^xi / Σ e^xj = e^(xi - out), the softmax of xi
    Family("logsumexp", logsumexp_forward, ("x",), {"x": "g * exp(x - out)"},
           written=lambda names: f"logsumexp({', '.join(names)})", forward_source="log(exp(x1) + ... + exp(xn))"),
    # log(e^x1 + ... + e^xk) - b, computed as (m - b) + log Σ e^(xi - m): with b = x_c, the cross-entropy
    # -log softmax(x)_c, no cancellation when x_c is the largest. ∂/∂xi = e^(xi - b - out) = softmax_i
    Family("cross_entropy", _cross_entropy_forward, ("x",), {"x": "g * exp((x - b) - out)"}, tail=("b", "-g"),
           always=True, written=lambda names: f"logsumexp({', '.join(names[:-1])}) - {names[-1]}",
           forward_source="log(exp(x1) + ... + exp(xk)) - b"),
]  # fmt: skip

OPS: dict[str, Op] = {op.name: op for op in _TABLE}
