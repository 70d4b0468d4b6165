"""Rule strings, and everything done to them: the one room for that machinery.

An op's forward and its backward rules are small Python expressions over the op's inputs (``a``, ``b``),
its result ``out``, the upstream gradient ``g`` and its metadata (the ``n`` of ``x ** n``). From one
string, this module makes every form the rest of the engine needs:

* ``ieee(rule)``: the fallback form, taken only when the fast form raises: ``x / 0`` is inf, ``log 0``
  is -inf, as IEEE floats (and PyTorch) have it, so a backward pass never raises;
* ``unit_gradient(rule)``: the rule with g = 1, which is the local derivative ``∂out/∂a``;
* ``substitute(expr, values)``: names replaced by other expressions or numbers, then every part made only
  of constants folded (``n * power(a, n - 1.0)`` with n = 2 is ``2.0 * power(a, 1.0)``): for compiled
  mode's straight-line code and for explanations;
* ``show(expr)``: how a learner writes it (``2 * a``, ``1 - out * out``);
* ``op_source`` and ``family_source``: the Python code of an op's forward and backward, generated once at
  import, kept as text (``OPS["*"].source``) and compiled by ``build``.

>>> ieee("g / b")
'_div(g, b)'
>>> show(unit_gradient("g * (n * power(a, n - 1.0))"))
'n * a ** (n - 1)'
>>> show(substitute(unit_gradient("g * (n * power(a, n - 1.0))"), {"n": 2.0}))
'2 * a'
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "build", "can_raise", "family_source", "ieee", "names", "op_source", "show", "substitute", "unit_gradient",
]  # fmt: skip

# The IEEE form calls these helpers (defined in ops.py) instead of operators and functions that raise.
_IEEE_CALLS = {"log": "_log", "sqrt": "_sqrt", "power": "_power", "pow_v": "_pow_v"}
_IEEE_OPERATORS: dict[type[ast.operator], str] = {ast.Div: "_div", ast.Pow: "_pow"}


def _parse(expr: str) -> ast.expr:
    return ast.parse(expr, mode="eval").body


def names(expr: str) -> set[str]:
    """The names an expression reads (functions included).

    >>> sorted(names("g * (1.0 - out) * out"))
    ['g', 'out']
    """
    return {n.id for n in ast.walk(_parse(expr)) if isinstance(n, ast.Name)}


class _Ieee(ast.NodeTransformer):
    def visit_Name(self, node: ast.Name) -> ast.AST:
        return ast.Name(_IEEE_CALLS.get(node.id, node.id), node.ctx)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = _IEEE_OPERATORS.get(type(node.op))
        if helper is None:
            return node
        return ast.Call(ast.Name(helper, ast.Load()), [node.left, node.right], [])


def ieee(expr: str) -> str:
    """The form that gives IEEE's answer where the plain one raises: ``/`` and ``**`` and the functions
    that raise on floats become helpers that return inf or nan.

    >>> ieee("-(g * (out / b))"), ieee("g / (2.0 * out)")
    ('-(g * _div(out, b))', '_div(g, 2.0 * out)')
    """
    return ast.unparse(ast.fix_missing_locations(_Ieee().visit(_parse(expr))))


def can_raise(expr: str) -> bool:
    """Whether evaluating the expression on floats may raise (so code for it needs the IEEE fallback).

    >>> can_raise("g * b"), can_raise("g / b")
    (False, True)
    """
    return ieee(expr) != ast.unparse(_parse(expr))


def _is(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


class _DropG(ast.NodeTransformer):
    """g · x → x, x · g → x, g / x → 1 / x."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.Mult) and _is(node.left, "g"):
            return node.right
        if isinstance(node.op, ast.Mult) and _is(node.right, "g"):
            return node.left
        if isinstance(node.op, ast.Div) and _is(node.left, "g"):
            return ast.BinOp(ast.Constant(1.0), ast.Div(), node.right)
        return node


def unit_gradient(rule: str) -> str:
    """A backward rule with upstream gradient 1: the local derivative ∂out/∂input itself.

    >>> unit_gradient("g * (1.0 - out) * out"), unit_gradient("g / b"), unit_gradient("g")
    ('(1.0 - out) * out', '1.0 / b', '1.0')
    """
    tree = _DropG().visit(_parse(rule))
    return ast.unparse(ast.fix_missing_locations(_Substitute({"g": 1.0}, {}).visit(tree)))  # any g left is 1


def _constant(x: float) -> ast.expr:
    """A number as an expression that reads back exactly: -2.0 as -(2.0), inf and nan by name."""
    if math.isnan(x):
        return ast.Name("nan", ast.Load())
    node: ast.expr = ast.Name("inf", ast.Load()) if math.isinf(x) else ast.Constant(abs(x))
    return ast.UnaryOp(ast.USub(), node) if math.copysign(1.0, x) < 0 else node


class _Substitute(ast.NodeTransformer):
    """Replace names, then fold every part whose names are all pure functions (so, made of constants)."""

    def __init__(self, values: Mapping[str, str | float], functions: Mapping[str, Any]) -> None:
        self.values = values
        self.functions = functions

    def visit_Name(self, node: ast.Name) -> ast.AST:
        value = self.values.get(node.id)
        if value is None:
            return node
        return _parse(value) if isinstance(value, str) else _constant(float(value))

    def _fold(self, node: ast.expr) -> ast.expr:
        free = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if not free <= self.functions.keys():
            return node  # depends on a variable: stays
        try:
            tree = ast.fix_missing_locations(ast.Expression(node))
            value = eval(compile(tree, "<rule>", "eval"), dict(self.functions))
        except (ArithmeticError, ValueError):
            return node  # left for run time, where it raises (or falls back) as the engine does
        if isinstance(value, bool):
            return ast.Constant(value)
        if isinstance(value, (int, float)) and math.isfinite(value):
            return _constant(float(value))
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        return self._fold(node)

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.operand, ast.Constant):
            return node  # -2.0 is already as short as it gets
        return self._fold(node)

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        return self._fold(node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        return self._fold(node)

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node


def substitute(expr: str, values: Mapping[str, str | float], functions: Mapping[str, Any] | None = None) -> str:
    """`expr` with each name in `values` replaced (a str is an expression, a number a constant), then
    every part made only of constants and the pure `functions` folded to its value.

    `functions` are the float functions a rule may call, all pure (numbers in, a number out: a call of one
    on constants can be folded), and named constants (default: none, so only arithmetic folds).

    >>> substitute("0.0 if n == 0 else g * (n * power(a, n - 1.0))", {"n": 3.0, "g": "g7", "a": "v2"})
    'g7 * (3.0 * power(v2, 2.0))'
    >>> substitute("-(g * (out / b))", {"g": "g1", "out": "v1", "b": -2.0})
    '-(g1 * (v1 / -2.0))'
    """
    known = {"inf": math.inf, "nan": math.nan, **(functions or {})}
    tree = _Substitute(values, known).visit(_parse(expr))
    return ast.unparse(ast.fix_missing_locations(tree))


class _Show(ast.NodeTransformer):
    """Rule functions as the math they stand for: power(a, 1) → a, power(a, k) → a ** k, fma → its sum."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.func, ast.Name):
            return node
        name, args = node.func.id, node.args
        if name == "power" and len(args) == 2:
            base, k = args
            return base if isinstance(k, ast.Constant) and k.value == 1 else ast.BinOp(base, ast.Pow(), k)
        return _as_written(node) or node


def _as_written(node: ast.Call) -> ast.expr | None:
    """A call the op table makes for exactness or IEEE safety, as the arithmetic it does (or None)."""
    if not isinstance(node.func, ast.Name):
        return None
    name, args = node.func.id, node.args
    if name == "fma" and len(args) == 3:  # fused, but shown as the arithmetic it does
        a, b, c = args
        if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.USub):  # fma(-x, y, c) = c - x·y
            return ast.BinOp(c, ast.Sub(), ast.BinOp(a.operand, ast.Mult(), b))
        return ast.BinOp(ast.BinOp(a, ast.Mult(), b), ast.Add(), c)
    if name == "is_zero" and len(args) == 1:
        return ast.Compare(args[0], [ast.Eq()], [ast.Constant(0.0)])
    return None


def show(expr: str) -> str:
    """An expression as a learner would write it: whole numbers without ``.0``, powers as ``**``.

    >>> show("(1.0 - out) * out"), show("fma(-out, out, 1.0)"), show("2.0 * power(a, 1.0)")
    ('(1 - out) * out', '1 - out * out', '2 * a')
    """
    text = ast.unparse(ast.fix_missing_locations(_Show().visit(_parse(expr))))
    return re.sub(r"(?<![\w.])(\d+)\.0(?!\d)", r"\1", text)


# ---------------------------------------------------------------------------------------------------
# Generated code. An op's functions are written out as Python source once, at import, from its strings.


_FALLBACK = "except (ArithmeticError, ValueError):  # outside a rule's domain: IEEE's inf and nan, as PyTorch"


def op_source(
    name: str, inputs: Sequence[str], params: Sequence[str], forward: str, rules: Sequence[str]
) -> str:
    """The Python source of a fixed-arity op: forward, its IEEE form, backward (one gradient per input),
    the same on Values (`wanted[i]` False skips input i), and `accumulate`, one node of the backward pass.
    With metadata, the functions are made by `make(n)`.

    >>> print(op_source("*", ["a", "b"], [], "a * b", ["g * b", "g * a"]).split("def accumulate")[1])
    (g, inputs, out):
        # * : for each input, grad += g · ∂out/∂input (the chain rule; += adds up the paths)
        va, vb = inputs
        a = va.data; b = vb.data
        va.grad += g * b
        vb.grad += g * a
    <BLANKLINE>
    """
    args = ", ".join(inputs)
    used = set().union(*(names(r) for r in rules))
    loads = "; ".join(f"{x} = v{x}.data" for x in inputs if x in used)
    raising = any(can_raise(r) for r in rules)
    one = len(rules) == 1

    def tuple_of(items: Sequence[str]) -> str:
        return f"({items[0]},)" if one else ", ".join(items)

    fast, safe = tuple_of(list(rules)), tuple_of([ieee(r) for r in rules])
    lines = [f"def forward({args}):", f"    return {forward}", ""]
    if can_raise(forward):
        lines += [f"def ieee_forward({args}):", f"    return {ieee(forward)}", ""]
    else:
        lines += ["ieee_forward = forward  # it cannot raise: nothing to fall back from", ""]
    lines.append(f"def backward(g, {args}, out):")
    if raising:
        lines += ["    try:", f"        return {fast}", f"    {_FALLBACK}", f"        return {safe}"]
    else:
        lines += [f"    return {fast}"]
    lines += [
        "",
        f"def backward_values(g, {args}, out, wanted):",
        "    return " + tuple_of([f"({r}) if wanted[{i}] else None" for i, r in enumerate(rules)]),
        "",
        "def accumulate(g, inputs, out):",
        f"    # {name} : for each input, grad += g · ∂out/∂input (the chain rule; += adds up the paths)",
        "    va = inputs[0]" if one else f"    {', '.join(f'v{x}' for x in inputs)} = inputs",
    ]
    if loads:
        lines.append(f"    {loads}")
    if raising:  # every gradient first, so that nothing is half-added if a rule raises
        grads = ", ".join(f"g{x}" for x in inputs)
        lines += [
            "    try:", f"        {grads} = {', '.join(rules)}", f"    {_FALLBACK}",
            f"        {grads} = {', '.join(ieee(r) for r in rules)}",
            *(f"    v{x}.grad += g{x}" for x in inputs),
        ]  # fmt: skip
    else:
        lines += [f"    v{x}.grad += {r}" for x, r in zip(inputs, rules, strict=True)]
    lines.append("")
    if not params:
        return "\n".join(lines)
    body = "\n".join("    " + line if line else "" for line in lines)
    made = "forward, ieee_forward, backward, backward_values, accumulate"
    return f"def make({', '.join(params)}):\n{body}\n    return {made}\n"


def family_source(
    name: str,
    groups: Sequence[str],
    rules: Mapping[str, str],
    tail: tuple[str, str] | None,
    skip_zero: bool,
    always: bool = False,
) -> str:
    """The Python source of an op over any number of inputs, a family described once: `groups` of k
    inputs each (dot: w_1..w_k, x_1..x_k), the rule for an element of each group in the names of the
    elements at the same index, and an optional `tail` input with its rule (dot's bias b: "g").

    `skip_zero`: when g is 0 and out is finite, every term of the sum is finite, so every rule g·x gives
    exactly 0 and `accumulate` adds nothing (an inactive ReLU above a neuron does this for half a network).
    `always`: the tail input is always there (last), and the groups' rules may use its name.

    >>> print(family_source("sum", ["x"], {"x": "g"}, None, False).split("def accumulate")[1])
    (g, inputs, out):
        # sum : for each input, grad += g · ∂out/∂input (the chain rule; += adds up the paths)
        for vx in inputs:
            vx.grad += g
    <BLANKLINE>
    """
    n = len(groups)
    datas = {x: f"v{x}.data" for x in groups}
    slices = ", ".join(_slice(j) for j in range(n))
    count = f"(len(inputs) - 1) // {n}" if always else f"len(inputs) // {n}"
    lines: list[str] = []
    for values in (False, True):  # backward; backward_values (on Values: only the wanted rules run)
        lines += ["def backward_values(g, *args, wanted):" if values else "def backward(g, *args):"]
        lines += ["    *inputs, out = args", f"    k = {count}"]
        if always and tail:
            lines.append(f"    {tail[0]} = inputs[-1]")
        lines.append("    grads = []")
        names, groups_in = ", ".join(groups), slices if n > 1 else "inputs[:k]"
        for j, x in enumerate(groups):
            if values:  # wanted, sliced as the inputs are
                wanted = _slice(j).replace("inputs", "wanted")
                lines.append(f"    grads += [({rules[x]}) if want else None for want, {names} in zip({wanted}, {groups_in})]")
            else:
                lines.append(f"    grads += [{rules[x]} for {names} in {f'zip({slices})' if n > 1 else groups_in}]")
        if tail:
            if not always:
                lines.append(f"    if len(inputs) % {n}:")
            rule = f"({tail[1]}) if wanted[-1] else None" if values else tail[1]
            lines.append(f"    {'' if always else '    '}grads.append({rule})")
        lines += ["    return tuple(grads)", ""]
    lines.append("def accumulate(g, inputs, out):")
    lines.append(f"    # {name} : for each input, grad += g · ∂out/∂input (the chain rule; += adds up the paths)")
    if skip_zero:
        lines += [
            "    if g == 0.0 and -inf < out < inf:",
            "        return  # every term finite, so every g · x is exactly 0: nothing to add",
        ]
    if n == 1 and not tail:
        (x,) = groups
        lines += [f"    for v{x} in inputs:", f"        v{x}.grad += {substitute(rules[x], datas)}"]
    else:
        lines.append(f"    k = {count}")
        if always and tail:
            lines.append(f"    {tail[0]} = inputs[-1].data  # read before any grad changes")
        lines.append(f"    {', '.join(f'{x}s' for x in groups)} = {slices}")  # each group's inputs, once
        vs = ", ".join(f"v{x}" for x in groups)
        for x in groups:
            loop = f"    for {vs} in {f'{groups[0]}s' if n == 1 else 'zip(' + ', '.join(f'{y}s' for y in groups) + ')'}:"
            lines += [loop, f"        v{x}.grad += {substitute(rules[x], datas)}"]
    if tail:
        if not always:
            lines.append(f"    if len(inputs) % {n}:")
        lines.append(f"    {'' if always else '    '}inputs[-1].grad += {tail[1]}")
    lines.append("")
    return "\n".join(lines)


def _slice(j: int) -> str:
    return "inputs[:k]" if j == 0 else "inputs[k:2 * k]" if j == 1 else f"inputs[{j} * k:{j + 1} * k]"


def build(
    source: str, namespace: Mapping[str, Any], *names: str, filename: str = "<chainrule op table>"
) -> tuple[Callable[..., Any], ...]:
    """Compile generated source in `namespace` and return the functions it defines, by name."""
    scope: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), dict(namespace), scope)  # noqa: S102 -- our own generated code, never user text
    return tuple(scope[n] for n in names)


# ---------------------------------------------------------------------------------------------------
# Mathematical notation: an expression (a rule, a forward, a node's description) written as MathML (which
# browsers, Jupyter and VS Code render natively: the interactive view's panel) or LaTeX (Markdown cells and
# rich displays). One walk over the expression; the two notations differ only in how each piece is written.

_CALLS = {"sigmoid": "σ", "log": "ln", "tanh": "tanh", "exp": "exp", "sin": "sin", "cos": "cos", "sgn": "sgn",
          "relu": "relu", "softplus": "softplus", "abs": "abs"}  # fmt: skip
_COMPARE = {ast.Lt: "<", ast.LtE: "≤", ast.Gt: ">", ast.GtE: "≥", ast.Eq: "=", ast.NotEq: "≠"}
_SUPERSCRIPT_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _parts(name: str) -> tuple[str, str, list[str], str]:
    """A display name's pieces: (constant number or "", head, subscripts, turn): x1 → ("", "x", ["1"], ""),
    w_h1_x1 → ("", "w", ["h1", "x1"], ""), net_h1⁽²⁾ → ("", "net", ["h1"], "2"), (0.5) → ("0.5", ...)."""
    turn = ""
    m = re.search(r"⁽([⁰¹²³⁴⁵⁶⁷⁸⁹]+)⁾$", name)
    if m:
        turn, name = m[1].translate(_SUPERSCRIPT_DIGITS), name[: m.start()]
    constant = re.fullmatch(r"\((-?[\d.e+-]+|inf|-inf|nan)\)", name)
    if constant:
        return constant[1], "", [], turn
    head, *subs = name.split("_")
    if not subs:
        m = re.fullmatch(r"([A-Za-z]+)([\d.]+)", head)
        if m:
            return "", m[1], [m[2]], turn
    return "", head, subs, turn


class _MathML:
    join = ""

    def name(self, name: str) -> str:
        from html import escape

        constant, head, subs, turn = _parts(name)
        if constant:
            return self.number(float(constant))
        mi = f"<mi>{escape(head)}</mi>"
        if subs:
            items = "<mo>,</mo>".join(f"<mn>{s}</mn>" if re.fullmatch(r"[\d.]+", s) else f"<mi>{escape(s)}</mi>" for s in subs)
            mi = f"<msub>{mi}{items if len(subs) == 1 else f'<mrow>{items}</mrow>'}</msub>"
        if turn:
            mi = f"<msup><mrow>{mi}</mrow><mrow><mo>(</mo><mn>{turn}</mn><mo>)</mo></mrow></msup>"
        return mi

    def number(self, x: float, digits: int = 4) -> str:
        text = "0" if x == 0 else f"{x:.{digits}g}"
        text = {"inf": "∞", "-inf": "-∞"}.get(text, text)
        return f"<mo>−</mo><mn>{text[1:]}</mn>" if text.startswith("-") else f"<mn>{text}</mn>"

    def op(self, symbol: str) -> str:
        return f"<mo>{symbol}</mo>"

    def paren(self, inner: str) -> str:
        return f"<mo>(</mo>{inner}<mo>)</mo>"

    def frac(self, top: str, bottom: str) -> str:
        return f"<mfrac><mrow>{top}</mrow><mrow>{bottom}</mrow></mfrac>"

    def power(self, base: str, exponent: str) -> str:
        return f"<msup><mrow>{base}</mrow><mrow>{exponent}</mrow></msup>"

    def sqrt(self, inner: str) -> str:
        return f"<msqrt>{inner}</msqrt>"

    def call(self, fn: str, args: list[str]) -> str:
        return f"<mi>{_CALLS.get(fn, fn)}</mi>" + self.paren(self.op(",").join(args))

    def text(self, words: str) -> str:
        return f"<mtext>{words.replace(' ', chr(0xA0))}</mtext>"

    def symbol(self, name: str) -> str:
        return f"<mi>{name}</mi>"


_TEX_SYMBOLS = {"σ": r"\sigma", "·": r"\cdot", "≤": r"\le", "≥": r"\ge", "≠": r"\ne", "−": "-", "×": r"\times"}


class _LaTeX:
    join = " "

    def name(self, name: str) -> str:
        constant, head, subs, turn = _parts(name)
        if constant:
            return self.number(float(constant))
        tex = head if len(head) == 1 else rf"\mathrm{{{_tex_escape(head)}}}"
        if subs:
            inner = ",".join(s if re.fullmatch(r"[\d.]+", s) else rf"\mathrm{{{_tex_escape(s)}}}" for s in subs)
            tex += f"_{{{inner}}}"
        if turn:
            tex += f"^{{({turn})}}"
        return tex

    def number(self, x: float, digits: int = 4) -> str:
        text = "0" if x == 0 else f"{x:.{digits}g}"
        m = re.fullmatch(r"(-?[\d.]+)e([+-])0*(\d+)", text)
        if m:
            return rf"{m[1]} \times 10^{{{'-' if m[2] == '-' else ''}{m[3]}}}"
        return {"inf": r"\infty", "-inf": r"-\infty", "nan": r"\mathrm{nan}"}.get(text, text)

    def op(self, symbol: str) -> str:
        return _TEX_SYMBOLS.get(symbol, symbol)

    def paren(self, inner: str) -> str:
        return rf"\left({inner}\right)"

    def frac(self, top: str, bottom: str) -> str:
        return rf"\frac{{{top}}}{{{bottom}}}"

    def power(self, base: str, exponent: str) -> str:
        return f"{base}^{{{exponent}}}"

    def sqrt(self, inner: str) -> str:
        return rf"\sqrt{{{inner}}}"

    def call(self, fn: str, args: list[str]) -> str:
        known = {"exp": r"\exp", "log": r"\ln", "sin": r"\sin", "cos": r"\cos", "tanh": r"\tanh", "sigmoid": r"\sigma"}
        head = known.get(fn, rf"\operatorname{{{_tex_escape(fn)}}}")
        return head + self.paren(", ".join(args))

    def text(self, words: str) -> str:
        return rf"\text{{{words}}}"

    def symbol(self, name: str) -> str:
        return name


def _tex_escape(text: str) -> str:
    return re.sub(r"([#$%&_{}])", r"\\\1", text)


MATHML, LATEX = _MathML(), _LaTeX()


def _render(expr: str, notation: _MathML | _LaTeX, names: Mapping[str, str], numbers: Mapping[str, float]) -> str:
    n = notation

    def wrap(node: ast.expr, parent: int, right: bool = False) -> str:
        text = go(node)
        mine = _precedence(node)
        return n.paren(text) if mine < parent or (right and mine == parent and mine in (2, 3)) else text

    def seq(*pieces: str) -> str:
        return n.join.join(pieces)

    def go(node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            if node.id in numbers:
                return n.number(numbers[node.id])
            if node.id in names:
                return n.name(names[node.id])
            return n.symbol(node.id)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return n.number(float(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return seq(n.op("−"), wrap(node.operand, 4))
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Div):
                return n.frac(go(node.left), go(node.right))
            if isinstance(node.op, ast.Pow):
                return n.power(wrap(node.left, 6), go(node.right))
            p = _PRECEDENCE.get(type(node.op), 6)
            sign = {ast.Add: "+", ast.Sub: "−", ast.Mult: "·"}.get(type(node.op), "?")
            return seq(wrap(node.left, p), n.op(sign), wrap(node.right, p, right=True))
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return seq(wrap(node.left, 2), n.op(_COMPARE.get(type(node.ops[0]), "?")), wrap(node.comparators[0], 2))
        if isinstance(node, ast.IfExp):
            return seq(wrap(node.body, 1), n.text(" if "), go(node.test), n.text(", else "), wrap(node.orelse, 1))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            fn, args = node.func.id, node.args
            if fn == "sqrt" and len(args) == 1:
                return n.sqrt(go(args[0]))
            if fn == "power" and len(args) == 2:
                return n.power(wrap(args[0], 6), go(args[1]))
            written = _as_written(node)
            return go(written) if written is not None else n.call(fn, [go(a) for a in args])
        return n.text(ast.unparse(node))

    return go(_parse(expr))


def mathml(expr: str, names: Mapping[str, str] | None = None, numbers: Mapping[str, float] | None = None) -> str:
    """An expression as MathML, without the <math> element: `names` maps the expression's names to Value
    names (written with their positions as subscripts), `numbers` to numbers.

    >>> mathml("(1.0 - out) * out", {"out": "o1"})
    '<mo>(</mo><mn>1</mn><mo>−</mo><msub><mi>o</mi><mn>1</mn></msub><mo>)</mo><mo>·</mo><msub><mi>o</mi><mn>1</mn></msub>'
    """
    return _render(expr, MATHML, names or {}, numbers or {})


def latex(expr: str, names: Mapping[str, str] | None = None, numbers: Mapping[str, float] | None = None) -> str:
    r"""An expression as LaTeX (for Markdown, which Jupyter renders), as `mathml` writes MathML.

    >>> latex("(1.0 - out) * out", {"out": "net_o1"})
    '\\left(1 - \\mathrm{net}_{\\mathrm{o1}}\\right) \\cdot \\mathrm{net}_{\\mathrm{o1}}'
    >>> latex("g / (2.0 * out)", numbers={"g": 1.0, "out": 0.5})
    '\\frac{1}{2 \\cdot 0.5}'
    """
    return _render(expr, LATEX, names or {}, numbers or {})


def math_name(name: str) -> str:
    """A Value's name as MathML, its position as a subscript: x1 → x₁, net_h1 → net with h1 below,
    w_h1_x1 → w with "h1,x1" below, x1⁽²⁾ (the second sample's) → x₁⁽²⁾, (2) (a constant) → 2.

    >>> math_name("x1"), math_name("net_h1")
    ('<msub><mi>x</mi><mn>1</mn></msub>', '<msub><mi>net</mi><mi>h1</mi></msub>')
    """
    return MATHML.name(name)


def math_number(x: float, digits: int = 4) -> str:
    """A number as MathML: short (4 significant digits), a minus sign for negatives.

    >>> math_number(-0.25), math_number(2.0)
    ('<mo>−</mo><mn>0.25</mn>', '<mn>2</mn>')
    """
    return MATHML.number(x, digits)


def tex_name(name: str) -> str:
    r"""A Value's name in LaTeX, as `math_name` writes it in MathML.

    >>> tex_name("x1"), tex_name("net_h1"), tex_name("w_h1_x1⁽²⁾")
    ('x_{1}', '\\mathrm{net}_{\\mathrm{h1}}', 'w_{\\mathrm{h1},\\mathrm{x1}}^{(2)}')
    """
    return LATEX.name(name)


_PRECEDENCE = {ast.IfExp: 0, ast.Compare: 1, ast.Add: 2, ast.Sub: 2, ast.Mult: 3, ast.Div: 3, ast.USub: 4,
               ast.Pow: 5}  # fmt: skip


def _precedence(node: ast.expr) -> int:
    if isinstance(node, ast.BinOp):
        return 6 if isinstance(node.op, ast.Div) else _PRECEDENCE.get(type(node.op), 6)
    if isinstance(node, ast.UnaryOp):
        return 4
    if isinstance(node, (ast.IfExp, ast.Compare)):
        return _PRECEDENCE[type(node)]
    return 6
