"""autograd.explain: the step-through replays the backward pass exactly; paths sum to the gradient."""

import math
import random

import pytest

import autograd
from autograd import Value
from autograd.explain import Paths, StepThrough, local_formula, names, paths, steps

from .graphs import sigmoid_neuron
from .probe import Call, ids, np, refused, sweep
from .render_helpers import need_dot, svg_classes


def test_step_through_of_the_sigmoid_neuron_matches_the_chain_rule_by_hand():
    v = sigmoid_neuron()
    half = v["E"].inputs[0]
    # Worked on paper: z = 2·1.5 - 3 = 0, a = σ(0) = 1/2, d = 1 - 1/2 = 1/2, q = 1/4, E = 1/8.
    # Each node, outputs first: (node, upstream dE/dnode, [(input, ∂node/∂input, dE/dnode · ∂node/∂input)])
    by_hand = [
        ("E", 1.0, [(half, 0.25, 1.0 * 0.25), (v["q"], 0.5, 1.0 * 0.5)]),  # E = 0.5 q: ∂/∂0.5 = q, ∂/∂q = 0.5
        ("q", 0.5, [(v["d"], 2 * 0.5, 0.5 * 1.0)]),  # q = d²: ∂q/∂d = 2d = 1
        ("d", 0.5, [(v["t"], 1.0, 0.5), (v["a"], -1.0, -0.5)]),  # d = t - a
        ("a", -0.5, [(v["z"], 0.5 * (1 - 0.5), -0.5 * 0.25)]),  # σ' = σ(1 - σ) = 1/4
        ("z", -0.125, [(v["wx"], 1.0, -0.125), (v["b"], 1.0, -0.125)]),  # z = wx + b
        ("wx", -0.125, [(v["w"], 1.5, -0.125 * 1.5), (v["x"], 2.0, -0.125 * 2.0)]),  # ∂wx/∂w = x, ∂wx/∂x = w
    ]
    replay = steps(v["E"])
    assert len(replay) == len(by_hand)
    for step, (node, upstream, updates) in zip(replay, by_hand, strict=True):
        assert step.node is v[node]
        assert step.upstream == upstream
        got = [(u.input, u.local, u.contribution) for u in step.updates]
        assert [(x, loc, c) for x, loc, c in got] == updates
    assert [(x, replay.grads[v[x]]) for x in "wxbt"] == [
        ("w", -0.1875),
        ("x", -0.25),
        ("b", -0.125),
        ("t", 0.5),
    ]


def test_printed_steps_write_out_the_chain_rule():
    v = sigmoid_neuron()
    replay = steps(v["E"])
    assert str(replay[3]).splitlines() == [
        "step 4 of 6: a = sigmoid(z) = 0.5; upstream dE/da = -0.5",
        "  ∂a/∂z = (1 - a) * a = 0.25",  # the op table's rule for sigmoid, with names filled in
        "  dE/dz += dE/da * ∂a/∂z = -0.5 * 0.25 = -0.125",
    ]
    assert "  dE/dw += dE/dwx * ∂wx/∂w = -0.125 * 1.5 = -0.1875" in str(replay[5])
    assert "  ∂q/∂d = 2 * d = 1" in str(replay[1])
    assert (
        str(replay).splitlines()[-1] == "result: dE/dw = -0.1875, dE/dx = -0.25, dE/db = -0.125, dE/dt = 0.5"
    )
    assert repr(replay[0]) == "<Step 1 of 6: E = (0.5) * q, upstream 1>"


def test_step_through_leaves_computed_grads_alone():
    v = sigmoid_neuron()
    v["E"].backward()
    v["E"].backward()  # leaves accumulate: w.grad is now twice dE/dw
    before = {k: x.grad for k, x in v.items()}
    replay = steps(v["E"])
    paths(v["w"], v["E"])
    replay[2].to_dot()
    assert {k: x.grad for k, x in v.items()} == before
    assert replay.grads[v["w"]] == -0.1875 and v["w"].grad == -0.375


def test_grads_as_they_stood_at_each_step():
    v = sigmoid_neuron()
    replay = steps(v["E"])
    assert [replay[k].grads()[v["z"]] for k in range(6)] == [0.0, 0.0, 0.0, -0.125, -0.125, -0.125]
    dot_text = replay[3].to_dot(title=False)
    line = {name: next(t for t in dot_text.splitlines() if f"<b>{name}</b>" in t) for name in ("z", "w")}
    assert ">data 0<" in line["z"] and ">grad -0.125<" in line["z"]  # z's grad as after the += of step 4
    assert ">data 2<" in line["w"] and '_grad">grad<' in line["w"]  # w not reached yet: no grad shown
    assert 'label="+= -0.125"' in dot_text  # the edge step 4 updates, labelled with its +=


def test_formulas_come_from_the_op_table():
    x, y = Value(2.0, "x"), Value(3.0, "y")
    cases = {
        "exp": (x.exp(), 0, "L"),  # (eˣ)' = eˣ: the result itself
        "tanh": (x.tanh(), 0, "1 - L * L"),
        "**3": (x**3, 0, "3 * x ** 2"),
        "/ by b": (x / y, 1, "-(L / y)"),
        "leaky": (x.leaky_relu(0.1), 0, "1 if x > 0 else 0.1"),
        "dot w2": (autograd.dot([x, y], [y, x]), 1, "x"),  # ∂(x·y + y·x)/∂w₂ = x₂ = x
    }
    for name, (v, i, expected) in cases.items():
        assert local_formula(v, i) == expected, name


def random_graph(rng, n_leaves=4, n_ops=14):
    """A random DAG whose nodes reuse earlier ones (so Values lie on several paths)."""
    leaves = [Value(rng.uniform(-1.5, 1.5), f"x{i}") for i in range(n_leaves)]
    nodes = list(leaves)

    def pick():
        return (
            nodes[max(0, len(nodes) - 1 - int(rng.expovariate(0.4)))]
            if rng.random() < 0.7
            else rng.choice(nodes)
        )

    ops = [
        lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / (1.0 + b * b),
        lambda a, b: a.tanh(), lambda a, b: a.sigmoid(), lambda a, b: a.sin() * 2.0,
        lambda a, b: (a * 0.5).exp(), lambda a, b: a**2,
        lambda a, b: autograd.dot([a, b], [b, pick()], pick()), lambda a, b: autograd.sum([a, b, pick()]),
    ]  # fmt: skip
    for _ in range(n_ops):
        v = rng.choice(ops)(pick(), pick())
        nodes.append(v)
    return leaves, nodes[-1]


def count_by_enumeration(x, v):
    """Paths from x to v, enumerated the slow obvious way (for small graphs only)."""
    if v is x:
        return 1
    return sum(count_by_enumeration(x, u) for u in v.inputs)


@pytest.mark.parametrize("seed", range(30))
def test_random_graphs_replay_equals_backward_and_paths_sum_to_grad(seed):
    rng = random.Random(seed)
    leaves, root = random_graph(rng)
    replay = steps(root)
    root.backward()
    order = autograd.topological_order(root)
    assert all(replay.grads[v] == v.grad for v in order)  # bit for bit: the same rules in the same order
    for x in leaves:
        p = paths(x, root, limit=10_000)
        assert p.n_paths == count_by_enumeration(x, root)
        assert p.complete and len(p) == p.n_paths
        scale = math.fsum(abs(q.product) for q in p) + 1e-300
        # Rounding only: the products are summed in a different order than backprop's +=.
        assert abs(p.shown_sum - x.grad) <= 1e-12 * scale, (p.shown_sum, x.grad)
        assert abs(p.total - x.grad) <= 1e-12 * scale
        assert p.grad == x.grad


def test_too_many_paths_are_counted_not_listed():
    x = Value(1.0, "x")
    y = x
    for _ in range(60):
        y = y + y  # each level doubles the paths: 2^60 of them, each with product 1
    p = paths(x, y, limit=5)
    assert p.n_paths == 2**60 and not p.complete and len(p) == 5
    assert p.total == p.grad == 2.0**60
    assert [q.product for q in p] == [1.0] * 5
    text = str(p)
    assert (
        "1,152,921,504,606,846,976 paths from x to L, too many to list; the 5 with the largest |product|"
        in text
    )
    assert "the other 1,152,921,504,606,846,971 paths contribute 1.15292e+18" in text


def test_the_largest_contributions_are_listed_first():
    x = Value(1.0, "x")
    y = 3.0 * x + 0.5 * x + -7.0 * x + 0.1 * x  # four paths, products 3, 0.5, -7, 0.1
    p = paths(x, y, limit=2)
    assert p.n_paths == 4 and [q.product for q in p] == [-7.0, 3.0]
    assert math.isclose(p.total, 3.0 + 0.5 - 7.0 + 0.1) and math.isclose(p.grad, 3.0 + 0.5 - 7.0 + 0.1)
    assert "the other 2 paths contribute 0.6" in str(p)


def test_a_value_on_no_path_has_derivative_zero():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    p = paths(x, y * 2)
    assert (p.n_paths, len(p), p.grad) == (0, 0, 0.0)
    assert str(p) == "dL/dx = 0: L does not depend on x (no path leads from x to L)"


def test_paths_of_a_repeated_input_say_which_input():
    x = Value(3.0, "x")
    y = x * x
    y.label = "y"
    assert str(paths(x, y)).splitlines()[1:4] == ["  x →(input 1) y", "    ∂y/∂x", "    = 3"]


def test_bad_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        steps(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed must be a real number"):
        steps(x, seed="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit must be >= 1, got 0"):
        paths(x, x, limit=0)
    with pytest.raises(TypeError, match="x must be a Value"):
        paths(2.0, x)  # type: ignore[arg-type]


def test_seed_scales_the_replay_like_backward():
    v = sigmoid_neuron()
    replay = steps(v["E"], seed=2.0)
    v["E"].backward(2.0)
    assert all(replay.grads[x] == x.grad for x in v.values())


def test_a_step_and_the_paths_render():
    need_dot()
    v = sigmoid_neuron()
    svg = steps(v["E"])[3].draw().pipe(format="svg")
    parts = svg_classes(svg)
    assert len(parts["node"]) == 11  # 11 Values, one box each (constants as plain numbers)
    svg = paths(v["x"], v["E"]).draw().pipe(format="svg")
    assert len(svg_classes(svg)["node"]) == 11


def test_a_dead_relu_sends_zero_and_the_replay_still_matches_backward():
    w, x = Value(-1.0, "w"), Value(2.0, "x")
    z = autograd.dot([w], [x])
    z.label = "z"
    y = z.relu()  # z = -2 < 0: relu' = 0, so dot's upstream is 0 (its rule may then send nothing)
    replay = steps(y)
    y.backward()
    assert [u.contribution for u in replay[1].updates] == [0.0, 0.0]
    assert (replay.grads[w], replay.grads[x]) == (w.grad, x.grad) == (0.0, 0.0)
    assert "dL/dw += dL/dz * ∂z/∂w = 0 * 2 = 0" in str(replay[1])


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_x = Value(2.0, "x")
_y = (_x * 3).tanh()
_step = steps(_y)[0]
_paths = paths(_x, _y)
BAD_ARGUMENTS = [
    (Call(steps, 1.0), TypeError, "root must be a Value, got float: 1.0"),
    (Call(steps, _y, seed="1"), TypeError, "seed must be a real number, got str: '1'"),
    (Call(steps, _y, seed=True), TypeError, "seed must be a real number, got bool"),
    (Call(steps, _y, seed=Value(1.0)), TypeError, "seed must be a real number, got Value"),
    (Call(steps, _y, seed=10**400), ValueError, "seed must be a number a float can hold"),
    (Call(StepThrough, None), TypeError, "root must be a Value, got NoneType"),
    (Call(StepThrough, [_y]), TypeError, "root must be a Value, got list"),
    (Call(StepThrough, _y, seed=None), TypeError, "seed must be a real number, got NoneType"),
    (Call(StepThrough, _y, seed=np.array([1.0, 2.0])), TypeError, "seed must be a real number, got ndarray"),
    (Call(paths, 2.0, _y), TypeError, "x must be a Value, got float: 2.0"),
    (Call(paths, _x, "y"), TypeError, "root must be a Value, got str: 'y'"),
    (Call(paths, _x, _y, limit=0), ValueError, "limit must be >= 1, got 0"),
    (Call(paths, _x, _y, limit=2.5), TypeError, "limit must be an int, got float: 2.5"),
    (Call(paths, _x, _y, limit=True), TypeError, "limit must be an int, got bool"),
    (Call(Paths, _x, _y, limit=-1), ValueError, "limit must be >= 1, got -1"),
    (Call(Paths, None, _y), TypeError, "x must be a Value, got NoneType"),
    (Call(names, None), TypeError, "root must be a Value, got NoneType"),
    (Call(names, [_y]), TypeError, "root must be a Value, got list"),
    (Call(names, _y, order=5), TypeError,
     "order must be a list of Values (the graph's topological order), got int"),
    (Call(names, _y, order=["a"]), TypeError, "order[0] must be a Value, got str: 'a'"),
    (Call(local_formula, 1.0, 0), TypeError, "v must be a Value, got float: 1.0"),
    (Call(local_formula, _x, 0), ValueError,
     "v must be a Value an op made: Value(data=2.0, grad=0.0, label='x') is a leaf, with no inputs"),
    (Call(local_formula, _y, 1), ValueError, "i must be >= 0 and <= 0, got 1"),
    (Call(local_formula, _y, -1), ValueError, "i must be >= 0 and <= 0, got -1"),
    (Call(local_formula, _y, True), TypeError, "i must be an int, got bool"),
    (Call(local_formula, _y, None), TypeError, "i must be an int, got NoneType"),
    (Call(local_formula, _y, 0, display=5), TypeError,
     "display must be a dict of Value -> name (as names() gives)"),
    (Call(local_formula, _y, 0, display={}), ValueError, "display has no name for Value(data=0.99"),
    (Call(local_formula, _y, 0, display={_y: 1, _y.inputs[0]: "z"}), TypeError, "must be a str, got int: 1"),
    (Call(_step.to_dot, rankdir="RL"), ValueError, "rankdir must be one of 'LR', 'TB', 'auto'; got 'RL'"),
    (Call(_step.to_dot, title="yes"), TypeError, "title must be True or False, got str: 'yes'"),
    (Call(_step.draw, rankdir=None), TypeError, "rankdir must be one of 'LR', 'TB', 'auto'; got NoneType"),
    (Call(_paths.to_dot, rankdir="XX"), ValueError, "rankdir must be one of 'LR', 'TB', 'auto'; got 'XX'"),
    (Call(_paths.to_dot, title=1), TypeError, "title must be True or False, got int: 1"),
    (Call(_paths.draw, title=None), TypeError, "title must be True or False, got NoneType"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_numpy_numbers_are_accepted():
    # d tanh(3x)/dx = 3 (1 - tanh²(3x)): a seed of 2 doubles every gradient
    assert steps(_y, seed=np.float64(2.0)).grads[_x] == 2 * steps(_y).grads[_x]
    assert steps(_y, seed=np.int64(2)).grads[_x] == steps(_y, seed=2.0).grads[_x]
    assert paths(_x, _y, limit=np.int64(1)).n_paths == 1
    assert local_formula(_y, np.int64(0)) == local_formula(_y, 0)


def test_sweep_of_wrong_values_finds_no_raw_error():
    assert sweep(steps, (_y,), {"seed": 1.0}, {0: "root", "seed": "seed"}) == []
    assert sweep(StepThrough, (_y,), {"seed": 1.0}, {0: "root", "seed": "seed"}) == []
    assert sweep(paths, (_x, _y), {"limit": 20}, {0: "x must", 1: "root", "limit": "limit"}) == []
    assert sweep(Paths, (_x, _y), {"limit": 20}, {0: "x must", 1: "root", "limit": "limit"}) == []
    assert sweep(names, (_y,), {"order": None}, {0: "root", "order": "order"}) == []
    names_of = {0: "v must", 1: "i must", "display": "display"}
    assert sweep(local_formula, (_y, 0), {"display": None}, names_of) == []
    for method in (_step.to_dot, _paths.to_dot, _step.draw, _paths.draw):
        options = {"rankdir": "LR", "title": True}
        assert sweep(method, (), options, {"rankdir": "rankdir", "title": "title"}) == []


def test_paths_show_in_jupyter_as_a_table_in_latex():
    x = Value(3.0, "x")
    y = x * x + x
    y.label = "y"
    md = paths(x, y)._repr_markdown_()
    assert md.startswith(r"$\frac{\mathrm{d}y}{\mathrm{d}x}$: 3 paths from $x$ to $y$")
    assert r"x \xrightarrow{\text{input 1}} v_{1} \to y" in md and r"x \xrightarrow{\text{input 2}} v_{1}" in md
    assert md.endswith(r"Sum over paths $= 7$; the backward pass gives $\frac{\mathrm{d}y}{\mathrm{d}x} = 7$.")


def test_a_long_title_wraps_so_the_drawing_fits_a_notebook():
    from autograd.explain import TITLE_WIDTH

    xs = [Value(float(i), f"a_rather_long_input_name_{i}") for i in range(6)]
    y = xs[0]
    for x in xs[1:]:
        y = y * x
    y.label = "product_of_all_the_inputs"
    dot = paths(xs[0], y).to_dot()
    title = dot.split('label="', 1)[1].split('"\n', 1)[0]
    assert all(len(line) <= TITLE_WIDTH for line in title.split("\\l")), title
    assert "1 path," in repr(paths(xs[0], y))
