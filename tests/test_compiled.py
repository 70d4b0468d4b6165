"""Compiled mode: the emitted code gives the interpreted engine's numbers bit for bit, or refuses."""

import dataclasses
import math
import random

import pytest

import autograd
from autograd import OPS, DataDependentError, Value, compile, detect_anomaly

from .conftest import require
from .oracles import CASES, POW_EXPONENTS


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

def _in_domain(case, u):
    """A Value u (any number) moved into the op case's domain [low, high] smoothly: low + (high - low)·σ(u)."""
    return case.low + (case.high - case.low) * u.sigmoid()


def _compiled_case(name, exponent=None):
    """The op's case from the one table (tests/oracles.py), on arguments made of params p, q and inputs
    x, y on both sides of every op, moved into the op's domain."""
    case = CASES[name]
    fn = case.fn if exponent is None else (lambda a: a**exponent)
    if exponent is not None and (exponent < 0 or exponent != int(exponent)):
        case = dataclasses.replace(case, low=0.05)  # a fractional or negative power needs a positive base

    def f(x, y):
        us = [p * x + q, q * y - p, p * y + x, q * x + y]
        return fn(*(_in_domain(case, us[i % 4] * (1 + i)) for i in range(case.arity)))

    return f


def test_every_op_has_a_case():
    assert CASES.keys() == OPS.keys()


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_gradients_are_the_engines_bit_for_bit(name):
    rng = random.Random(name)
    samples = [(rng.uniform(-2, 2), rng.uniform(-2, 2)) for _ in range(6)] + [(0.0, 0.0), (1.0, -1.0)]
    for exponent in POW_EXPONENTS if name == "**" else (None,):  # every special case of x ** n
        assert_same_as_engine(_compiled_case(name, exponent), P, samples)


def test_aux_values_are_reported_beside_the_loss():
    w = Value(0.5, "w")

    def f(x, t):
        out = (w * x).tanh()
        return (out - t) ** 2, [out, w * 2.0]

    c = compile(f, [w], [(1.0, 0.0), (2.0, 1.0)], has_aux=True)
    loss, grads, aux = c(2.0, 1.0)
    assert aux == [math.tanh(1.0), 1.0] and loss == (math.tanh(1.0) - 1.0) ** 2
    losses, auxes = c.backward_batch([(1.0, 0.0), (2.0, 1.0)])
    assert auxes == [[math.tanh(0.5), 1.0], [math.tanh(1.0), 1.0]] and len(losses) == 2
    assert w.grad == interpreted(lambda x, t: f(x, t)[0], [w], [1.0, 0.0])[1][0] + grads[0]
    single = compile(lambda x: ((w * x).exp(), w * x), [w], [(1.0,), (2.0,)], has_aux=True)
    assert single(1.0)[2] == 0.5  # one aux Value: one number
    with pytest.raises(TypeError, match=r"has_aux=True, f must return \(loss, aux\)"):
        compile(lambda x: w * x, [w], [(1.0,)], has_aux=True)
    with pytest.raises(TypeError, match=r"aux\[0\] must be a Value"):
        compile(lambda x: (w * x, [1.0]), [w], [(1.0,)], has_aux=True)


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
