"""micrograd's code runs unchanged: written as micrograd's README, engine tests, demo and graph-tracing
notebook write it, and run side by side on chainrule and on the `micrograd` package itself.

Each piece below takes the engine as arguments (`Value`, and `MLP`/`Neuron`/`Layer` where it builds a
model), so the very same code runs on both. Where the arithmetic is the same the results are equal; where
it differs, they agree to 1e-12 relative: micrograd divides as a · b⁻¹ (two roundings, ours one), sums a
neuron as b + w₁x₁ + … (ours (Σ wᵢxᵢ) + b) and adds up gradients in the order its `set` of inputs gives.
What remains different is checked at the end, one test per difference the README lists.
"""

from __future__ import annotations

import random
from collections import Counter
from typing import Any

import pytest

import nn
from autograd import Value
from nn.data import moons, signed

from .conftest import require

mg_engine = require("micrograd.engine")
mg_nn = require("micrograd.nn")

ENGINES = {"micrograd": (mg_engine.Value, mg_nn), "chainrule": (Value, nn)}
REL = 1e-12  # see the module docstring: last-bit differences of division, dot order and gradient order


# ---------------------------------------------------------------------------------------------------
# micrograd's engine tests: two expressions, their values and gradients


def sanity_check(V: Any) -> tuple[Any, Any]:
    """+, *, relu and constants on both sides of an op."""
    x = V(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    return x, y


def more_ops(V: Any) -> tuple[Any, Any, Any]:
    """+=, unary minus, subtraction, powers, division by and of a number."""
    a, b = V(-4.0), V(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def test_the_sanity_check_expression_gives_the_same_value_and_gradient_on_both_engines():
    # by hand: z = 3x + 2 = -10, q = relu(z) + zx = 40, h = z² = 100, y = h + q + qx = -20;
    # dz/dx = 3, dq/dx = 0 + 3x + z = -22, dh/dx = 2z·3 = -60, dy/dx = dh/dx + dq/dx (1 + x) + q = 46
    for V, _ in ENGINES.values():
        x, y = sanity_check(V)
        assert (y.data, x.grad) == (-20.0, 46.0)  # small integers: exact on both


def test_the_more_ops_expression_agrees_with_micrograd_and_its_readme(torch):
    ours, theirs = more_ops(Value), more_ops(mg_engine.Value)
    for mine, its in zip(ours, theirs, strict=True):
        assert mine.data == pytest.approx(its.data, rel=REL)
        assert mine.grad == pytest.approx(its.grad, rel=REL)
    a, b, g = ours
    # micrograd's README prints these
    assert (f"{g.data:.4f}", f"{a.grad:.4f}", f"{b.grad:.4f}") == ("24.7041", "138.8338", "645.5773")
    # and, as micrograd's own test, PyTorch float64 agrees: ours to the last bits (we divide as it does)
    ta, tb, tg = more_ops(lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True))
    assert g.data == pytest.approx(tg.item(), rel=1e-15)
    assert (a.grad, b.grad) == pytest.approx((ta.grad.item(), tb.grad.item()), rel=1e-15)


# ---------------------------------------------------------------------------------------------------
# micrograd's demo: moons, MLP(2, [16, 16, 1]) after random.seed(1337), SVM loss + L2, decaying SGD


def demo(V: Any, MLP: Any, X: list[list[float]], y: list[float], steps: int) -> tuple[Any, list[tuple]]:
    """The demo notebook's training loop: full batch, max-margin loss, L2 1e-4, lr 1.0 → 0.1."""
    random.seed(1337)
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    first = [p.data for p in model.parameters()]
    seen = []
    for k in range(steps):
        inputs = [list(map(V, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]  # svm "max-margin" loss
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())  # L2 regularization
        total_loss = data_loss + reg_loss
        accuracy = sum((yi > 0) == (si.data > 0) for yi, si in zip(y, scores)) / len(y)

        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        seen.append((total_loss.data, accuracy))
    return first, seen


def test_the_demo_seeds_random_and_trains_the_same_network_on_both_engines():
    X, labels = moons(100, noise=0.1, seed=0)
    y = signed(labels)  # the demo's y*2 - 1
    steps = 3  # each a full pass over 100 points: seconds on micrograd
    first, ours = demo(Value, nn.MLP, X, y, steps)
    state = random.getstate()
    first_mg, theirs = demo(mg_engine.Value, mg_nn.MLP, X, y, steps)
    assert random.getstate() == state  # both drew as many numbers from the global generator
    assert first == first_mg  # the very same weights: same draws, same order, biases 0
    assert len(first) == 337 and len(set(first) - {0.0}) == 337 - 33  # 33 biases at 0; each weight a draw
    for k, ((loss, acc), (loss_mg, acc_mg)) in enumerate(zip(ours, theirs, strict=True)):
        assert loss == pytest.approx(loss_mg, rel=REL), f"step {k}"
        assert acc == acc_mg, f"step {k}"


def test_without_a_seed_the_model_follows_the_global_generator_and_with_one_it_does_not():
    random.seed(1337)
    theirs = [p.data for p in mg_nn.MLP(2, [16, 16, 1]).parameters()]
    random.seed(1337)
    assert [p.data for p in nn.MLP(2, [16, 16, 1]).parameters()] == theirs
    random.seed(1337)
    assert [p.data for p in nn.MLP(2, [16, 16, 1], seed=1337).parameters()] == theirs  # same stream
    random.seed(1)
    state = random.getstate()
    nn.MLP(2, [16, 16, 1], seed=1337)
    nn.MLP(2, [4, 1], init="he", rng=random.Random(5))
    assert random.getstate() == state  # seed= and rng= leave the global generator alone
    random.seed(1337)
    n, layer = mg_nn.Neuron(3), mg_nn.Layer(3, 2)
    random.seed(1337)
    assert [p.data for p in nn.Neuron(3).parameters() + nn.Layer(3, 2).parameters()] == [
        p.data for p in n.parameters() + layer.parameters()
    ]


# ---------------------------------------------------------------------------------------------------
# micrograd's graph-tracing notebook: trace(root) walks `_prev`; draw_dot reads data, grad and `_op`


def trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
    """Every node reachable from root, and every (input, output) edge, by a walk through `_prev`."""
    nodes, edges = set(), set()

    def build(v: Any) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root: Any) -> Any:
    """One record per Value (data, grad), one small node per op, as the notebook draws them."""
    graphviz = require("graphviz")
    nodes, edges = trace(root)
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label="{ data %.4f | grad %.4f }" % (n.data, n.grad), shape="record")  # noqa: UP031 -- micrograd's formatting
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)
    return dot


def summary(root: Any) -> tuple[int, int, Counter[str], Counter[str]]:
    """What a drawing shows: node and edge counts, the op labels, and the records (data | grad)."""
    nodes, edges = trace(root)
    records = Counter(line.split("label=")[1].split(" shape")[0] for line in draw_dot(root).body
                      if "shape=record" in line)  # fmt: skip
    return len(nodes), len(edges), Counter(n._op for n in nodes if n._op), records


def test_the_tracing_notebook_draws_the_same_graph_of_a_neuron_expression():
    def expression(V: Any) -> Any:
        x = V(1.0)
        y = (x * 2 + 1).relu() * (x**2 + x * x + 3) + (x * -0.5).relu()
        y.backward()
        return y

    ours, theirs = summary(expression(Value)), summary(expression(mg_engine.Value))
    # x, the constants 2, 1, 3, -0.5; ops *, +, relu, **2, *, +, +, *, *, relu, +: 16 nodes, and as each op
    # has two edges but ** and relu one, and x * x one (`_prev` is a set), 18 edges
    assert ours[:2] == theirs[:2] == (16, 18)
    assert ours[2] == Counter({"*": 4, "+": 4, "relu": 2, "**2": 1})
    assert theirs[2] == Counter({"*": 4, "+": 4, "ReLU": 2, "**2": 1})  # the one label we spell differently
    assert ours[3] == theirs[3]  # every node's data and grad, as drawn


def test_the_tracing_notebook_runs_on_a_neuron_whose_z_is_one_dot_node():
    graphs = {}
    for name, (V, lib) in ENGINES.items():
        random.seed(1337)
        n = lib.Neuron(2)
        x = [V(1.0), V(-2.0)]
        y = n(x)
        y.backward()
        graphs[name] = (y, summary(y), [w.grad for w in n.w], [xi.grad for xi in x])
    (y, ours, ws, xs), (y_mg, theirs, ws_mg, xs_mg) = graphs["chainrule"], graphs["micrograd"]
    assert y.data == y_mg.data and ws == ws_mg and xs == xs_mg  # same weights; b = 0, so the same sums
    # micrograd: leaves w₁, w₂, x₁, x₂, b; then w₁x₁, b + w₁x₁, w₂x₂, (…) + w₂x₂, ReLU: 10 nodes, 9 edges.
    # ours: the same leaves, z = dot(w, x, b) with 5 inputs, relu: 7 nodes, 6 edges.
    assert theirs[:3] == (10, 9, Counter({"*": 2, "+": 2, "ReLU": 1}))
    assert ours[:3] == (7, 6, Counter({"dot": 1, "relu": 1}))


# ---------------------------------------------------------------------------------------------------
# micrograd's README: Value arithmetic, backward, an MLP's parameters and zero_grad


def test_the_readme_model_has_micrograds_parameters_and_zero_grad_clears_them():
    for V, lib in ENGINES.values():
        random.seed(1337)
        model = lib.MLP(2, [16, 16, 1])
        assert len(model.parameters()) == 337  # (2+1)·16 + (16+1)·16 + (16+1)·1
        score = model([V(0.5), V(-1.0)])
        (score * score).backward()
        assert any(p.grad != 0 for p in model.parameters())
        model.zero_grad()
        assert all(p.grad == 0 for p in model.parameters())
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    model_mg = mg_nn.MLP(2, [16, 16, 1])
    for x in ([0.5, -1.0], [2.0, 3.0], [-1.5, 0.25]):
        # numbers given to either model are wrapped into Values; the sums differ only once b ≠ 0
        assert model(x).data == model_mg(x).data
        assert model([Value(v) for v in x]).data == model_mg([mg_engine.Value(v) for v in x]).data
    for nonlin in (True, False):  # micrograd's keyword, positional in Neuron as in micrograd
        random.seed(7)
        a = nn.Neuron(3, nonlin)
        random.seed(7)
        b = mg_nn.Neuron(3, nonlin)
        assert a([1.0, -2.0, 0.5]).data == b([1.0, -2.0, 0.5]).data


# ---------------------------------------------------------------------------------------------------
# What still differs (the README lists each): every difference checked, so the list stays true


def test_difference_layer_of_one_neuron_returns_a_list():
    random.seed(0)
    assert isinstance(nn.Layer(2, 1)([1.0, 2.0]), list)
    assert isinstance(mg_nn.Layer(2, 1)([1.0, 2.0]), mg_engine.Value)
    assert isinstance(nn.MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)  # an MLP's single output is bare, as micrograd


def test_difference_subtraction_division_and_negation_are_ops_of_their_own():
    def labels(V: Any, build: Any) -> tuple[int, list[str]]:
        nodes, _ = trace(build(V(3.0), V(2.0)))
        return len(nodes), sorted(n._op for n in nodes if n._op)

    # micrograd: a - b = a + (b · -1), -a = a · -1, a / b = a · b⁻¹, with -1 a new leaf each time
    assert labels(mg_engine.Value, lambda a, b: a - b) == (5, ["*", "+"])
    assert labels(Value, lambda a, b: a - b) == (3, ["-"])
    assert labels(mg_engine.Value, lambda a, b: -a) == (3, ["*"])
    assert labels(Value, lambda a, b: -a) == (2, ["neg"])
    assert labels(mg_engine.Value, lambda a, b: a / b) == (4, ["*", "**-1"])
    assert labels(Value, lambda a, b: a / b) == (3, ["/"])
    assert (mg_engine.Value(2.0) ** 2.0)._op == "**2.0"
    assert (Value(2.0) ** 2.0)._op == "**2"  # the exponent as it prints without a needless .0
    # a / b rounds once; a · b⁻¹ rounds b⁻¹ (0.1 is not exact in binary) and then the product
    assert (Value(0.1) / 10.0).data == 0.01
    assert (mg_engine.Value(0.1) / 10.0).data == 0.010000000000000002


def test_difference_data_and_grad_are_always_floats():
    v, v_mg = Value(0), mg_engine.Value(0)
    assert (type(v.data), type(v.grad)) == (float, float)
    assert (type(v_mg.data), type(v_mg.grad)) == (int, int)
    random.seed(0)
    model = nn.MLP(2, [1])
    model([1.0, 1.0]).backward()
    model.zero_grad()
    assert all(type(p.grad) is float for p in model.parameters())


def test_difference_prev_and_op_are_read_only_and_there_is_no_backward_closure():
    a = Value(2.0)
    c = a * a
    assert c._prev == {a} and c._op == "*"
    with pytest.raises(AttributeError):
        c._op = "+"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        c._prev = set()  # type: ignore[misc]
    assert not hasattr(c, "_backward") and hasattr(mg_engine.Value(1.0), "_backward")
    with pytest.raises(TypeError):
        Value(4.0, (a, a), "*")  # type: ignore[arg-type]  # micrograd's constructor form: Value(data, label="")


def test_difference_a_second_backward_accumulates_as_pytorch():
    # c = 3a²: dc/da = 6a = 12. Twice: PyTorch gives the leaf 24. micrograd keeps the intermediate b's
    # grad from the first pass and adds to it: b.grad 3 → 6, so a.grad = 12 + 2a · 6 = 36.
    for V, expected in ((Value, 24.0), (mg_engine.Value, 36.0)):
        a = V(2.0)
        c = (a * a) * 3
        c.backward()
        c.backward()
        assert a.grad == expected


def test_difference_reprs_and_errors():
    random.seed(0)
    assert repr(nn.Neuron(2)) == "Neuron(2, relu)" and repr(mg_nn.Neuron(2)) == "ReLUNeuron(2)"
    assert repr(nn.MLP(2, [1])) == "MLP(2 -> 1, relu / linear)"
    assert repr(mg_nn.MLP(2, [1])) == "MLP of [Layer of [LinearNeuron(2)]]"
    # too few inputs: micrograd's zip sums fewer products, silently; ours refuses
    short = mg_nn.Neuron(2, nonlin=False)
    assert short([1.0]).data == short.w[0].data
    with pytest.raises(nn.InputError, match="expects 2 inputs, got 1"):
        nn.Neuron(2)([1.0])
