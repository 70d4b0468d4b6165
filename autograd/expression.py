"""Expressions of named scalars from text, such as ``"tanh(w*x + b)"``, parsed safely into a graph.

The text is parsed with `ast` and checked against a whitelist before anything runs: numbers, names,
``+ - * / **``, unary minus, parentheses and calls of the engine's functions (exp, log, sqrt, tanh,
sigmoid, relu, softplus, sin, cos, abs, leaky_relu). Anything else (attribute access, other calls,
subscripts, lambdas, comprehensions, imports, strings, ...) is refused with a message naming it. The
check walks the tree; evaluation then interprets the checked tree node by node. User text is never
passed to `eval` or `exec`.

>>> f = parse("tanh(w*x + b)")
>>> f.names
('w', 'x', 'b')
>>> y = f.evaluate({"w": 0.5, "x": 2.0, "b": -1.0})
>>> y.data
0.0
"""

from __future__ import annotations

import ast
import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

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
    ast.JoinedStr: "f-strings", ast.List: "lists", ast.Tuple: "tuples", ast.Set: "sets", ast.Dict: "dicts",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield", ast.Slice: "slices",
}  # fmt: skip
_ALLOWED = "numbers, names, + - * / **, parentheses and the functions " + ", ".join(FUNCTIONS)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or evaluated: the message says what and where."""


def _where(node: ast.AST) -> str:
    return f"at column {getattr(node, 'col_offset', 0) + 1}"


def _refuse(node: ast.AST, what: str) -> ExpressionError:
    return ExpressionError(f"not allowed: {what} ({_where(node)}); an expression may use {_ALLOWED}")


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its tree, and the names it uses (in order of first use)."""

    text: str
    tree: ast.Expression
    names: tuple[str, ...]

    def evaluate(self, values: Mapping[str, float | Value]) -> Value:
        """Build the graph: each name becomes one leaf Value labelled with the name (a Value given for a
        name is used as it is), numbers become constants as in Python code.

        >>> parse("x * x + 1").evaluate({"x": 3}).data
        10.0
        """
        missing = [n for n in self.names if n not in values]
        if missing:
            given = ", ".join(sorted(values)) or "none"
            raise ExpressionError(
                f"no value for {', '.join(missing)} in {self.text!r} (values given for: {given}); "
                f"pass each name as name=number, e.g. {missing[0]}=1.0"
            )
        leaves: dict[str, Value] = {}
        for name in self.names:
            v = values[name]
            if isinstance(v, Value):
                leaves[name] = v
            elif isinstance(v, numbers.Real) and not isinstance(v, bool):
                leaves[name] = Value(float(v), name)
            else:
                raise ExpressionError(f"the value of {name} must be a number, got {type(v).__name__}: {v!r}")
        try:
            out = _eval(self.tree.body, leaves)
        except OverflowError:
            raise ExpressionError(f"cannot evaluate {self.text!r}: a number is too large for a float") from None
        except (ArithmeticError, ValueError) as e:
            raise ExpressionError(f"cannot evaluate {self.text!r}: {e}") from None
        if isinstance(out, complex):
            raise ExpressionError(
                f"{self.text!r} has no real value (a negative number to a fractional power)"
            )
        return out if isinstance(out, Value) else Value(float(out))


def parse(text: str) -> Expression:
    """Check an expression of named scalars and return it, ready to evaluate; refuse anything else.

    >>> parse("sigmoid(w1*x1 + w2*x2 + b)").names
    ('w1', 'x1', 'w2', 'x2', 'b')
    >>> parse("x.__class__")
    Traceback (most recent call last):
      ...
    autograd.expression.ExpressionError: not allowed: attribute access (at column 1); an expression may use numbers, ...
    """
    if not isinstance(text, str):
        raise TypeError(f"an expression must be a str, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise ExpressionError("the expression is empty; write one such as tanh(w*x + b)")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise _syntax_error(text, e) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)"
        ) from None
    names: list[str] = []
    _check(tree.body, names)
    return Expression(text, tree, tuple(names))


def evaluate(text: str, values: Mapping[str, float | Value]) -> Value:
    """Parse `text` and evaluate it with `values` for its names: the root of a fresh graph.

    >>> y = evaluate("tanh(w*x + b)", {"w": 0.5, "x": 2, "b": -1}); y.backward()
    >>> y.data, y.inputs[0].inputs[0].inputs[0].grad      # dy/dw = x (1 - tanh²) = 2
    (0.0, 2.0)
    """
    return parse(text).evaluate(values)


def _syntax_error(text: str, e: SyntaxError) -> ExpressionError:
    """Name a statement if the text is one (an import, an assignment); else point at the bad column."""
    try:
        module = ast.parse(text.strip(), mode="exec")
    except (SyntaxError, RecursionError, MemoryError):
        module = None
    if module is not None and module.body:
        kinds = {ast.Import: "imports", ast.ImportFrom: "imports", ast.Assign: "assignments",
                 ast.AugAssign: "assignments", ast.FunctionDef: "function definitions"}  # fmt: skip
        kind = kinds.get(type(module.body[0]), "statements")
        return ExpressionError(f"{kind} are not allowed: write one expression, such as tanh(w*x + b)")
    if "too many nested" in str(e.msg) or "too complex" in str(e.msg):
        return ExpressionError(f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)")
    column = f" at column {e.offset}" if e.offset else ""
    return ExpressionError(
        f"cannot parse {text!r}: {e.msg}{column}; write one expression, such as tanh(w*x + b)"
    )


def _check(root: ast.expr, names: list[str]) -> None:
    """Walk the tree (iteratively) and refuse every node outside the whitelist."""
    stack: list[tuple[ast.AST, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)")
        children: list[ast.AST] = []
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise _refuse(node, f"the constant {node.value!r}")
            if isinstance(node.value, float) and not math.isfinite(node.value):
                raise _refuse(node, f"the constant {node.value!r}")
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _refuse(node, f"the function {node.id} without a call (write {node.id}(x))")
            if node.id not in names:
                names.append(node.id)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise _refuse(
                    node, f"the operator {_OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)}"
                )
            children = [node.right, node.left]
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise _refuse(
                    node, f"the operator {_OPERATOR_TEXT.get(type(node.op), type(node.op).__name__)}"
                )
            children = [node.operand]
        elif isinstance(node, ast.Call):
            _check_call(node)
            children = list(reversed(node.args))
        else:
            raise _refuse(node, _REFUSED.get(type(node), type(node).__name__))
        stack.extend((c, depth + 1) for c in children)


def _check_call(node: ast.Call) -> None:
    if not isinstance(node.func, ast.Name):
        what = (
            "attribute access"
            if isinstance(node.func, ast.Attribute)
            else "calling the result of an expression"
        )
        raise _refuse(node, what)
    name = node.func.id
    if name not in FUNCTIONS:
        raise _refuse(node, f"a call of {name}")
    if node.keywords:
        raise _refuse(node, f"keyword arguments in {name}(...)")
    arity = FUNCTIONS[name][0]
    if len(node.args) != arity:
        raise ExpressionError(
            f"{name} takes {arity} argument{'s' * (arity > 1)}, got {len(node.args)} {_where(node)}"
        )


def _eval(node: ast.expr, leaves: Mapping[str, Value]) -> Any:
    """Interpret a checked tree: numbers stay Python floats, names are their leaves, as in Python code."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        return leaves[node.id]
    if isinstance(node, ast.UnaryOp):
        x = _eval(node.operand, leaves)
        return -x if isinstance(node.op, ast.USub) else x
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_eval(node.left, leaves), _eval(node.right, leaves))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_eval(a, leaves) for a in node.args]
        name = node.func.id
        if name == "leaky_relu":
            if isinstance(args[1], Value):
                raise ExpressionError(
                    f"the slope of leaky_relu must be a number, not an expression of names {_where(node)}"
                )
            return Value.leaky_relu(_as_value(args[0]), args[1])
        return FUNCTIONS[name][1](_as_value(args[0]))
    raise _refuse(node, type(node).__name__)  # unreachable after _check


def _as_value(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(float(x))
