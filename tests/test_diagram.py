"""nn.diagram: network diagrams of MLPs and the graph of one neuron."""

import math
import re

import pytest

from nn.diagram import draw_network, draw_neuron, network_dot, neuron_dot
from nn.layers import MLP, Layer, Neuron

from .probe import Call, ids, np, refused, sweep
from .render_helpers import boxes, need_dot, node_texts, svg_classes


def edges(text):
    """(source, target, colour, width) of each weight edge."""
    pattern = r'  (\w+) -> (\w+) \[color="(#\w+)" penwidth=([\d.]+)'
    return [(s, t, c, float(w)) for s, t, c, w in re.findall(pattern, text)]


def test_weights_are_edges_coloured_by_sign_and_as_thick_as_their_size():
    model = MLP(2, [2, 1], seed=0)
    (n1, n2), (out,) = model.layers[0].neurons, model.layers[1].neurons
    n1.w[0].data, n1.w[1].data, n2.w[0].data, n2.w[1].data = 2.0, -1.0, 0.5, 0.0
    out.w[0].data, out.w[1].data = -2.0, 1.0
    # width = 0.2 + 3.2 |w| / max |w|, max |w| = 2; blue for w >= 0, red for w < 0
    assert edges(network_dot(model)) == [
        ("x1", "L0_0", "#1f77b4", 3.4),  # w = 2: the widest
        ("x2", "L0_0", "#d62728", 1.8),  # w = -1: 0.2 + 1.6
        ("x1", "L0_1", "#1f77b4", 1.0),  # w = 0.5: 0.2 + 0.8
        ("x2", "L0_1", "#1f77b4", 0.2),  # w = 0: the thinnest
        ("L0_0", "L1_0", "#d62728", 3.4),  # w = -2
        ("L0_1", "L1_0", "#1f77b4", 1.8),  # w = 1
    ]


def test_neurons_show_activation_and_bias_and_the_output_layer_is_green():
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=0)
    model.layers[1].neurons[0].b.data = 0.25
    text = network_dot(model, input_names=["age", "income"])
    assert 'x1 [label="age"' in text and 'x2 [label="income"' in text
    assert text.count('label="tanh\\nb 0"') == 3
    assert 'L1_0 [label="sigmoid\\nb 0.25" shape=circle style=filled fillcolor="#c7f0d2"' in text


def test_a_layer_and_a_neuron_can_be_drawn_too():
    assert len(edges(network_dot(Layer(3, 2, seed=0)))) == 6
    assert len(edges(network_dot(Neuron(4, seed=0)))) == 4
    assert "b " not in network_dot(Neuron(2, bias=False, seed=0)).split("label=")[3]


def test_a_big_network_is_refused_with_advice():
    model = MLP(50, [50, 1], seed=0)
    with pytest.raises(ValueError, match=r"2,550 weights, more than max_weights=2000.*model.layers\[0\]"):
        network_dot(model)
    assert len(edges(network_dot(model, max_weights=None))) == 2550


def test_bad_arguments():
    with pytest.raises(TypeError, match="model must be an nn model \\(MLP, Layer or Neuron\\), got float"):
        network_dot(3.0)
    with pytest.raises(ValueError, match="input_names has 1 names, but the model takes 2 inputs"):
        network_dot(MLP(2, [1], seed=0), input_names=["a"])
    with pytest.raises(ValueError, match="rankdir must be one of .LR., .TB.; got .BT."):
        network_dot(MLP(2, [1], seed=0), rankdir="BT")
    with pytest.raises(ValueError, match=r"x must hold 2 numbers, one per input of the neuron, got 3: \[1, 2, 3\]"):
        neuron_dot(Neuron(2, seed=0), [1, 2, 3])


def test_the_graph_of_a_neuron_leaves_its_grads_alone():
    n = Neuron(2, activation="tanh", seed=0)
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -1.0, 0.25
    n.w[0].grad = 123.0
    text = neuron_dot(n, [2.0, 1.0])  # z = 0.5·2 - 1·1 + 0.25 = 0.25
    assert n.w[0].grad == 123.0 and n.w[1].grad == 0.0
    # dtanh/dw1 = (1 - tanh²(0.25)) x1 = 0.940015 × 2 = 1.88003, dtanh/dx1 = 0.940015 × w1 = 0.470007
    shown = boxes(text)
    assert shown["w1"] == {"op": "", "data": "0.5", "grad": "1.88", "fill": "#ffe8a3"}  # a parameter
    assert shown["x1"] == {"op": "", "data": "2", "grad": "0.47", "fill": "#cfe2ff"}  # an input


def test_diagram_uses_only_public_names_of_viz_and_no_step_through():
    import ast
    import inspect

    import nn.diagram
    from autograd import viz

    tree = ast.parse(inspect.getsource(nn.diagram))
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    from_viz = {alias.name for node in imports if node.module == "autograd.viz" for alias in node.names}
    assert from_viz and from_viz <= set(viz.__all__)
    from_explain = {alias.name for node in imports if node.module == "autograd.explain" for alias in node.names}
    assert from_explain <= {"names"}  # no StepThrough to read grads: those come from autograd.graph.gradients


def test_rendered_neuron_svg_has_the_expected_nodes():
    need_dot()
    svg = draw_neuron(Neuron(3, activation="sigmoid", seed=0), [1.0, -2.0, 0.5]).pipe(format="svg")
    parts = svg_classes(svg)
    assert len(parts["node"]) == 3 + 3 + 1 + 1 + 1  # w1..w3, x1..x3, b; the dot's box, the sigmoid's box
    texts = {t for g in parts["node"] for t in node_texts(g)}
    assert {"w3", "x3", "b", "dot", "sigmoid"} <= texts


def test_rendered_network_svg_has_a_circle_per_unit_and_an_edge_per_weight():
    need_dot()
    svg = draw_network(MLP(2, [4, 4, 1], seed=0), weight_labels=True).pipe(format="svg")
    parts = svg_classes(svg)
    assert len(parts["node"]) == 2 + 4 + 4 + 1
    visible = [g for g in parts["edge"] if any(e.get("stroke") != "transparent" for e in g)]
    assert len(visible) == 2 * 4 + 4 * 4 + 4 * 1


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_mlp, _neuron = MLP(2, [3, 1], seed=0), Neuron(2, seed=0)
BAD_ARGUMENTS = [
    (Call(network_dot, 3.0), TypeError, "model must be an nn model (MLP, Layer or Neuron), got float: 3.0"),
    (Call(network_dot, None), TypeError, "model must be an nn model (MLP, Layer or Neuron), got NoneType"),
    (Call(network_dot, [_neuron]), TypeError, "model must be an nn model (MLP, Layer or Neuron), got list"),
    (Call(network_dot, _mlp, rankdir="BT"), ValueError, "rankdir must be one of 'LR', 'TB'; got 'BT'"),
    (Call(network_dot, _mlp, input_names="ab"), TypeError,
     "input_names must be a list of names (str), one per input, got str: 'ab'"),
    (Call(network_dot, _mlp, input_names=["a", 1]), TypeError, "input_names[1] must be a str, got int: 1"),
    (Call(network_dot, _mlp, input_names=["a"]), ValueError,
     "input_names has 1 names, but the model takes 2 inputs"),
    (Call(network_dot, _mlp, weight_labels=1), TypeError, "weight_labels must be True or False, got int: 1"),
    (Call(network_dot, _mlp, max_weights=0), ValueError, "max_weights must be >= 1, got 0"),
    (Call(network_dot, _mlp, max_weights=math.inf), TypeError, "max_weights must be an int, got float: inf"),
    (Call(network_dot, _mlp, max_weights="10"), TypeError, "max_weights must be an int, got str"),
    (Call(neuron_dot, _mlp), TypeError, "neuron must be an nn Neuron, got MLP"),
    (Call(neuron_dot, _neuron, [1, 2, 3]), ValueError,
     "x must hold 2 numbers, one per input of the neuron, got 3: [1, 2, 3]"),
    (Call(neuron_dot, _neuron, 1.0), TypeError,
     "x must be a list of 2 numbers (the neuron's inputs), got float"),
    (Call(neuron_dot, _neuron, "ab"), TypeError,
     "x must be a list of 2 numbers (the neuron's inputs), got str"),
    (Call(neuron_dot, _neuron, ["a", 1.0]), TypeError, "x[0] must be a real number, got str: 'a'"),
    (Call(neuron_dot, _neuron, [None, 1.0]), TypeError, "x[0] must be a real number, got NoneType"),
    (Call(neuron_dot, _neuron, [1.0, 10**400]), ValueError, "x[1] must be a number a float can hold"),
    (Call(neuron_dot, _neuron, rankdir="XX"), ValueError, "rankdir must be one of 'LR', 'TB', 'auto'; got 'XX'"),
    (Call(neuron_dot, _neuron, show_grad="yes"), TypeError, "show_grad must be True or False, got str"),
    (Call(draw_network, "m"), TypeError, "model must be an nn model (MLP, Layer or Neuron), got str"),
    (Call(draw_network, _mlp, bogus=1), TypeError, "unexpected keyword argument 'bogus'"),
    (Call(draw_neuron, _neuron, [1.0]), ValueError,
     "x must hold 2 numbers, one per input of the neuron, got 1: [1.0]"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_numpy_numbers_and_arrays_are_accepted():
    assert neuron_dot(_neuron, np.array([0.5, -1.0])) == neuron_dot(_neuron, [0.5, -1.0])
    assert network_dot(_mlp, max_weights=np.int64(9)) == network_dot(_mlp)


def test_sweep_of_wrong_values_finds_no_raw_error():
    options = {"rankdir": "LR", "input_names": None, "weight_labels": False, "max_weights": 2000}
    assert sweep(network_dot, (_mlp,), options, {0: "model", **{k: k for k in options}}) == []
    options = {"x": None, "rankdir": "LR", "show_grad": True}
    assert sweep(neuron_dot, (_neuron,), options, {0: "neuron", "x": "x", "rankdir": "rankdir",
                                                   "show_grad": "show_grad"}) == []  # fmt: skip
    assert sweep(draw_network, (_mlp,), {}, {0: "model"}) == []
    assert sweep(draw_neuron, (_neuron,), {}, {0: "neuron"}) == []


def test_step_through_names_the_targets_t1_t2_and_leaves_class_indices_alone():
    from autograd import topological_order
    from nn import cross_entropy
    from nn.diagram import step_through

    model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", bias=False, seed=0)
    view = step_through(model, [0.05, 0.10], [0.01, 0.99])
    leaves = {v.label: v.data for v in topological_order(view.root) if not v.inputs and v.label.startswith("t")}
    assert leaves == {"t1": 0.01, "t2": 0.99}  # the t of E = ½ Σₖ (tₖ - aₖ)², named in the drawing
    batch = step_through(MLP(2, [1], seed=0), [[0.1, 0.2], [0.5, -0.3]], [1.0, -1.0])
    targets = sorted(v.data for v in topological_order(batch.root) if v.label == "t1")
    assert targets == [-1.0, 1.0]
    classes = step_through(model, [0.05, 0.10], 1, loss=cross_entropy)  # a class index, not a number to name
    assert not any(v.label.startswith("t") for v in topological_order(classes.root) if not v.inputs)
