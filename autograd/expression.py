"""Expressions of named scalars from text, such as ``"tanh(w*x + b)"``, parsed safely into a graph.

The text is parsed with `ast` and checked against a whitelist before anything runs: numbers, names,
``+ - * / **``, unary minus, parentheses and calls of the engine's functions (exp, log, sqrt, tanh,
sigmoid, relu, softplus, sin, cos, abs, leaky_relu). Anything else (attribute access, other calls,
subscripts, lambdas, comprehensions, imports, strings, ...) is refused with a message naming it. The
check walks the tree; evaluation then interprets the checked tree node by node. User text is never
passed to `eval` or `exec`.

Messages point at the slip and say what to write: ``x^2`` (``^`` is xor in Python: ``x**2``), ``2x``
(``2*x``), ``x²``, ``ln(x)`` (``log(x)``), ``e^x`` (``exp(x)``), unbalanced parentheses. Every
sub-expression's value must be a finite real number: a domain error (``log(0)``, ``1/0``, ``(-8)**0.5``)
or an overflow to infinity (``exp(1000)``) is an ExpressionError naming the sub-expression.

>>> f = parse("tanh(w*x + b)")
>>> f.names
('w', 'x', 'b')
>>> y = f.evaluate({"w": 0.5, "x": 2.0, "b": -1.0})
>>> y.data
0.0
"""

from __future__ import annotations

import ast
import builtins
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .checks import mapping, real
from .value import Value

__all__ = ["FUNCTIONS", "MAX_LENGTH", "Expression", "ExpressionError", "evaluate", "parse"]

MAX_LENGTH = 500
"""Longest expression accepted, in characters."""
MAX_DEPTH = 60
"""Deepest nesting accepted (parentheses, calls and operators inside one another)."""

FUNCTIONS: dict[str, tuple[int, Callable[..., Value]]] = {
    "exp": (1, Value.exp), "log": (1, Value.log), "sqrt": (1, Value.sqrt), "tanh": (1, Value.tanh),
    "sigmoid": (1, Value.sigmoid), "relu": (1, Value.relu), "softplus": (1, Value.softplus),
    "sin": (1, Value.sin), "cos": (1, Value.cos), "abs": (1, Value.__abs__),
    "leaky_relu": (2, Value.leaky_relu),  # leaky_relu(x, slope): the slope must be a number
}  # fmt: skip
"""The functions an expression may call: name -> (number of arguments, the engine's method)."""

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a**b,
}  # fmt: skip
_OPERATOR_TEXT = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Not: "not",
}  # fmt: skip
_REFUSED = {
    ast.Attribute: "attribute access", ast.Subscript: "subscripts (x[i])", ast.Lambda: "lambdas",
    ast.ListComp: "comprehensions", ast.SetComp: "comprehensions", ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions", ast.Compare: "comparisons", ast.BoolOp: "and/or",
    ast.IfExp: "conditional expressions", ast.NamedExpr: "assignments (:=)", ast.Starred: "* unpacking",
    ast.JoinedStr: "f-strings", ast.List: "lists", ast.Set: "sets", ast.Dict: "dicts",
    ast.Tuple: "a comma outside a call (for a decimal number write a point: 1.5)",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}  # fmt: skip
_ALLOWED = "numbers, names, + - * / **, parentheses and the functions " + ", ".join(FUNCTIONS)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated: the message says what and where."""


_HINTS = {
    "ln": "log is the natural logarithm here: write log(x)",
    "log10": "write log(x) / log(10)",
    "log2": "write log(x) / log(2)",
    "pow": "for a power write x**y",
    "tan": "write sin(x) / cos(x)",
    "square": "write x**2",
    "sqr": "write x**2",
    "max": "relu(x) is max(0, x)",
    "min": "-relu(-x) is min(0, x)",
    "fabs": "write abs(x)",
    "logistic": "write sigmoid(x)",
}
"""Functions people reach for that we do not have, and what to write instead."""

_OPERAND = r"(\([^()]*\)|[\w.]+)"  # a name, a number or one level of parentheses
_REWRITES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\be\s*\^\s*(-?)\s*" + _OPERAND), lambda m: f"exp({m[1]}{_inner(m[2])})"),  # e^x: exp(x)
    (re.compile(r"\^"), "**"),  # x^2: x**2
    (re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]+"), lambda m: "**" + m[0].translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789"))),
    (re.compile("[×·⋅]"), "*"), (re.compile("[−–]"), "-"), (re.compile("÷"), "/"),
    (re.compile("√" + _OPERAND), lambda m: f"sqrt({_inner(m[1])})"),
    (re.compile(r"\|([^|]+)\|"), r"abs(\1)"),
    (re.compile(r"(?<![\w.])(\d[\d_]*\.?\d*(?:[eE][-+]?\d+)?)([A-Za-z_(])"), r"\1*\2"),  # 2x: 2*x
]  # fmt: skip
"""Common notation from maths and other languages, rewritten as Python: suggestions, never applied."""


def _inner(operand: str) -> str:
    return operand[1:-1] if operand.startswith("(") else operand


def _rewrite(text: str) -> str | None:
    """`text` with maths notation (x^2, 2x, x², e^x, |x|, √x, ×) written as Python, if that parses.

    >>> _rewrite("2x^2 + e^-x"), _rewrite("x²·y"), _rewrite("x + 1")
    ('2*x**2 + exp(-x)', 'x**2*y', None)
    """
    fixed = text
    for pattern, replacement in _REWRITES:
        fixed = pattern.sub(replacement, fixed)
    if fixed == text:
        return None
    try:
        ast.parse(fixed, mode="eval")
    except (SyntaxError, RecursionError, MemoryError):
        return None
    return fixed


_MODULES = ("math", "np", "numpy", "torch", "cmath", "F")


def _column(text: str, node: ast.AST) -> int:
    """1-based column in characters (ast counts UTF-8 bytes)."""
    offset = getattr(node, "col_offset", 0)
    return len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore")) + 1


def _segment(text: str, node: ast.AST) -> str:
    return ast.get_source_segment(text, node) or ast.unparse(node)


def _operand(text: str, node: ast.AST) -> str:
    """The text of `node`, in parentheses when it is made by an operator (so a suggestion keeps its meaning)."""
    part = _segment(text, node)
    return f"({part})" if isinstance(node, (ast.BinOp, ast.UnaryOp)) else part


def _refuse(text: str, node: ast.AST, what: str, hint: str = "") -> ExpressionError:
    where = f"at column {_column(text, node)}"
    if hint:
        return ExpressionError(f"not allowed: {what} ({where}); {hint}")
    return ExpressionError(f"not allowed: {what} ({where}); an expression may use {_ALLOWED}")


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its tree, and the names it uses (in order of first use)."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    def evaluate(self, values: Mapping[str, float | Value]) -> Value:
        """Build the graph: each name becomes one leaf Value labelled with the name (a Value given for a
        name is used as it is), numbers become constants as in Python code.

        Each value must be a finite real number, and so must every sub-expression's: an ExpressionError
        names the first sub-expression that is not (a domain error or an overflow).

        >>> parse("x * x + 1").evaluate({"x": 3}).data
        10.0
        >>> parse("2 * log(x)").evaluate({"x": 0})
        Traceback (most recent call last):
          ...
        autograd.expression.ExpressionError: cannot evaluate log(x) in '2 * log(x)': log needs a positive input, got 0.0
        """
        mapping("values", values, "a dict of name -> number")
        missing = [n for n in self.names if n not in values]
        if missing:
            given = ", ".join(sorted(values)) or "none"
            hints = "".join(f"; {_MISSING[n]}" for n in missing if n in _MISSING)
            raise ExpressionError(
                f"no value for {', '.join(missing)} in {self.text!r} (values given for: {given}); "
                f"pass each name as name=number, e.g. {missing[0]}=1.0{hints}"
            )
        leaves: dict[str, Value] = {}
        for name in self.names:
            v = values[name]
            leaves[name] = v if isinstance(v, Value) else Value(real(f"the value of {name}", v), name)
        out = _Evaluator(self.text.strip(), leaves).eval(self.tree.body)
        return out if isinstance(out, Value) else Value(out)


_MISSING = {
    "e": "e is not built in: for eˣ write exp(x), for e itself exp(1)",
    "pi": f"pi is not built in: pass pi={math.pi!r}",
    "π": f"π is not built in: pass π={math.pi!r}",
}


def parse(text: str) -> Expression:
    """Check an expression of named scalars and return it, ready to evaluate; refuse anything else.

    >>> parse("sigmoid(w1*x1 + w2*x2 + b)").names
    ('w1', 'x1', 'w2', 'x2', 'b')
    >>> parse("x.__class__")
    Traceback (most recent call last):
      ...
    autograd.expression.ExpressionError: not allowed: attribute access (at column 1); an expression may use numbers, ...
    >>> parse("x^2")
    Traceback (most recent call last):
      ...
    autograd.expression.ExpressionError: not allowed: the operator ^ (at column 1); ^ is bitwise xor in Python; for a power write x**2
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("the expression is empty; write one such as tanh(w*x + b)")
    stripped = text.strip()
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as e:
        raise _syntax_error(stripped, e) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)"
        ) from None
    names: list[str] = []
    _check(stripped, tree.body, names)
    return Expression(text, tree, tuple(names))


def evaluate(text: str, values: Mapping[str, float | Value]) -> Value:
    """Parse `text` and evaluate it with `values` for its names: the root of a fresh graph.

    >>> y = evaluate("tanh(w*x + b)", {"w": 0.5, "x": 2, "b": -1}); y.backward()
    >>> y.data, y.inputs[0].inputs[0].inputs[0].grad      # dy/dw = x (1 - tanh²) = 2
    (0.0, 2.0)
    """
    return parse(text).evaluate(values)


_FUNCTION_SPACE = re.compile(r"\b(" + "|".join(FUNCTIONS) + r")\s+[\w(.]")
_JUXTAPOSED = re.compile(r"[\w.)]\s+[\w(.]")


def _syntax_error(text: str, e: SyntaxError) -> ExpressionError:
    """Name a statement if the text is one (an import, an assignment); else point at the bad column and,
    for the usual slips (2x, x², sin x, x y, unbalanced parentheses), say what to write."""
    try:
        module = ast.parse(text, mode="exec")
    except (SyntaxError, RecursionError, MemoryError):
        module = None
    if module is not None and module.body:
        kinds = {ast.Import: "imports", ast.ImportFrom: "imports", ast.Assign: "assignments",
                 ast.AugAssign: "assignments", ast.FunctionDef: "function definitions"}  # fmt: skip
        kind = kinds.get(type(module.body[0]), "statements")
        return ExpressionError(f"{kind} are not allowed: write one expression, such as tanh(w*x + b)")
    msg = str(e.msg)
    if "too many nested" in msg or "too complex" in msg:
        return ExpressionError(f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)")
    column = f" at column {e.offset}" if e.offset else ""
    return ExpressionError(f"cannot parse {text!r}: {msg}{column}; {_syntax_hint(text, msg)}")


def _syntax_hint(text: str, msg: str) -> str:
    """What to write instead, for a text Python's parser refused with `msg`."""
    if fixed := _rewrite(text):
        return f"did you mean {fixed}?"
    opened, closed = text.count("(") + text.count("["), text.count(")") + text.count("]")
    if "never closed" in msg or "unmatched" in msg or "does not match" in msg or opened != closed:
        return f"the parentheses do not balance: {opened} opened, {closed} closed"
    if m := _FUNCTION_SPACE.search(text):
        return f"a function needs parentheses: write {m[1]}(x)"
    if m := _JUXTAPOSED.search(text):
        return "for a product write * between the factors, as in 2*x or w*x"
    return "write one expression, such as tanh(w*x + b)"


def _check(text: str, root: ast.expr, names: list[str]) -> None:
    """Walk the tree (iteratively) and refuse every node outside the whitelist."""
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)")
        children: list[ast.AST] = []
        if isinstance(node, ast.Constant):
            _check_constant(text, node)
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _refuse(text, node, f"the function {node.id} without a call (write {node.id}(x))")
            if "·" in node.id:
                product = node.id.replace("·", "*")
                raise ExpressionError(f"{node.id} reads as one name (Python allows · in names); for a product "
                                      f"write {product}")  # fmt: skip
            if node.id not in names:
                names.append(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refuse(text, node, _operator(node.op), _operator_hint(text, node))
            children = [node.right, node.left]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise _refuse(text, node, _operator(node.op))
            children = [node.operand]
        elif isinstance(node, ast.Call):
            _check_call(text, node)
            children = list(reversed(node.args))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in _MODULES:
            fix = f"write {node.attr}(x)" if node.attr in FUNCTIONS else f"the functions are {', '.join(FUNCTIONS)}"
            raise _refuse(text, node, f"{node.value.id}.{node.attr}", f"no module prefix: {fix}")
        else:
            raise _refuse(text, node, _REFUSED.get(type(node), type(node).__name__))
        stack.extend((c, depth + 1) for c in children)


def _operator(op: ast.AST) -> str:
    return f"the operator {_OPERATOR_TEXT.get(type(op), type(op).__name__)}"


def _operator_hint(text: str, node: ast.BinOp) -> str:
    if isinstance(node.op, ast.BitXor):
        fixed = _rewrite(text) or f"{_operand(text, node.left)}**{_operand(text, node.right)}"
        return f"^ is bitwise xor in Python; for a power write {fixed}"
    return ""


def _check_constant(text: str, node: ast.Constant) -> None:
    if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
        raise _refuse(text, node, f"the constant {node.value!r}")
    if isinstance(node.value, float) and not math.isfinite(node.value):
        raise _refuse(text, node, f"the constant {_segment(text, node)} (it is {node.value!r} as a float)",
                      "a number must be below about 1.8e308")  # fmt: skip
    if isinstance(node.value, int) and abs(node.value) > 2**1024 - 2**970:  # would not round to a finite float
        raise _refuse(text, node, f"the constant {_segment(text, node)[:20]}...", "a number must be below about 1.8e308")


def _check_call(text: str, node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        if isinstance(node.func, ast.Attribute):
            if isinstance(node.func.value, ast.Name) and node.func.value.id in _MODULES:
                return _check(text, node.func, [])  # refused with a hint about the module prefix
            raise _refuse(text, node, "attribute access")
        factor, rest = _operand(text, node.func), ", ".join(_segment(text, a) for a in node.args)
        raise _refuse(text, node, "calling the result of an expression",
                      f"for a product write {factor}*({rest})")  # fmt: skip
    name = node.func.id
    if name not in FUNCTIONS:
        if name in _HINTS:
            raise _refuse(text, node, f"a call of {name}", f"{name} is not one of the functions; {_HINTS[name]}")
        if name.lower() in FUNCTIONS:
            raise _refuse(text, node, f"a call of {name}", f"names are case-sensitive: write {name.lower()}(...)")
        if not hasattr(builtins, name) and len(node.args) == 1 and not node.keywords:  # x(y + 1): a product?
            arg = _segment(text, node.args[0])
            raise _refuse(text, node, f"a call of {name}", f"{name} is not one of the functions "
                          f"({', '.join(FUNCTIONS)}); for a product write {name}*({arg})")  # fmt: skip
        raise _refuse(text, node, f"a call of {name}")
    if node.keywords:
        raise _refuse(text, node, f"keyword arguments in {name}(...)")
    arity = FUNCTIONS[name][0]
    if len(node.args) != arity:
        raise ExpressionError(
            f"{name} takes {arity} argument{'s' * (arity > 1)}, got {len(node.args)} "
            f"at column {_column(text, node)}"
        )
    return None


class _Evaluator:
    """Interpret a checked tree: numbers stay Python floats, names are their leaves, as in Python code.

    Each node's result is checked: a domain error, a complex number or an overflow becomes an
    ExpressionError naming the sub-expression (and the whole text when it is a part).
    """

    def __init__(self, text: str, leaves: Mapping[str, Value]) -> None:
        self.text = text
        self.leaves = leaves

    def eval(self, node: ast.expr) -> Value | float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.leaves[node.id]
        if isinstance(node, ast.UnaryOp):
            x = self.eval(node.operand)
            return -x if isinstance(node.op, ast.USub) else x
        if isinstance(node, ast.BinOp):
            a, b = self.eval(node.left), self.eval(node.right)
            return self._checked(node, lambda: _BINARY[type(node.op)](a, b))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [self.eval(a) for a in node.args]
            name = node.func.id
            if name == "leaky_relu":
                slope = args[1]
                if isinstance(slope, Value):
                    raise ExpressionError(
                        f"the slope of leaky_relu must be a number, not an expression of names "
                        f"at column {_column(self.text, node)}"
                    )
                return self._checked(node, lambda: Value.leaky_relu(_as_value(args[0]), slope))
            return self._checked(node, lambda: FUNCTIONS[name][1](_as_value(args[0])))
        raise _refuse(self.text, node, type(node).__name__)  # unreachable after _check

    def _checked(self, node: ast.expr, compute: Callable[[], Any]) -> Value | float:
        part = _segment(self.text, node)
        where = part if part == self.text else f"{part} in {self.text!r}"
        try:
            out = compute()
        except OverflowError:
            raise ExpressionError(f"cannot evaluate {where}: {_TOO_LARGE}") from None
        except (ArithmeticError, ValueError) as e:
            raise ExpressionError(f"cannot evaluate {where}: {e}") from None
        if isinstance(out, complex):
            raise ExpressionError(f"{where} has no real value (a negative number to a fractional power)")
        x = out.data if isinstance(out, Value) else float(out)
        if math.isinf(x):
            raise ExpressionError(f"cannot evaluate {where}: {_TOO_LARGE}")
        if math.isnan(x):
            raise ExpressionError(f"cannot evaluate {where}: the result is not a number (nan)")
        return out if isinstance(out, Value) else x


_TOO_LARGE = "the result overflows, too large for a float (the largest is about 1.8e308)"


def _as_value(x: Value | float) -> Value:
    return x if isinstance(x, Value) else Value(float(x))
