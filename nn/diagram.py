"""Pictures of models: a network diagram of an MLP, and the computation graph of one neuron.

The network diagram draws each input and each neuron as a circle, layer by layer, and each weight as an
edge: blue for a positive weight, red for a negative one, thicker for a larger |w|. The neuron graph is
the real computation graph of ``neuron(x)`` (drawn by `autograd.viz`, through its public names only), with
the gradients of the engine's backward pass collected in a dict (`autograd.graph.gradients`), so the
model's own ``.grad`` values are left as they are.

As in `autograd.viz`, the `graphviz` package is imported only when a picture is rendered (`draw_*`);
the ``*_dot`` functions need only the standard library.

>>> from nn.layers import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> text = network_dot(model)
>>> text.count("tooltip="), text.count("shape=circle")      # 2·3 + 3·1 weights; 2 inputs + 4 neurons
(9, 6)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from autograd import Value
from autograd.checks import choice, flag, instance, integer, iterable, optional, real, shown
from autograd.explain import names
from autograd.graph import gradients, topological_order
from autograd.viz import (
    NEGATIVE,
    POSITIVE,
    RANKDIRS,
    ROLE_COLORS,
    Rankdir,
    attrs,
    escape,
    graphviz_source,
    num,
    to_dot,
)

from .layers import MLP, Layer, Neuron
from .losses import _row

__all__ = ["FEW_NEURONS", "draw_network", "draw_neuron", "groups", "network_dot", "neuron_dot", "step_through"]

MAX_WEIGHTS = 2000
"""Default size limit of a network diagram, in weights (edges)."""


def _layers(model: object) -> list[list[Neuron]]:
    """The neurons of a model, layer by layer: an MLP's layers, a Layer's neurons, or one Neuron."""
    if isinstance(model, MLP):
        return [list(layer.neurons) for layer in model.layers]
    if isinstance(model, Layer):
        return [list(model.neurons)]
    return [[instance("model", model, Neuron, "an nn model (MLP, Layer or Neuron)")]]


def network_dot(
    model: Any,
    *,
    rankdir: Rankdir = "LR",
    input_names: Sequence[str] | None = None,
    weight_labels: bool = False,
    max_weights: int | None = MAX_WEIGHTS,
) -> str:
    """A network diagram of `model` (an MLP, a Layer or a Neuron) as DOT text.

    Inputs are blue circles (named `input_names`, default x1, x2, ...); each neuron a circle showing its
    activation and bias, the output layer green; each weight an edge, blue if w > 0, red if w < 0, as
    thick as |w| relative to the largest. `weight_labels` writes each weight on its edge (small models).

    >>> from nn.layers import Neuron
    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> n.w[0].data, n.w[1].data = 0.5, -1.0
    >>> print(network_dot(n))
    digraph {
      rankdir=LR
      splines=line
      nodesep=0.2
      ranksep=1.4
      node [fontname="Helvetica" fontsize=10]
      label="edges are weights: blue w > 0, red w < 0, width ∝ |w|"
      fontname="Helvetica"
      fontsize=10
      subgraph inputs { rank=same
        x1 [label="x1" shape=circle style=filled fillcolor="#cfe2ff" width=0.5]
        x2 [label="x2" shape=circle style=filled fillcolor="#cfe2ff" width=0.5]
        x1 -> x2 [style=invis]
      }
      subgraph layer0 { rank=same
        L0_0 [label="tanh\\nb 0" shape=circle style=filled fillcolor="#c7f0d2" width=0.7 fixedsize=true]
      }
      x1 -> L0_0 [color="#1f77b4" penwidth=1.80 tooltip="w = 0.5"]
      x2 -> L0_0 [color="#d62728" penwidth=3.40 tooltip="w = -1"]
    }
    """
    layers = _layers(model)
    choice("rankdir", rankdir, RANKDIRS)
    weight_labels = flag("weight_labels", weight_labels)
    max_weights = optional(integer, "max_weights", max_weights, low=1)
    nin = len(layers[0][0].w)
    if input_names is None:
        names = [f"x{i + 1}" for i in range(nin)]
    else:
        names = iterable("input_names", input_names, "a list of names (str), one per input")
        for i, name in enumerate(names):
            instance(f"input_names[{i}]", name, str, "a str")
        if len(names) != nin:
            raise ValueError(f"input_names has {len(names)} names, but the model takes {nin} inputs")
    n_weights = sum(len(n.w) for layer in layers for n in layer)
    if max_weights is not None and n_weights > max_weights:
        raise ValueError(
            f"the model has {n_weights:,} weights, more than max_weights={max_weights}: a diagram that size "
            "cannot be read. Draw a smaller model or one layer (network_dot(model.layers[0])), or pass "
            f"max_weights={n_weights} (or None) to draw it anyway"
        )
    largest = max(
        (abs(w.data) for layer in layers for n in layer for w in n.w if math.isfinite(w.data)), default=0.0
    )
    lines = [
        "digraph {", f"  rankdir={rankdir}", "  splines=" + ("true" if weight_labels else "line"), "  nodesep=0.2", "  ranksep=1.4",
        '  node [fontname="Helvetica" fontsize=10]',
        '  label="edges are weights: blue w > 0, red w < 0, width ∝ |w|"', '  fontname="Helvetica"', "  fontsize=10",
        "  subgraph inputs { rank=same",
    ]  # fmt: skip
    ids = [f"x{i + 1}" for i in range(nin)]
    for node_id, name in zip(ids, names, strict=True):
        box = {"label": escape(name), "shape": "circle", "style": "filled", "fillcolor": ROLE_COLORS["input"]}
        lines.append(f"    {node_id} {attrs(box | {'width': '0.5'})}")
    lines += _keep_order(ids)
    edges: list[str] = []
    for k, layer in enumerate(layers):
        fill = ROLE_COLORS["output"] if k == len(layers) - 1 else "#ffffff"
        lines.append(f"  subgraph layer{k} {{ rank=same")
        new_ids = []
        for j, neuron in enumerate(layer):
            node_id = f"L{k}_{j}"
            new_ids.append(node_id)
            bias = f"\\nb {num(neuron.b.data, 3)}" if neuron.b is not None else ""
            circle = {
                "label": escape(neuron.activation) + bias,
                "shape": "circle",
                "style": "filled",
                "fillcolor": fill,
            }
            lines.append(f"    {node_id} {attrs(circle | {'width': '0.7', 'fixedsize': 'true'})}")
            for src, w in zip(ids, neuron.w, strict=True):
                t = abs(w.data) / largest if largest > 0 and math.isfinite(w.data) else 0.0
                edge = {"color": POSITIVE if w.data >= 0 else NEGATIVE, "penwidth": f"{0.2 + 3.2 * t:.2f}"}
                edge["tooltip"] = f"w = {num(w.data)}"
                if weight_labels:
                    edge |= {"label": num(w.data, 2), "fontsize": "8"}
                edges.append(f"  {src} -> {node_id} {attrs(edge)}")
        lines += _keep_order(new_ids)
        ids = new_ids
    return "\n".join([*lines, *edges, "}"])


def _keep_order(ids: list[str]) -> list[str]:
    """Close a rank: invisible edges keep its nodes in order (x1 above x2, ...), as dot may swap them."""
    chain = [f"    {' -> '.join(ids)} [style=invis]"] if len(ids) > 1 else []
    return [*chain, "  }"]


def draw_network(model: Any, **options: Any) -> Any:
    """The network diagram of `model` as a `graphviz.Source` (inline SVG in Jupyter); see `network_dot`.

    >>> from nn.layers import MLP
    >>> draw_network(MLP(2, [4, 4, 1], seed=0))          # doctest: +SKIP
    """
    return graphviz_source(network_dot(model, **options))


def _neuron_graph(neuron: object, x: Sequence[float] | None) -> tuple[Neuron, Value, list[Value]]:
    neuron = instance("neuron", neuron, Neuron, "an nn Neuron")
    nin = len(neuron.w)
    xs = [1.0] * nin if x is None else iterable("x", x, f"a list of {nin} numbers (the neuron's inputs)")
    if len(xs) != nin:
        raise ValueError(f"x must hold {nin} numbers, one per input of the neuron, got {len(xs)}: "
                         f"{shown(xs)}")  # fmt: skip
    inputs = [
        xi if isinstance(xi, Value) else Value(real(f"x[{i}]", xi, finite=False), f"x{i + 1}")
        for i, xi in enumerate(xs)
    ]
    out = neuron(inputs)  # its pre-activation is named net, its output a (the neuron names what it makes)
    return neuron, out, inputs


def neuron_dot(
    neuron: Any, x: Sequence[float] | None = None, *, rankdir: str = "auto", show_grad: bool = True
) -> str:
    """The computation graph of ``neuron(x)`` as DOT text: inputs (x1, x2, ... default 1.0), weights and
    bias (parameters), the `dot` node, the activation. Grads are those of a backward pass from the
    neuron's output, computed aside: the neuron's own ``.grad`` values are not changed.

    >>> from nn.layers import Neuron
    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> text = neuron_dot(n, [0.5, -1.0])
    >>> text.count("shape=box"), "<b>net</b>" in text and ">dot<" in text, "<b>a</b>" in text and ">tanh<" in text
    (7, True, True)
    """
    choice("rankdir", rankdir, (*RANKDIRS, "auto"))
    show_grad = flag("show_grad", show_grad)
    model, out, _ = _neuron_graph(neuron, x)
    grads = gradients(out) if show_grad else None  # the engine's backward pass into a dict: no .grad touched
    return to_dot(out, rankdir=rankdir, show_grad=show_grad, params=model.parameters(), grads=grads)


def draw_neuron(neuron: Any, x: Sequence[float] | None = None, **options: Any) -> Any:
    """The graph of one neuron as a `graphviz.Source`; see `neuron_dot`.

    >>> from nn.layers import Neuron
    >>> draw_neuron(Neuron(3, activation="sigmoid", seed=0), [1.0, 2.0, 3.0])     # doctest: +SKIP
    """
    return graphviz_source(neuron_dot(neuron, x, **options))


# ---------------------------------------------------------------------------------------------------
# A training step, to watch: forward, loss, backward, update (the interactive view of autograd.view).

FEW_NEURONS = 6
"""A network with more neurons than this is stepped through with each neuron drawn as one box."""


def groups(root: Value) -> dict[Value, str]:
    """Each neuron's Values in the graph of `root`, by neuron: its weighted sum (net_h1) and its output
    (h1), found by the names an nn model gives them. A group is named as its output is named in drawings
    and explanations (`autograd.explain.names`): h1, or h1⁽²⁾ for the second sample of a batch.

    >>> from nn import MLP
    >>> model = MLP(2, [2, 1], seed=0)
    >>> out = model([1.0, 2.0])
    >>> sorted(set(groups(out).values()))
    ['h1', 'h2', 'o1']
    """
    root = instance("root", root, Value, "a Value")
    order = topological_order(root)
    shown = names(root, order)
    found: dict[Value, str] = {}
    for v in order:
        if v.op is None or not v.label or v.label.startswith("net"):
            continue
        net = v if v.op.name == "dot" else v.inputs[0] if len(v.inputs) == 1 else None
        if net is None or (net is not v and net.label != f"net_{v.label}") or net.op is None or net.op.name != "dot":
            continue  # not a neuron's output: a Value some other code labelled
        found[v] = found[net] = shown[v]
    return found


def _named(target: object, classes: bool) -> Any:
    """A sample's target with each number a Value named t1, t2, … by its output (the t of
    E = ½ Σₖ (tₖ - aₖ)², so the drawing names it); anything else as it is, for the loss to take or refuse
    (with `classes`, an int is a class index).

    >>> [t.label for t in _named([0.01, 0.99], False)], _named(1.0, False).label, _named(2, True)
    (['t1', 't2'], 't1', 2)
    """
    row = _row(target)
    if row is None:
        return _number_named(target, 1, classes)
    return [_number_named(t, k + 1, classes) for k, t in enumerate(row)]


def _number_named(t: object, k: int, classes: bool) -> Any:
    if not isinstance(t, numbers.Real) or isinstance(t, bool) or (classes and isinstance(t, numbers.Integral)):
        return t
    try:
        return Value(float(t), f"t{k}")
    except OverflowError:  # an int beyond float range: the loss says so
        return t


def step_through(
    model: Any,
    x: Sequence[float] | Sequence[Sequence[float]],
    target: Any,
    *,
    loss: Any = None,
    lr: float = 0.5,
    collapse: bool | None = None,
) -> Any:
    """One training step of `model`, to watch in Jupyter or save as a web page (`autograd.view.View`):
    the forward pass on `x` (one sample, or a list of samples: a batch), the loss against `target`, the
    backward pass, and the gradient-descent update of every parameter with learning rate `lr`. Nothing
    is changed: the model's data and grads are as before.

    `loss` defaults to `nn.squared_error` (E = ½ Σₖ (tₖ - aₖ)², as the delta rule is derived). Each neuron
    is framed with its weighted sum and activation; `collapse` draws each as one box (which opens on a
    click), by default when the network has more than `FEW_NEURONS` neurons.

    >>> from nn import MLP
    >>> model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", bias=False, seed=0)
    >>> view = step_through(model, [0.05, 0.10], [0.01, 0.99], lr=0.5)
    >>> view
    <View of E: 12 forward, 13 backward, 8 update steps; shown interactively in Jupyter, or .save_html(path)>
    """
    from autograd.view import view

    from .losses import CLASS_TARGETS, squared_error
    from .train import _loss_fn

    loss_fn = squared_error if loss is None else _loss_fn(loss)
    params = model.parameters()
    batch = iterable("x", x, "a sample (a list of numbers) or a list of samples")
    samples = batch if batch and not isinstance(batch[0], (int, float)) else [batch]
    targets = iterable("target", target, "the target of each sample") if len(samples) > 1 else [target]
    saved = [(p.data, p.grad) for p in params]
    outputs = [model(s) for s in samples]
    value = loss_fn(outputs, [_named(t, loss_fn in CLASS_TARGETS) for t in targets])
    if not value.label:
        value.label = "E" if loss_fn is squared_error else "L"
    found = groups(value)
    neurons = sum(len(layer) for layer in _layers(model))
    folded = (neurons > FEW_NEURONS) if collapse is None else flag("collapse", collapse)
    try:
        return view(value, params=params, lr=real("lr", lr, low=0.0, low_open=True), groups=found,
                    collapse=set(found.values()) if folded else set(), max_nodes=None)  # fmt: skip
    finally:
        for p, (d, g) in zip(params, saved, strict=True):
            p.data, p.grad = d, g
