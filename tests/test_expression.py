"""autograd.expression: a whitelist parser; user text is never eval'ed."""

import math
from unittest import mock

import pytest

from autograd import Value
from autograd.expression import MAX_LENGTH, ExpressionError, evaluate, parse


def test_the_issue_example_builds_the_graph_python_code_would():
    y = evaluate("tanh(w*x + b)", {"w": 0.5, "x": 2, "b": -1})
    assert y.op.name == "tanh" and y.data == 0.0
    z = y.inputs[0]
    assert z.op.name == "+" and z.inputs[1].label == "b"
    y.backward()
    w, x = z.inputs[0].inputs
    assert (w.label, w.grad, x.label, x.grad) == ("w", 2.0, "x", 0.5)  # dy/dw = x (1 - tanh²0), dy/dx = w


def test_a_name_used_twice_is_one_leaf_so_paths_add_up():
    y = evaluate("x * x + 3 * x", {"x": 2.0})
    y.backward()
    x = y.inputs[0].inputs[0]
    assert x is y.inputs[0].inputs[1] is y.inputs[1].inputs[1]
    assert x.grad == 2 * 2.0 + 3  # d/dx (x² + 3x) = 2x + 3


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        (
            "sigmoid(w1*x1 + w2*x2 + b)",
            ("w1", "x1", "w2", "x2", "b"),
            1 / (1 + math.exp(-(1 * 2 + 3 * 4 + 5))),
        ),
        ("-a ** 2 + +a / 4", ("a",), -9.0 + 0.75),
        ("exp(a) - log(a) + sqrt(a) * abs(-a)", ("a",), math.exp(3) - math.log(3) + math.sqrt(3) * 3),
        ("relu(a - 5) + softplus(0) + sin(a) * cos(a)", ("a",), math.log(2) + math.sin(3) * math.cos(3)),
        ("leaky_relu(a - 5, 0.1)", ("a",), -0.2),
        ("2 ** a + 1.5e1", ("a",), 8.0 + 15.0),
        ("((a))", ("a",), 3.0),
        ("7", (), 7.0),
    ],
)
def test_allowed_expressions(text, names, expected):
    values = {"w1": 1, "x1": 2, "w2": 3, "x2": 4, "b": 5, "a": 3}
    expr = parse(text)
    assert expr.names == names
    assert math.isclose(expr.evaluate({n: values[n] for n in names}).data, expected, rel_tol=1e-15)


def test_number_exponents_use_the_power_op_and_value_exponents_pow():
    assert evaluate("x ** 2", {"x": 3.0}).op.params == {"n": 2.0}
    assert evaluate("x ** y", {"x": 3.0, "y": 2.0}).op.name == "pow"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("x.__class__", r"not allowed: attribute access \(at column 1\)"),
        ("x.real", "attribute access"),
        ("().__class__.__bases__[0]", "not allowed"),
        ("exp.__globals__", "attribute access"),
        ("__import__('os').system('ls')", "attribute access"),
        ("__import__('os')", "a call of __import__"),
        ("eval('1')", "a call of eval"),
        ("open('f')", "a call of open"),
        ("x(1)", "a call of x"),
        ("(lambda: 1)()", "calling the result of an expression"),
        ("lambda: 1", "lambdas"),
        ("[x for x in y]", "comprehensions"),
        ("sum(x for x in y)", "a call of sum"),
        ("{x: 1 for x in y}", "comprehensions"),
        ("x[0]", "subscripts"),
        ("import os", "imports are not allowed"),
        ("from os import path", "imports are not allowed"),
        ("x = 1", "assignments are not allowed"),
        ("(y := 2)", r"assignments \(:=\)"),
        ("x if y else 1", "conditional expressions"),
        ("x < y", "comparisons"),
        ("x and y", "and/or"),
        ("'text'", "the constant 'text'"),
        ("True", "the constant True"),
        ("1j", "the constant 1j"),
        ("x % 2", "the operator %"),
        ("x // 2", "the operator //"),
        ("~x", "the operator ~"),
        ("f'{x}'", "f-strings"),
        ("exp(x=1)", "keyword arguments"),
        ("exp", r"the function exp without a call"),
        ("exp(x, y)", "exp takes 1 argument, got 2"),
        ("x +", "cannot parse 'x \\+'"),
        ("", "empty"),
        ("-" * 100 + "x", "nested too deeply"),
        ("(" * 210 + "x" + ")" * 210, "nested too deeply"),
        ("x + " * 200 + "x", f"the limit is {MAX_LENGTH}"),
    ],
)
def test_refused_with_a_clear_error(text, match):
    with pytest.raises(ExpressionError, match=match):
        parse(text)


def test_refusals_are_value_errors_naming_what_is_allowed():
    with pytest.raises(ValueError, match="an expression may use numbers, names, \\+ - \\* / \\*\\*.*tanh"):
        parse("getattr(x, 'y')")


def test_user_text_never_reaches_eval_or_exec():
    with (
        mock.patch("builtins.eval", side_effect=AssertionError("eval")),
        mock.patch("builtins.exec", side_effect=AssertionError("exec")),
    ):
        assert evaluate("tanh(w*x + b) ** 2", {"w": 1, "x": 2, "b": 3}).data > 0
        with pytest.raises(ExpressionError):
            evaluate("__import__('os')", {})


@pytest.mark.parametrize(
    ("text", "values", "match"),
    [
        (
            "w * x",
            {"w": 1.0},
            r"no value for x in 'w \* x' \(values given for: w\); pass each name as name=number",
        ),
        ("x", {"x": "2"}, "the value of x must be a number, got str"),
        ("x", {"x": True}, "the value of x must be a number, got bool"),
        ("log(x)", {"x": 0.0}, "log needs a positive input, got 0.0"),
        ("1 / x", {"x": 0.0}, "cannot evaluate"),
        ("9 ** 9 ** 9", {}, "too large for a float"),
        ("(-8) ** 0.5", {}, "no real value"),
        ("leaky_relu(x, x)", {"x": 1.0}, "the slope of leaky_relu must be a number"),
    ],
)
def test_evaluation_errors(text, values, match):
    with pytest.raises(ExpressionError, match=match):
        evaluate(text, values)


def test_a_given_value_is_used_as_it_is():
    w = Value(0.5, "w")
    y = evaluate("w * 2", {"w": w})
    assert y.inputs[0] is w


def test_text_must_be_a_string():
    with pytest.raises(TypeError, match="an expression must be a str, got bytes"):
        parse(b"x")  # type: ignore[arg-type]
