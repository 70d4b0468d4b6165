"""Neuron, Layer, MLP: micrograd's API, activations, init, seeds, shapes, errors, and gradients checked
against the delta rule worked by hand and against PyTorch float64 with the same weights."""

import math
import random

import pytest

from autograd import Value, topological_order
from nn import ACTIVATIONS, MLP, InputError, Layer, Neuron, squared_error

from .conftest import require
from .probe import Call, ids, np, refused, sweep


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_micrograd_readme_code_runs_unchanged_but_for_the_import():
    from nn import MLP  # micrograd: from micrograd.nn import MLP

    random.seed(1337)
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    xs = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0], [1.0, 1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    for k in range(3):
        scores = list(map(model, [list(map(Value, x)) for x in xs]))
        losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
    assert len(model.parameters()) == 337
    assert isinstance(model.layers[0].neurons[0].w[0], Value)
    assert isinstance(model.layers[0].neurons[0].b, Value)
    assert all(isinstance(p.grad, float) for p in model.parameters())
    # micrograd's Neuron/Layer keyword: nonlin
    assert Neuron(3, nonlin=False).activation == "linear" and Layer(2, 2, nonlin=True).activation == "relu"


def test_a_neuron_is_one_dot_node_and_one_activation_node():
    n = Neuron(3, activation="tanh", seed=0)
    out = n([1.0, 2.0, 3.0])
    ops = [v.op.name for v in topological_order(out) if v.op is not None]
    assert ops == ["dot", "tanh"]
    assert [v.op.name for v in topological_order(Neuron(3, nonlin=False)([1, 2, 3])) if v.op] == ["dot"]


def test_an_mlp_wraps_each_input_once_per_sample():
    model = MLP(2, [4, 4, 1], seed=0)
    out = model([0.5, -0.5])
    params = set(model.parameters())
    leaves = [v for v in topological_order(out) if v.op is None and v not in params]
    assert len(leaves) == 2  # x₁ and x₂, shared by the 4 first-layer neurons, not wrapped per neuron
    nodes = [v for v in topological_order(out) if v.op is not None]
    assert len(nodes) == 2 * (4 + 4 + 1) - 1  # dot + activation per neuron; the linear output has no activation


def test_layer_always_returns_a_list_and_mlp_a_value_for_one_output():
    assert isinstance(Layer(2, 1)([1.0, 2.0]), list)
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_matches_its_formula(name):
    n = Neuron(2, activation=name, seed=0)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.5, 0.25
    z = 0.5 * 2.0 + (-1.5) * 1.0 + 0.25  # = -0.25
    expected = {
        "relu": max(0.0, z), "tanh": math.tanh(z), "sigmoid": sigma(z), "linear": z,
        "leaky_relu": 0.01 * z, "softplus": math.log1p(math.exp(z)),
    }[name]  # fmt: skip
    # tanh/exp/log1p come from libm in both; the rest is exact: 1e-15 covers a last-bit difference
    assert n([2.0, 1.0]).data == pytest.approx(expected, rel=1e-15, abs=1e-15)


def test_unknown_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="activation must be one of 'relu', 'tanh', 'sigmoid', 'linear'.*; got 'gelu'"):
        MLP(2, [1], activation="gelu")
    with pytest.raises(ValueError, match="output_activation must be one of .*; got 'softmax'"):
        MLP(2, [1], output_activation="softmax")
    with pytest.raises(ValueError, match="init must be one of 'uniform', 'xavier'.*; got 'zeros'"):
        MLP(2, [1], init="zeros")


def test_bias_off():
    model = MLP(2, [3, 1], bias=False)
    assert all(n.b is None for layer in model.layers for n in layer.neurons)
    assert len(model.parameters()) == 2 * 3 + 3
    assert repr(model) == "MLP(2 -> 3 -> 1, relu / linear, bias=False)"
    assert MLP(2, [1], bias=False)([0.0, 0.0]).data == 0.0


def test_inits_draw_from_their_ranges():
    rng_bound = math.sqrt(6.0 / (50 + 40))
    uniform = [p.data for p in Layer(50, 40, init="uniform", seed=0).parameters() if p.label != "b"]
    xavier = [p.data for p in Layer(50, 40, init="xavier", seed=0).parameters() if p.label != "b"]
    he = [p.data for p in Layer(50, 40, init="he", seed=0).parameters() if p.label != "b"]
    assert all(-1.0 <= w <= 1.0 for w in uniform) and max(map(abs, uniform)) > 0.99
    assert all(-rng_bound <= w <= rng_bound for w in xavier) and max(map(abs, xavier)) > 0.95 * rng_bound
    std = math.sqrt(sum(w * w for w in he) / len(he))
    # 2000 draws of N(0, 2/50): the sample std is within 5% of √(2/50) with probability > 0.999
    assert std == pytest.approx(math.sqrt(2.0 / 50), rel=0.05)
    assert all(p.data == 0.0 for p in Layer(5, 5, init="he").parameters() if p.label == "b")


def test_seeds_rng_and_the_global_generator():
    assert MLP(2, [4, 1], seed=7).state_dict() == MLP(2, [4, 1], seed=7).state_dict()
    assert MLP(2, [4, 1], seed=7).state_dict() != MLP(2, [4, 1], seed=8).state_dict()
    a = MLP(2, [4, 1], rng=random.Random(3))
    assert a.state_dict() == MLP(2, [4, 1], seed=3).state_dict()
    # with neither: Python's global generator, as micrograd; one uniform(-1, 1) per weight, in order
    random.seed(3)
    model = MLP(2, [4, 1])
    after = random.getstate()
    random.seed(3)
    weights = [random.uniform(-1, 1) for _ in range(2 * 4 + 4)]  # 4 neurons of 2 weights, 1 of 4
    assert random.getstate() == after
    assert [p.data for p in model.parameters() if not p.label.startswith("b")] == weights
    assert model.state_dict() == MLP(2, [4, 1], seed=3).state_dict()
    random.seed(12345)
    state = random.getstate()
    MLP(2, [8, 8, 1], init="he", seed=1)
    Neuron(3, rng=random.Random(1))
    assert random.getstate() == state  # with seed= or rng=, the global generator is not touched
    with pytest.raises(ValueError, match="not both"):
        MLP(2, [1], seed=1, rng=random.Random(1))
    with pytest.raises(TypeError, match="seed must be an int"):
        MLP(2, [1], seed=1.5)  # type: ignore[arg-type]
    # neurons of a layer differ (one generator shared), so training can break their symmetry
    ws = [tuple(p.data for p in n.w) for n in Layer(2, 4).neurons]
    assert len(set(ws)) == 4


def test_reprs():
    assert repr(MLP(2, [16, 16, 1])) == "MLP(2 -> 16 -> 16 -> 1, relu / linear)"
    assert repr(MLP(2, [8, 3], activation="tanh", output_activation="sigmoid")) == "MLP(2 -> 8 -> 3, tanh / sigmoid)"
    assert repr(Layer(3, 2, activation="tanh")) == "Layer(3 -> 2, tanh)"
    assert repr(Neuron(4, bias=False)) == "Neuron(4, relu, bias=False)"


@pytest.mark.parametrize(
    "x, words",
    [
        ([1.0], "expects 2 inputs, got 1"),
        ([1.0, 2.0, 3.0], "expects 2 inputs, got 3"),
        ([1.0, "2"], "input 1 must be a number or a Value, got str"),
        ("ab", "expects a list of 2 numbers or Values, got str"),
        (None, "got NoneType"),
        ([1.0, None], "input 1 must be a number"),
    ],
)
def test_bad_inputs_say_what_was_expected(x, words):
    model = MLP(2, [3, 1])
    with pytest.raises(ValueError, match=words) as info:
        model(x)
    assert isinstance(info.value, InputError)
    assert "MLP(2 -> 3 -> 1, relu / linear)" in str(info.value)


def test_bad_sizes():
    with pytest.raises(ValueError, match="nin must be >= 1 and <= 10000000, got 0"):
        MLP(0, [1])
    with pytest.raises(ValueError, match="non-empty list of layer widths"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts\[1\] must be >= 1 and <= 10000000, got 0"):
        MLP(2, [3, 0])
    with pytest.raises(TypeError, match="nin must be an int"):
        Neuron(2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not both"):
        Neuron(2, nonlin=True, activation="tanh")


def test_inputs_may_be_values_numbers_or_a_bare_number_for_one_input():
    model = MLP(1, [2, 1], seed=0)
    assert model(0.5).data == model([0.5]).data == model([Value(0.5)]).data
    x = Value(0.5)
    model([x]).backward()
    assert x.grad != 0.0 or all(p.grad == 0.0 for p in model.parameters())  # gradients reach Value inputs


def test_worked_example_2_2_2_sigmoid_network_delta_rule():
    """2 inputs, 2 hidden, 2 outputs, sigmoid everywhere, no bias (8 weights), E = ½ Σ (t - a)².

    Output layer: δₖ = -(tₖ - aₖ) aₖ (1 - aₖ), dE/dw_jk = δₖ a_j.
    Hidden layer: δ_j = (Σₖ δₖ w_jk) a_j (1 - a_j) (summed over both outputs), dE/dw_ij = δ_j x_i.
    """
    x = [0.05, 0.10]
    t = [0.01, 0.99]
    w_hidden = [[0.15, 0.20], [0.25, 0.30]]  # w_hidden[j][i]: input i -> hidden j
    w_out = [[0.40, 0.45], [0.50, 0.55]]  # w_out[k][j]: hidden j -> output k
    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", bias=False)
    for j in range(2):
        for i in range(2):
            model.layers[0].neurons[j].w[i].data = w_hidden[j][i]
            model.layers[1].neurons[j].w[i].data = w_out[j][i]

    # by hand
    a_h = [sigma(sum(w_hidden[j][i] * x[i] for i in range(2))) for j in range(2)]
    a_o = [sigma(sum(w_out[k][j] * a_h[j] for j in range(2))) for k in range(2)]
    E = 0.5 * sum((t[k] - a_o[k]) ** 2 for k in range(2))
    delta_o = [-(t[k] - a_o[k]) * a_o[k] * (1 - a_o[k]) for k in range(2)]
    dE_dw_out = [[delta_o[k] * a_h[j] for j in range(2)] for k in range(2)]
    delta_h = [sum(delta_o[k] * w_out[k][j] for k in range(2)) * a_h[j] * (1 - a_h[j]) for j in range(2)]
    dE_dw_hidden = [[delta_h[j] * x[i] for i in range(2)] for j in range(2)]

    out = model(x)
    loss = squared_error([out], [t])
    loss.backward()
    # same formulas, different association of the products: agreement to a few ulp, so rel 1e-12
    assert loss.data == pytest.approx(E, rel=1e-12)
    for k in range(2):
        assert out[k].data == pytest.approx(a_o[k], rel=1e-12)
        for j in range(2):
            assert model.layers[1].neurons[k].w[j].grad == pytest.approx(dE_dw_out[k][j], rel=1e-12)
    for j in range(2):
        for i in range(2):
            assert model.layers[0].neurons[j].w[i].grad == pytest.approx(dE_dw_hidden[j][i], rel=1e-12)


@pytest.mark.parametrize("act, out_act", [("relu", "linear"), ("tanh", "sigmoid"), ("leaky_relu", "softplus")])
def test_mlp_forward_and_backward_agree_with_pytorch(act, out_act):
    torch = require("torch")
    model = MLP(3, [5, 4, 2], activation=act, output_activation=out_act, init="xavier", seed=11)
    for n in model.layers[0].neurons:
        n.b.data = 0.1 * n.w[0].data  # nonzero biases, so they are checked too
    fns = {
        "relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "linear": lambda z: z,
        "leaky_relu": torch.nn.functional.leaky_relu, "softplus": torch.nn.functional.softplus,
    }  # fmt: skip
    Ws = [torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True)
          for layer in model.layers]  # fmt: skip
    bs = [torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True)
          for layer in model.layers]  # fmt: skip
    rng = random.Random(5)
    xs = [[rng.uniform(-2, 2) for _ in range(3)] for _ in range(4)]
    targets = [[rng.uniform(-1, 1) for _ in range(2)] for _ in range(4)]

    h = torch.tensor(xs, dtype=torch.float64)
    for i, (W, b) in enumerate(zip(Ws, bs)):
        h = fns[out_act if i == len(Ws) - 1 else act](h @ W.T + b)
    torch_loss = ((h - torch.tensor(targets, dtype=torch.float64)) ** 2).sum() / 2
    torch_loss.backward()

    outs = [model(x) for x in xs]
    loss = squared_error(outs, targets)
    loss.backward()
    # matmul sums in BLAS's order, dot left to right: last-bit differences, so rel 1e-12 / abs 1e-14
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    for o, row in zip(outs, h.tolist()):
        assert [v.data for v in o] == pytest.approx(row, rel=1e-12, abs=1e-14)
    for layer, W, b in zip(model.layers, Ws, bs):
        for n, grad_row, grad_b in zip(layer.neurons, W.grad.tolist(), b.grad.tolist()):
            assert [w.grad for w in n.w] == pytest.approx(grad_row, rel=1e-12, abs=1e-14)
            assert n.b.grad == pytest.approx(grad_b, rel=1e-12, abs=1e-14)


def test_an_activation_added_to_the_table_works_in_every_layer():
    """A one-node activation runs as its op; any other function of a Value is applied as it is."""
    from autograd import dot
    from nn.layers import _as_op

    swish = lambda z: z * z.sigmoid()  # a user's one-liner
    ACTIVATIONS["swish"] = swish
    try:
        assert _as_op(swish) is swish and _as_op(ACTIVATIONS["relu"]).name == "relu"
        picky = lambda z: (z - 0.5).log()  # fails on the probe: kept as the function it is
        assert _as_op(picky) is picky
        model = MLP(2, [3, 1], activation="swish", seed=0)
        x = [0.5, -1.0]
        out = model(x)
        h = [swish(dot(n.w, x, n.b)) for n in model.layers[0].neurons]
        last = model.layers[1].neurons[0]
        assert out.data == dot(last.w, h, last.b).data
    finally:
        del ACTIVATIONS["swish"]


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_model = MLP(2, [3, 1], seed=0)
BAD_ARGUMENTS = [
    (Call(MLP, 2, [3], bias="no"), TypeError, "bias must be True or False, got str: 'no'"),
    (Call(MLP, 2, [3], bias=1), TypeError, "bias must be True or False, got int: 1"),
    (Call(Neuron, 2, bias=None), TypeError, "bias must be True or False, got NoneType"),
    (Call(Layer, 2, 3, bias="yes"), TypeError, "bias must be True or False, got str"),
    (Call(Neuron, 2, nonlin="x"), TypeError, "nonlin must be True or False, got str: 'x'"),
    (Call(Neuron, 2, nonlin=1), TypeError, "nonlin must be True or False, got int: 1"),
    (Call(Layer, 2, 3, nonlin="relu"), TypeError, "nonlin must be True or False, got str"),
    (Call(Neuron, 2, nonlin=True, activation="tanh"), ValueError,
     "give activation= or micrograd's nonlin=, not both"),
    (Call(Neuron, 2.0), TypeError, "nin must be an int, got float: 2.0"),
    (Call(Neuron, True), TypeError, "nin must be an int, got bool: True"),
    (Call(Neuron, None), TypeError, "nin must be an int, got NoneType: None"),
    (Call(Neuron, np.float64(2.0)), TypeError, "nin must be an int, got float64"),
    (Call(Neuron, 0), ValueError, "nin must be >= 1 and <= 10000000, got 0"),
    (Call(Neuron, -3), ValueError, "nin must be >= 1 and <= 10000000, got -3"),
    (Call(Neuron, 10**400), ValueError, "nin must be >= 1 and <= 10000000, got 1000"),
    (Call(Layer, 2, 0), ValueError, "nout must be >= 1"),
    (Call(Layer, 2, 3.0), TypeError, "nout must be an int, got float: 3.0"),
    (Call(Layer, "2", 3), TypeError, "nin must be an int, got str: '2'"),
    (Call(Layer, 10**4, 10**4), ValueError,
     "Layer(10000 -> 10000) would have 100,010,000 parameters, more than"),
    (Call(MLP, 2, []), ValueError,
     "nouts must be a non-empty list of layer widths such as [16, 16, 1], got []"),
    (Call(MLP, 2, 3), TypeError, "nouts must be a list of layer widths such as [16, 16, 1], got int: 3"),
    (Call(MLP, 2, "16"), TypeError,
     "nouts must be a list of layer widths such as [16, 16, 1], got str: '16'"),
    (Call(MLP, 2, None), TypeError, "nouts must be a list of layer widths"),
    (Call(MLP, 2, [3, 0]), ValueError, "nouts[1] must be >= 1 and <= 10000000, got 0"),
    (Call(MLP, 2, [3.5]), TypeError, "nouts[0] must be an int, got float: 3.5"),
    (Call(MLP, 2, [None]), TypeError, "nouts[0] must be an int, got NoneType"),
    (Call(MLP, 2, ["a"]), TypeError, "nouts[0] must be an int, got str: 'a'"),
    (Call(MLP, 2, [True]), TypeError, "nouts[0] must be an int, got bool: True"),
    (Call(MLP, 2, [10**9]), ValueError, "nouts[0] must be >= 1 and <= 10000000, got 1000000000"),
    (Call(MLP, 3000, [3000, 3000]), ValueError, "MLP(3000 -> 3000 -> 3000) would have 18,006,000 parameters"),
    (Call(MLP, 0, [1]), ValueError, "nin must be >= 1"),
    (Call(MLP, 2, [1], activation="gelu"), ValueError, "activation must be one of 'relu', 'tanh'"),
    (Call(MLP, 2, [1], activation=None), TypeError, "activation must be one of 'relu'"),
    (Call(MLP, 2, [1], output_activation=1), TypeError, "output_activation must be one of 'relu'"),
    (Call(MLP, 2, [1], output_activation="softmax"), ValueError, "output_activation must be one of"),
    (Call(MLP, 2, [1], init="zeros"), ValueError, "init must be one of 'uniform', 'xavier'"),
    (Call(Neuron, 2, activation="x"), ValueError, "activation must be one of 'relu'"),
    (Call(Neuron, 2, activation=Value.tanh), TypeError, "activation must be one of 'relu'"),
    (Call(Neuron, 2, init=None), TypeError, "init must be one of 'uniform'"),
    (Call(Layer, 2, 2, init="he2"), ValueError, "init must be one of 'uniform'"),
    (Call(Neuron, 2, fan_out=0), ValueError, "fan_out must be >= 1, got 0"),
    (Call(Neuron, 2, fan_out=1.5), TypeError, "fan_out must be an int, got float"),
    (Call(MLP, 2, [1], seed=1.5), TypeError, "seed must be an int, got float: 1.5"),
    (Call(MLP, 2, [1], seed="a"), TypeError, "seed must be an int, got str"),
    (Call(MLP, 2, [1], seed=True), TypeError, "seed must be an int, got bool"),
    (Call(MLP, 2, [1], rng=1), TypeError, "rng must be a random.Random, got int: 1"),
    (Call(MLP, 2, [1], rng=random), TypeError, "rng must be a random.Random, got module"),
    (Call(Layer, 2, 2, seed=1, rng=random.Random(1)), ValueError, "give seed= or rng=, not both"),
    (Call(_model, [1.0]), InputError, "expects 2 inputs, got 1: [1.0]"),
    (Call(_model, "ab"), InputError, "expects a list of 2 numbers or Values, got str: 'ab'"),
    (Call(_model, [1.0, "2"]), InputError, "input 1 must be a number or a Value, got str: '2'"),
    (Call(_model, [10**400, 1.0]), InputError, "input 0 is too large for a float, got 1000"),
    (Call(_model, [True, 1.0]), InputError, "input 0 must be a number or a Value, got bool: True"),
    (Call(MLP(1, [1]), False), InputError, "expects a list of 1 numbers or Values, got bool: False"),
    (Call(_model, list(range(100))), InputError, "expects 2 inputs, got 100: [0, 1, 2,"),
    (Call(_model.forward, [1.0, 2.0]), InputError,
     "forward input 0 must be a Value (call the model itself to pass numbers), got float: 1.0"),
    (Call(_model.forward, [Value(1.0)]), InputError,
     "MLP(2 -> 3 -> 1, relu / linear).forward takes 2 Values, got 1"),
    (Call(_model.forward, (Value(1.0), Value(2.0))), InputError, "forward takes a list of 2 Values"),
    (Call(Layer(2, 3).forward, "ab"), InputError, "Layer(2 -> 3, relu).forward takes a list of 2 Values"),
    (Call(Neuron(2).forward, [Value(1.0), None]), InputError,
     "Neuron(2, relu).forward input 1 must be a Value (call the model itself to pass numbers), got NoneType"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_forward_refuses_too_few_values_instead_of_a_silently_short_sum():
    # w·x with one x for two weights once summed one product: a wrong number, no error
    model = MLP(2, [1], seed=0)
    with pytest.raises(InputError, match="forward takes 2 Values, got 1"):
        model.forward([Value(1.0)])


def test_numpy_integers_are_accepted_as_counts_and_seeds():
    model = MLP(np.int64(2), [np.int64(3), np.int32(1)], seed=np.int64(4))
    assert repr(model) == "MLP(2 -> 3 -> 1, relu / linear)"
    assert model.state_dict() == MLP(2, [3, 1], seed=4).state_dict()
    assert MLP(2, np.array([3, 1]), seed=4).state_dict() == model.state_dict()  # nouts as an array
    assert repr(Layer(np.int16(2), np.uint8(3), seed=np.int64(1))) == "Layer(2 -> 3, relu)"
    assert Neuron(np.int64(2), fan_out=np.int64(3)).nin == 2
    assert type(model.nin) is int and all(type(n) is int for n in model.nouts)


def test_a_numpy_array_is_a_sample():
    model = MLP(2, [3, 1], seed=0)
    assert model(np.array([0.5, -1.0])).data == model([0.5, -1.0]).data


@pytest.mark.parametrize(
    ("make", "args", "kwargs", "names"),
    [
        (Neuron, (2,), {"nonlin": None, "activation": None, "bias": True, "init": "uniform", "fan_out": 1,
                        "seed": None, "rng": None},
         {0: "nin", "nonlin": "nonlin", "activation": "activation", "bias": "bias", "init": "init",
          "fan_out": "fan_out", "seed": "seed", "rng": "rng"}),
        (Layer, (2, 3), {"nonlin": None, "activation": None, "bias": True, "init": "uniform", "seed": None, "rng": None},
         {0: "nin", 1: "nout", "nonlin": "nonlin", "activation": "activation", "bias": "bias", "init": "init",
          "seed": "seed", "rng": "rng"}),
        (MLP, (2, [3, 1]), {"activation": "relu", "output_activation": "linear", "bias": True, "init": "uniform",
                            "seed": None, "rng": None},
         {0: "nin", 1: "nouts", "activation": "activation", "output_activation": "output_activation",
          "bias": "bias", "init": "init", "seed": "seed", "rng": "rng"}),
        (_model, ([1.0, 2.0],), {}, {0: "MLP(2 -> 3 -> 1, relu / linear)"}),
        (lambda v: _model([v, 1.0]), (1.0,), {}, {0: "MLP(2 -> 3 -> 1, relu / linear) input 0"}),
        (_model.forward, ([Value(1.0), Value(2.0)],), {}, {0: "MLP(2 -> 3 -> 1, relu / linear).forward"}),
        (Layer(2, 2).forward, ([Value(1.0), Value(2.0)],), {}, {0: "Layer(2 -> 2, relu).forward"}),
        (Neuron(2).forward, ([Value(1.0), Value(2.0)],), {}, {0: "Neuron(2, relu).forward"}),
    ],
    ids=["Neuron", "Layer", "MLP", "MLP.__call__", "MLP.__call__-item", "MLP.forward", "Layer.forward",
         "Neuron.forward"],
)  # fmt: skip
def test_sweep_of_wrong_values_finds_no_raw_error(make, args, kwargs, names):
    assert sweep(make, args, kwargs, names) == []


def test_an_mlp_shows_its_layers_in_jupyter():
    html = MLP(2, [3, 1], seed=0)._repr_html_()
    assert "13 parameters" in html and "<td>h1, h2, h3</td><td>2 → 3</td><td>relu</td><td>9</td>" in html
    assert "<td>o1</td><td>3 → 1</td><td>linear</td><td>4</td>" in html
    assert repr(MLP(2, [3, 1], seed=0)) == "MLP(2 -> 3 -> 1, relu / linear)"  # a terminal keeps the text
