"""Compiled mode: the emitted code gives the interpreted engine's numbers bit for bit, or refuses."""

import math
import random

import pytest

import autograd
from autograd import OPS, DataDependentError, Value, compile, detect_anomaly

from .conftest import require


def bits(xs):
    """Floats as hex: equal strings mean equal bits (0.0 and -0.0 differ; nan equals nan)."""
    return [float(x).hex() for x in xs]


def interpreted(f, params, inputs):
    """What the engine gives: f's value and every param's gradient, from zero."""
    for p in params:
        p.grad = 0.0
    out = f(*[Value(x) for x in inputs])
    out.backward()
    return out.data, [p.grad for p in params]


def assert_same_as_engine(f, params, samples):
    c = compile(f, params, samples[:2])
    for s in samples:
        loss, grads = c(*s)
        want_loss, want = interpreted(f, params, s)
        assert bits([loss, *grads]) == bits([want_loss, *want]), (s, c.source)
    return c


P = [Value(0.7, "p"), Value(-1.3, "q")]
p, q = P

# One case per op in the table: a function of inputs (x, y) and params p, q that uses the op, so each op
# sees params and inputs on both sides. Inputs stay in each op's domain.
CASES = {
    "+": lambda x, y: (p + x) + (y + q),
    "-": lambda x, y: (p - x) - (y - q),
    "*": lambda x, y: (p * x) * (y * q),
    "/": lambda x, y: (p / (x * x + 1.0)) / (q - 3.0) + y / q,
    "neg": lambda x, y: -(p * x) + y,
    "**": lambda x, y: (p * x) ** 2 + (q * y) ** 3 + (p * p + 1.0) ** 0.5 + (q * q + 2.0) ** -1 + (x * x + 1.0) ** -2
    + (p * p + 0.5) ** -0.5 + (p * p + 0.1) ** 2.5 + (p * x) ** 1 + (q * y) ** 0,
    "pow": lambda x, y: (p * p + x * x + 0.1) ** (q * y) + 2.0 ** (p * x),
    "abs": lambda x, y: abs(p * x) + abs(q - y),
    "exp": lambda x, y: (p * x).exp() * q,
    "log": lambda x, y: (p * p * x * x + 0.5).log() + q,
    "sqrt": lambda x, y: (p * p + y * y).sqrt() * q,
    "tanh": lambda x, y: (p * x + q * y).tanh(),
    "sigmoid": lambda x, y: (p * x - q * y).sigmoid(),
    "relu": lambda x, y: (p * x).relu() + (q * y).relu(),
    "leaky_relu": lambda x, y: (p * x).leaky_relu() + (q * y).leaky_relu(0.2),
    "softplus": lambda x, y: (p * x).softplus() + (q * y * 30.0).softplus(),
    "sin": lambda x, y: (p * x).sin() + q.sin() * y,
    "cos": lambda x, y: (p * x).cos() * (q * y).cos(),
    "sum": lambda x, y: autograd.sum([p * x, q, y, p, p * q]),
    "dot": lambda x, y: autograd.dot([p, q, p], [x, y, q], p) + autograd.dot([x, q], [y, p]),
}


def test_every_op_has_a_case():
    assert CASES.keys() == OPS.keys()


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_gradients_are_the_engines_bit_for_bit(name):
    rng = random.Random(name)
    samples = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(6)] + [(0.0, 0.0), (1.0, -1.0)]
    assert_same_as_engine(CASES[name], P, samples)


def test_an_mlp_step_accumulates_like_a_loop_of_backward_calls():
    nn = require("nn")
    model = nn.MLP(2, [8, 8, 1], seed=3)
    params = model.parameters()
    rng = random.Random(0)
    data = [(rng.uniform(-1, 2), rng.uniform(-1, 1), rng.choice([-1.0, 1.0])) for _ in range(20)]

    def loss(x0, x1, y):
        return (model([x0, x1]) - y) ** 2 * (1.0 / len(data))

    c = compile(loss, params, data[:2])
    for p_ in params:
        p_.grad = 0.5  # accumulates on top of what is there, as backward() does
    want_losses = []
    for s in data:
        out = loss(*s)
        out.backward()
        want_losses.append(out.data)
    want = [p_.grad for p_ in params]
    for p_ in params:
        p_.grad = 0.5
    losses = c.backward_batch(data)
    assert bits(losses) == bits(want_losses)
    assert bits([p_.grad for p_ in params]) == bits(want)
    assert c.backward(*data[0]) == want_losses[0]


def test_source_has_one_line_per_op_and_per_local_derivative():
    w = Value(2.0, "w")
    c = compile(lambda x: (w * x).tanh(), [w], [(0.5,), (1.5,)])
    assert "v1 = tanh(v0)" in c.source and "g0 = g1 * fma(-v1, v1, 1.0)" in c.source
    assert "gp0 += g0 * x0" in c.source
    assert c.n_forward == 2 and c.n_backward == 2
    assert "2 forward lines" in repr(c)


def test_constants_of_any_sign_and_size_are_exact():
    w = Value(1.5)
    f = lambda x: (-2.5) * w * x + (-0.0) * w + 1e-300 * w + (-1.0) ** 2 * w + w ** -1 + (x * w) / math.inf
    assert_same_as_engine(f, [w], [(1.0,), (-3.0,), (0.25,)])


def test_a_branch_on_a_value_is_refused():
    with pytest.raises(DataDependentError, match="compared a Value"):
        compile(lambda x: x if x > 0 else -x, [], [(1.0,), (2.0,)])
    with pytest.raises(DataDependentError):
        compile(lambda x: x * float(x), [], [(1.0,), (2.0,)])


def test_a_number_read_from_data_is_refused():
    w = Value(1.0)
    with pytest.raises(DataDependentError, match="different graph"):
        compile(lambda x: w * Value(x.data * 2.0), [w], [(1.0,), (2.0,)])  # the constant differs
    with pytest.raises(DataDependentError, match="different graph"):
        compile(lambda x: x * (w.data * 2.0), [w], [(1.0,), (2.0,)])  # a param's: moved on the 2nd trace
    with pytest.raises(DataDependentError, match="made a number from a Value's .data"):
        compile(lambda x: x * w.data, [w], [(1.0,), (2.0,)])


# Each branches on the data where every example goes the same way: refused when traced, at the branch.
BRANCHES = {
    "x.data > 0": lambda w: lambda x: w * x if x.data > 0 else w - x,
    "w.data > 0 (a param)": lambda w: lambda x: w * x if w.data > 0 else w - x,
    "(w * x).data, a result": lambda w: lambda x: (w * x).tanh() if (w * x).data < 5 else w,
    "truth of x.data": lambda w: lambda x: w * x if x.data else w,
    "max(x.data, 0)": lambda w: lambda x: w * max(x.data, 0.0),
    "int(x.data)": lambda w: lambda x: w * x ** int(x.data),
    "round(x.data)": lambda w: lambda x: w * round(x.data),
    "math.floor(x.data)": lambda w: lambda x: w * math.floor(x.data),
    "x.data == 1": lambda w: lambda x: w if x.data == 1.0 else w * x,
    "Value(x.data)": lambda w: lambda x: w * Value(x.data),
}


@pytest.mark.parametrize("case", sorted(BRANCHES))
def test_a_branch_on_data_is_refused_even_when_every_example_goes_one_way(case):
    w = Value(1.0)
    with pytest.raises(DataDependentError, match="traced function"):
        compile(BRANCHES[case](w), [w], [(1.0,), (2.0,)])


def test_inputs_must_be_numbers():
    np = require("numpy")
    w = Value(1.0)
    c = compile(lambda x: w * x, [w], [(1.0,), (2.0,)])
    for bad in (Value(1.0), 1 + 2j, np.array([1.0]), "1", None, True):
        with pytest.raises(TypeError, match="must be a real number"):
            c(bad)
        with pytest.raises(TypeError, match="must be a real number"):
            c.backward(bad)
        with pytest.raises(TypeError, match="must be a real number"):
            c.backward_batch([(2.0,), (bad,)])
    assert (w.grad, c(np.float64(2.0)), c(2)) == (0.0, (2.0, [2.0]), (2.0, [2.0]))


def test_compiling_inside_no_grad_traces_a_graph_all_the_same():
    w = Value(3.0)
    with autograd.no_grad():
        c = compile(lambda x: w * x * x, [w], [(1.0,), (2.0,)])
        assert c(2.0) == (12.0, [4.0])


def test_a_value_from_outside_that_is_not_a_param_is_refused():
    w, scale = Value(1.0), Value(3.0, "scale")
    with pytest.raises(ValueError, match="scale.*not in params"):
        compile(lambda x: w * x * scale, [w], [(1.0,)])
    c = compile(lambda x: w * x * scale, [w, scale], [(1.0,)])
    scale.data = 4.0  # read at each call, as a param
    assert c(2.0) == (8.0, [8.0, 2.0])


def test_domain_errors_raise_as_in_the_engine_and_backward_falls_back_to_ieee():
    w = Value(0.0)
    c = compile(lambda x: (w * x).sqrt() + x, [w], [(1.0,), (2.0,)])  # d sqrt(0) = 1/(2·0): inf, no raise
    assert c(1.0) == interpreted(lambda x: (w * x).sqrt() + x, [w], [1.0]) == (1.0, [math.inf])
    w.data, w.grad = -1.0, 0.0
    with pytest.raises(ValueError, match="sqrt needs a non-negative input, got -1.0"):
        c(1.0)
    with pytest.raises(ValueError, match="sqrt needs a non-negative input"):
        c.backward_batch([(-1.0,), (1.0,)])
    assert w.grad == 0.0  # a failed backward leaves no half-updated grads


def test_detect_anomaly_is_honoured():
    w = Value(1e308)
    c = compile(lambda x: w * x, [w], [(1.0,), (2.0,)])
    assert c(10.0)[0] == math.inf
    with detect_anomaly(), pytest.raises(FloatingPointError):
        c(10.0)


def test_bad_arguments_say_what_was_expected():
    w = Value(1.0)
    c = compile(lambda x, y: w * x + y, [w], [(1.0, 2.0)])
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        c(1.0)
    with pytest.raises(ValueError, match="leaves"):
        compile(lambda x: x, [w * 2.0], [(1.0,)])
    with pytest.raises(ValueError, match="twice"):
        compile(lambda x: x * w, [w, w], [(1.0,)])
    with pytest.raises(TypeError, match=r"examples\[0\] must be a sample"):
        compile(lambda x: x * w, [w], [1.0, 2.0])
    with pytest.raises(TypeError, match="return a Value"):
        compile(lambda x: 3.0, [w], [(1.0,)])
    with pytest.raises(ValueError, match="at least one example"):
        compile(lambda x: x * w, [w], [])


def test_a_loss_that_is_a_leaf_or_ignores_a_param():
    w, unused = Value(2.0), Value(5.0)
    assert compile(lambda: w, [w, unused], [()])() == (2.0, [1.0, 0.0])
    assert compile(lambda x: x * 3.0, [unused], [(1.0,), (2.0,)])(2.0) == (6.0, [0.0])
