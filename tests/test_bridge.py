"""to_torch / from_torch: the same network in PyTorch, identical outputs and gradients; clear errors."""

import random
import sys

import pytest

from nn import MLP, Neuron, from_torch, squared_error, to_torch

from .conftest import require
from .probe import Call, ids, refused, sweep

torch = require("torch")


@pytest.mark.parametrize(
    "nouts, act, out_act, bias",
    [([16, 16, 1], "relu", "linear", True), ([5, 3], "tanh", "sigmoid", False), ([4, 2], "leaky_relu", "softplus", True)],
)
def test_to_torch_gives_the_same_outputs_and_gradients(nouts, act, out_act, bias):
    model = MLP(2, nouts, activation=act, output_activation=out_act, bias=bias, seed=4)
    net = to_torch(model)
    assert all(p.dtype == torch.float64 for p in net.parameters())
    rng = random.Random(1)
    xs = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(6)]
    targets = [[rng.uniform(-1, 1) for _ in range(nouts[-1])] for _ in range(6)]
    out = net(torch.tensor(xs, dtype=torch.float64))
    loss = ((out - torch.tensor(targets, dtype=torch.float64)) ** 2).sum() / 2
    loss.backward()
    ours = [model(x) for x in xs]
    ours = [[o] if nouts[-1] == 1 else o for o in ours]
    our_loss = squared_error(ours, targets)
    our_loss.backward()
    # BLAS sums the matrix products in its own order, dot left to right: last-bit differences only
    assert [[v.data for v in row] for row in ours] == [pytest.approx(r, rel=1e-12, abs=1e-14) for r in out.tolist()]
    assert our_loss.data == pytest.approx(loss.item(), rel=1e-12)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, lin in zip(model.layers, linears):
        for n, wrow, in zip(layer.neurons, lin.weight.grad.tolist()):
            assert [w.grad for w in n.w] == pytest.approx(wrow, rel=1e-12, abs=1e-14)
        if bias:
            assert [n.b.grad for n in layer.neurons] == pytest.approx(lin.bias.grad.tolist(), rel=1e-12, abs=1e-14)


def test_to_torch_copies_weights_exactly_and_from_torch_reverses_it():
    model = MLP(3, [4, 2], activation="tanh", seed=2)
    net = to_torch(model)
    assert net[0].weight.tolist()[1] == [w.data for w in model.layers[0].neurons[1].w]  # exact copies
    back = from_torch(net)
    assert repr(back) == repr(model) and back.state_dict() == model.state_dict()


def test_from_torch_of_a_torch_built_network():
    torch.manual_seed(0)  # torch's own init, only to get some weights
    net = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Sigmoid(), torch.nn.Linear(3, 1)).double()
    model = from_torch(net)
    assert repr(model) == "MLP(2 -> 3 -> 1, sigmoid / linear)"
    x = [0.25, -0.5]
    expected = net(torch.tensor([x], dtype=torch.float64)).item()
    assert model(x).data == pytest.approx(expected, rel=1e-12)  # float32 weights → float64 exactly; sums may differ
    single = from_torch(torch.nn.Linear(2, 2, bias=False))
    assert repr(single) == "MLP(2 -> 2, relu / linear, bias=False)"


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda nn: nn.Sequential(nn.Linear(2, 3), nn.GELU(), nn.Linear(3, 1)), "no equivalent of GELU"),
        (lambda nn: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(4, 1)), "takes 4 inputs but the layer"),
        (lambda nn: nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 1)),
         "different activations"),
        (lambda nn: nn.Sequential(nn.ReLU(), nn.Linear(2, 1)), "must follow a Linear layer"),
        (lambda nn: nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2)), "LeakyReLU slope 0.2"),
        (lambda nn: nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU(), nn.Linear(3, 1)), "some Linear layers have a bias"),
    ],
)
def test_from_torch_refuses_what_an_mlp_cannot_be(make, words):
    with pytest.raises(ValueError, match=words):
        from_torch(make(torch.nn))


def test_a_missing_torch_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(ImportError, match="need PyTorch, which is not installed: pip install 'chainrule\\[torch\\]'"):
        to_torch(MLP(2, [1]))
    with pytest.raises(ImportError, match="need PyTorch"):
        from_torch(object())


def test_import_nn_does_not_import_torch():
    import subprocess

    code = "import sys, nn; print('torch' in sys.modules, 'matplotlib' in sys.modules, 'tqdm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False", "False"]


BAD_ARGUMENTS = [
    (Call(to_torch, None), TypeError, "model must be an nn.MLP (to_torch converts MLPs), got NoneType"),
    (Call(to_torch, Neuron(2)), TypeError, "model must be an nn.MLP (to_torch converts MLPs), got Neuron"),
    (Call(from_torch, None), TypeError, "module must be a torch.nn.Sequential or Linear, got NoneType"),
    (Call(from_torch, "Linear"), TypeError, "module must be a torch.nn.Sequential or Linear, got str"),
    (Call(from_torch, torch.nn.ReLU()), TypeError,
     "module must be a torch.nn.Sequential or Linear, got ReLU"),
    (Call(from_torch, MLP(2, [1])), TypeError, "module must be a torch.nn.Sequential or Linear, got MLP"),
]


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_sweep_of_wrong_values_finds_no_raw_error():
    assert sweep(to_torch, (MLP(2, [1]),), {}, {0: "model"}) == []
    assert sweep(from_torch, (torch.nn.Linear(2, 1),), {}, {0: "module"}) == []


def test_a_k_class_model_goes_to_torch_and_back_with_its_cross_entropy():
    from nn import cross_entropy, fit
    from nn.data import blobs

    X, labels = blobs(60, centers=3, seed=0)
    model = MLP(2, [6, 3], activation="tanh", seed=1)
    fit(model, X, labels, loss="cross_entropy", epochs=2, seed=0)
    net = to_torch(model)
    z = net(torch.tensor(X, dtype=torch.float64))
    theirs = torch.nn.functional.cross_entropy(z, torch.tensor(labels))
    theirs.backward()
    model.zero_grad()
    ours = cross_entropy([model(x) for x in X], labels)
    ours.backward()
    assert ours.data == pytest.approx(theirs.item(), rel=1e-14)
    ours_sq = sum(p.grad**2 for p in model.parameters())  # the same gradients, in another order
    assert ours_sq == pytest.approx(sum(float((p.grad**2).sum()) for p in net.parameters()), rel=1e-12)
    back = from_torch(net)
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    assert [o.data for o in back(X[0])] == [o.data for o in model(X[0])]
