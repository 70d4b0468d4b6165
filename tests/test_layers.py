"""Neuron, Layer, MLP: micrograd's API, activations, init, seeds, shapes, errors, and gradients checked
against the delta rule worked by hand and against PyTorch float64 with the same weights."""

import math
import random

import pytest

from autograd import Value, topological_order
from nn import ACTIVATIONS, MLP, InputError, Layer, Neuron, squared_error

from .conftest import require


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_micrograd_readme_code_runs_unchanged_but_for_the_import():
    from nn import MLP  # micrograd: from micrograd.nn import MLP

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
    with pytest.raises(ValueError, match="unknown activation 'gelu'; valid: relu, tanh, sigmoid, linear"):
        MLP(2, [1], activation="gelu")
    with pytest.raises(ValueError, match="unknown output_activation 'softmax'"):
        MLP(2, [1], output_activation="softmax")
    with pytest.raises(ValueError, match="unknown init 'zeros'; valid: uniform, xavier"):
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
    assert MLP(2, [4, 1]).state_dict() == MLP(2, [4, 1], seed=0).state_dict()  # default: seed 0
    a = MLP(2, [4, 1], rng=random.Random(3))
    assert a.state_dict() == MLP(2, [4, 1], seed=3).state_dict()
    random.seed(12345)
    state = random.getstate()
    MLP(2, [8, 8, 1], init="he")
    assert random.getstate() == state  # the global generator is never touched
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
    with pytest.raises(ValueError, match="nin must be at least 1"):
        MLP(0, [1])
    with pytest.raises(ValueError, match="non-empty list of layer widths"):
        MLP(2, [])
    with pytest.raises(ValueError, match=r"nouts\[1\] must be at least 1"):
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
