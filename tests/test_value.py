"""Value: construction, operators, comparisons, errors that name what was wrong, detach, zero_grad."""

from __future__ import annotations

import math

import pytest

from autograd import Value

from .conftest import require


@pytest.mark.parametrize("bad", ["2", None, [1.0], 1j, {"a": 1}])
def test_value_rejects_non_real_data_naming_the_type(bad):
    with pytest.raises(TypeError, match=f"got {type(bad).__name__}"):
        Value(bad)


def test_value_stores_floats():
    assert type(Value(3).data) is float and Value(3).data == 3.0
    assert type(Value(3).grad) is float and Value(3).grad == 0.0
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)


@pytest.mark.parametrize("op", ["+", "-", "*", "/", "**"])
def test_foreign_operands_raise_pythons_own_type_error(op):
    with pytest.raises(TypeError, match="unsupported operand|can't multiply sequence"):  # Python's words
        eval(f"Value(1) {op} 'x'")
    with pytest.raises(TypeError, match="Value"):  # Python's message: str's own, naming Value
        eval(f"'x' {op} Value(1)")


def test_numbers_on_either_side_become_constants():
    x = Value(3.0)
    assert [(2 + x).data, (x + 2).data, (2 - x).data, (x - 2).data] == [5.0, 5.0, -1.0, 1.0]
    assert [(2 * x).data, (x / 2).data, (6 / x).data, (2**x).data, (x**2).data] == [6.0, 1.5, 2.0, 8.0, 9.0]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Value(0.0).log(), ValueError, "log needs a positive input, got 0.0"),
        (lambda: Value(-1.0).log(), ValueError, "log needs a positive input, got -1.0"),
        (lambda: Value(-4.0).sqrt(), ValueError, "sqrt needs a non-negative input, got -4.0"),
        (lambda: Value(-2.0) ** Value(0.5), ValueError, r"-2.0 \*\* 0.5: with a Value exponent the base must be >= 0"),
        (lambda: (-2.0) ** Value(2.0), ValueError, "with a Value exponent the base must be >= 0"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, "a negative base needs a whole exponent"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"division by zero: 1.0 / 0.0"),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, r"division by zero: 1.0 / 0.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"0.0 \*\* -1.0"),
        (lambda: Value(0.0) ** Value(-1.0), ZeroDivisionError, r"0.0 \*\* -1.0"),
    ],
)
def test_domain_errors_take_pythons_exception_and_name_the_op_and_value(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_python_itself_raises_the_same_types():  # the convention we follow
    with pytest.raises(ValueError):
        math.log(0.0)
    with pytest.raises(ValueError):
        math.sqrt(-1.0)
    with pytest.raises(ZeroDivisionError):
        1.0 / 0.0  # noqa: B018
    with pytest.raises(ZeroDivisionError):
        0.0**-1


def test_overflow_gives_infinity_as_floats_and_pytorch_do():
    assert Value(1000.0).exp().data == math.inf
    assert (Value(1e200) ** 2).data == math.inf
    assert (Value(1e308) * 10).data == math.inf


def test_comparisons_look_at_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a < 2 and a <= b and b >= a and not a > b and Value(3.0) > a
    assert a != b and a == a  # noqa: PLR0124
    assert len({a, b}) == 2 and {a: 1}[a] == 1
    with pytest.raises(TypeError):
        a < "x"  # noqa: B015
    assert min([Value(3.0), Value(1.0), Value(2.0)]).data == 1.0
    assert float(Value(2.5)) == 2.5


def test_repr_reads_like_micrograds():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2.0, "w")) == "Value(data=2.0, grad=0.0, label='w')"


def test_detach_makes_a_leaf_gradients_do_not_flow_through():
    x = Value(3.0)
    y = x * x.detach()  # d/dx treats the detached copy as a constant
    y.backward()
    assert x.grad == 3.0
    assert x.detach().inputs == () and x.detach().op is None


def test_zero_grad_clears_the_whole_graph():
    a, b = Value(2.0), Value(3.0)
    c = (a * b).tanh()
    c.backward()
    c.zero_grad()
    assert [v.grad for v in (a, b, c)] == [0.0, 0.0, 0.0]


def test_unary_plus_and_abs():
    x = Value(-2.0)
    assert (+x) is x
    y = abs(x)
    y.backward()
    assert y.data == 2.0 and x.grad == -1.0


def test_leaky_relu_slope_must_be_a_number():
    with pytest.raises(TypeError, match="slope must be a number"):
        Value(1.0).leaky_relu("0.1")
    assert Value(-2.0).leaky_relu(0.25).data == -0.5


def _graph(root):
    """A graph as data: each node's op, data and inputs (as positions in the order), for comparing two."""
    from autograd import topological_order

    order = topological_order(root)
    where = {v: i for i, v in enumerate(order)}
    return [(v.op, v.data.hex(), tuple(where[x] for x in v.inputs)) for v in order]


def test_dots_and_map_op_build_the_nodes_dot_and_the_op_build_one_by_one():
    import random

    from autograd import OPS, detect_anomaly, dot, no_grad, tracing
    from autograd import sum as fused_sum
    from autograd.value import _unary, dots, map_op

    rng = random.Random(0)
    xs = [Value(rng.uniform(-1, 1)) for _ in range(3)]
    rows = [[Value(rng.uniform(-1, 1)) for _ in range(3)] for _ in range(5)]
    biases = [Value(0.5), None, Value(-0.25), Value(0.0), None]
    for op in (OPS["relu"], OPS["tanh"], OPS["leaky_relu"].bind(slope=0.1)):
        zs = [dot(ws, xs, b) for ws, b in zip(rows, biases, strict=True)]
        want = _graph(fused_sum([_unary(op, z) for z in zs]))
        assert _graph(fused_sum(map_op(op, dots(rows, xs, biases)))) == want
        with tracing(), detect_anomaly():  # the careful path, node by node: same nodes, same order
            assert _graph(fused_sum(map_op(op, dots(rows, xs, biases)))) == want
        with no_grad():
            assert all(a.op is None and not a.inputs for a in map_op(op, dots(rows, xs, biases)))


def test_dots_and_map_op_report_bad_arguments_and_domain_errors_as_the_ops_do():
    from autograd import OPS
    from autograd.value import dots, map_op

    with pytest.raises(ValueError, match="log needs a positive input, got -1.0"):
        map_op(OPS["log"], [Value(-1.0)])
    with pytest.raises(ValueError, match="map_op applies an op of one input"):
        map_op(OPS["*"], [Value(1.0)])
    with pytest.raises(TypeError, match=r"values\[1\] must be a Value, got float"):
        map_op(OPS["exp"], [Value(1.0), 2.0])
    with pytest.raises(ValueError, match=r"rows\[1\] has 1 weights but there are 2 inputs"):
        dots([[Value(1.0), Value(1.0)], [Value(1.0)]], [Value(1.0), Value(2.0)])
    with pytest.raises(TypeError, match=r"rows\[0\]\[1\] must be a Value, got float"):
        dots([[Value(1.0), 2.0]], [Value(1.0), Value(2.0)])
    with pytest.raises(TypeError, match=r"xs\[0\] must be a Value, got float"):
        dots([[Value(1.0)]], [1.0])
    with pytest.raises(ValueError, match="one bias .* per row: 1 rows, 2 biases"):
        dots([[Value(1.0)]], [Value(1.0)], [None, None])
    with pytest.raises(TypeError, match=r"labels\[0\] must be a str, got int"):  # was stored as the label
        dots([[Value(1.0)]], [Value(1.0)], None, [5])
    with pytest.raises(ValueError, match="one label .a str. per Value"):
        map_op(OPS["relu"], [Value(1.0)], [5])


def test_a_value_shows_its_graph_in_jupyter():
    from .render_helpers import need_dot

    need_dot()
    y = (Value(2.0, "x") * 3).tanh()
    y.label = "y"
    y.backward()
    html = y._repr_html_()
    assert "<svg" in html and "made by <code>tanh</code>" in html and "its graph has 4 Values" in html
    big = Value(1.0, "x")
    for _ in range(30):
        big = big * 1.0 + 0.0
    assert "<svg" not in big._repr_html_() and "autograd.draw(" in big._repr_html_()


# ---------------------------------------------------------------------------------------------------
# logsumexp and softmax: one node over any number of inputs, without overflow


def test_logsumexp_and_softmax_agree_with_pytorch_where_math_would_overflow():
    torch = require("torch")
    from autograd import logsumexp, softmax

    for xs in ([1.0, 2.0, 3.0], [1000.0, 999.0, -1000.0], [-1000.0, -1001.0], [0.5], [700.0, 710.0, 720.0]):
        vs = [Value(x) for x in xs]
        out = logsumexp(vs)
        out.backward()
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        tout = torch.logsumexp(t, 0)
        tout.backward()
        assert out.data == pytest.approx(tout.item(), rel=2e-16), xs
        assert [v.grad for v in vs] == pytest.approx(t.grad.tolist(), rel=1e-12, abs=1e-300), xs
        probs = [p.data for p in softmax(xs)]
        assert probs == pytest.approx(torch.softmax(t.detach(), 0).tolist(), rel=1e-12, abs=1e-300), xs


def test_logsumexp_special_values_are_pytorchs():
    from autograd import logsumexp

    inf, nan = math.inf, math.nan
    assert logsumexp([inf, 1.0]).data == inf
    assert logsumexp([-inf, -inf]).data == -inf
    assert logsumexp([-inf, 2.0]).data == 2.0
    for xs in ([nan, 1.0], [1.0, nan], [inf, nan], [nan, -inf]):  # wherever the nan is
        assert math.isnan(logsumexp(xs).data), xs
    with pytest.raises(ValueError, match="logsumexp needs at least one value"):
        logsumexp([])
    with pytest.raises(TypeError, match=r"logsumexp\(values\) must hold Values or numbers"):
        logsumexp(["a"])


def test_logsumexp_second_derivatives_agree_with_pytorch():
    torch = require("torch")
    from autograd import logsumexp
    from autograd.functional import backward_values

    xs = [0.3, -1.2, 2.0]
    t = torch.tensor(xs, dtype=torch.float64)
    for minus in (None, 0, 2):  # logsumexp, and the cross-entropy node for class 0 and 2

        def g(v, minus=minus):
            out = torch.logsumexp(v, 0)
            return out if minus is None else out - v[minus]

        want = torch.autograd.functional.hessian(g, t).tolist()
        for i in range(3):
            leaves = [Value(x) for x in xs]
            out = logsumexp(leaves) if minus is None else logsumexp(leaves, minus=leaves[minus])
            first = backward_values(out, leaves)[i]  # d out/d x_i, as a graph
            first.backward()
            assert [v.grad for v in leaves] == pytest.approx(want[i], rel=1e-12, abs=1e-15), (minus, i)
