"""Module: parameters found by walking attributes, names, state_dict round trips, all-or-nothing loads."""

import math

import pytest

from autograd import Value
from nn import MLP, Layer, Module, Neuron

from .probe import Call, ids, np, refused, sweep


class Affine(Module):
    """A user's own module: a sub-module, a list of Values and a Value."""

    def __init__(self) -> None:
        self.inner = Neuron(2, seed=1)
        self.scales = [Value(1.0), Value(2.0)]
        self.shift = Value(0.5)
        self.note = "not a parameter"
        self._private = Value(9.0)  # underscored attributes are not parameters


def test_named_parameters_walk_attributes_in_definition_order():
    m = Affine()
    names = [name for name, _ in m.named_parameters()]
    assert names == ["inner.w.0", "inner.w.1", "inner.b", "scales.0", "scales.1", "shift"]
    assert m.parameters() == [p for _, p in m.named_parameters()]


def test_mlp_names_follow_micrograd_attributes():
    model = MLP(2, [3, 1])
    named = model.named_parameters()
    assert len(named) == (2 + 1) * 3 + (3 + 1) * 1
    assert named[0] == ("layers.0.neurons.0.w.0", model.layers[0].neurons[0].w[0])
    assert named[-1] == ("layers.1.neurons.0.b", model.layers[1].neurons[0].b)
    assert [p for _, p in named] == model.parameters()
    assert len({id(p) for p in model.parameters()}) == len(named)  # each parameter once


def test_state_dict_round_trip_is_exact():
    a, b = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=2)
    assert a.state_dict() != b.state_dict()
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()  # exact: floats are copied, not recomputed


@pytest.mark.parametrize(
    "change, error, words",
    [
        (lambda s: s.pop("layers.0.neurons.1.b"), ValueError, "missing parameter 'layers.0.neurons.1.b'"),
        (lambda s: s.update(extra=1.0), ValueError, "unexpected parameter 'extra'"),
        (lambda s: s.update({"layers.1.neurons.0.w.2": "0.5"}), TypeError, "must be a real number, got str"),
        (lambda s: s.update({"layers.1.neurons.0.w.2": True}), TypeError, "got bool"),
    ],
)
def test_a_bad_state_is_refused_and_changes_nothing(change, error, words):
    model = MLP(2, [4, 1], seed=1)
    before = model.state_dict()
    state = {name: 0.0 for name in before}
    change(state)
    with pytest.raises(error, match=words.replace("(", r"\(")):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_needs_a_mapping():
    with pytest.raises(TypeError, match="state must be a mapping of parameter name -> float"):
        Neuron(1).load_state_dict([("w.0", 1.0)])  # type: ignore[arg-type]


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 2], seed=0)
    out = model([1.0, -2.0])
    (out[0] + out[1]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_num_parameters_and_layer_parameters():
    assert Layer(3, 2).num_parameters() == 8
    assert MLP(2, [16, 16, 1]).num_parameters() == 337
    assert MLP(2, [16, 1], bias=False).num_parameters() == 2 * 16 + 16


def test_state_dict_values_are_floats():
    state = MLP(1, [2], seed=0).state_dict()
    assert all(type(v) is float and math.isfinite(v) for v in state.values())


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)


def _state(**changes: object) -> dict[str, object]:
    return {"w.0": 0.5, "b": 0.0, **changes}


_neuron = Neuron(1, seed=0)
BAD_ARGUMENTS = [
    (Call(_neuron.load_state_dict, [("w.0", 1.0)]), TypeError,
     "state must be a mapping of parameter name -> float (as state_dict() gives), got list"),
    (Call(_neuron.load_state_dict, None), TypeError, "state must be a mapping of parameter name -> float"),
    (Call(_neuron.load_state_dict, "w.0"), TypeError, "state must be a mapping of parameter name -> float"),
    (Call(_neuron.load_state_dict, _state(**{"w.0": "0.5"})), TypeError,
     "parameter 'w.0' must be a real number, got str: '0.5'"),
    (Call(_neuron.load_state_dict, _state(b=True)), TypeError,
     "parameter 'b' must be a real number, got bool"),
    (Call(_neuron.load_state_dict, _state(b=None)), TypeError,
     "parameter 'b' must be a real number, got NoneType"),
    (Call(_neuron.load_state_dict, _state(b=Value(1.0))), TypeError,
     "parameter 'b' must be a real number, got Value"),
    (Call(_neuron.load_state_dict, _state(b=[1.0])), TypeError,
     "parameter 'b' must be a real number, got list"),
    (Call(_neuron.load_state_dict, _state(b=10**400)), ValueError,
     "parameter 'b' must be a number a float can hold (magnitude <= 1.798e+308), got 1000"),
    (Call(_neuron.load_state_dict, {"w.0": 0.5}), ValueError, "state is missing parameter 'b'"),
    (Call(_neuron.load_state_dict, _state(c=1.0)), ValueError, "state has unexpected parameter 'c'"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    before = _neuron.state_dict()
    refused(call, error, says)
    assert _neuron.state_dict() == before  # all or nothing


def test_load_state_dict_takes_numpy_numbers_and_keeps_a_nan_of_a_diverged_model():
    n = Neuron(1, seed=0)
    n.load_state_dict({"w.0": np.float64(0.25), "b": np.int64(2)})
    assert n.state_dict() == {"w.0": 0.25, "b": 2.0} and all(type(v) is float for v in n.state_dict().values())
    n.load_state_dict({"w.0": math.nan, "b": 0.0})  # state_dict() of a diverged model loads back as it was
    assert math.isnan(n.state_dict()["w.0"])


def test_sweep_of_wrong_values_finds_no_raw_error():
    assert sweep(Neuron(1, seed=0).load_state_dict, ({"w.0": 0.5, "b": 0.0},), {}, {0: "state"}) == []
    for name in ("w.0", "b"):
        state = {"w.0": 0.5, "b": 0.0}
        problems = sweep(lambda v, name=name, state=state: Neuron(1).load_state_dict({**state, name: v}),
                         (0.5,), {}, {0: f"parameter {name!r}"})  # fmt: skip
        assert problems == []


def test_a_module_shows_its_parameters_in_jupyter():
    from nn import Neuron

    n = Neuron(2, seed=0)
    n.w[0].grad = 0.25
    html = n._repr_html_()
    assert "3 parameters" in html and "<td>w.0</td><td>0.6888</td><td>0.25</td>" in html
