"""autograd.exercises: each planted mistake in a learner's working is named (the link, the path, the slip).

Every expected number is worked out by hand in the test (σ(z) = 1/(1 + e^-z) with math.exp, the delta
rule for the 2-2-2 network), never read from the engine.
"""

import math

import pytest

from autograd import Value
from autograd.exercises import Feedback, check_chain, check_gradient, check_local, check_update
from nn import MLP

from .graphs import sigmoid_neuron as neuron
from .probe import Call, ids, np, refused, sweep


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


# By hand for the neuron: ∂a/∂z = a(1 - a) = ¼, dE/da = -(t - a) = -½, ∂z/∂wx = 1, ∂wx/∂w = x = 1.5.
DA_DZ, DE_DA, DWX_DW = 0.25, -0.5, 1.5
DE_DW = DE_DA * DA_DZ * 1.0 * DWX_DW  # -0.1875
RIGHT_CHAIN = {"dE/da": DE_DA, "da/dz": DA_DZ, "dz/dwx": 1.0, "dwx/dw": DWX_DW}


class Net:
    """The 2-2-2 sigmoid network of notebook 4 (no biases), weights w1..w8 set by hand, its nodes named."""

    X, T = (0.05, 0.10), (0.01, 0.99)
    W = (0.15, 0.20, 0.25, 0.30, 0.40, 0.45, 0.50, 0.55)

    def __init__(self):
        model = MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid", bias=False, seed=0)
        weights = [n.w[i] for layer in model.layers for n in layer.neurons for i in range(2)]
        self.w = {}
        for k, (v, data) in enumerate(zip(weights, self.W, strict=True)):
            v.data, v.label = data, f"w{k + 1}"
            self.w[v.label] = v
        hidden, output = model.layers
        self.h = hidden([Value(self.X[0], "x1"), Value(self.X[1], "x2")])
        self.o = output(self.h)
        for j in range(2):
            self.h[j].label, self.h[j].inputs[0].label = f"h{j + 1}", f"net_h{j + 1}"
            self.o[j].label, self.o[j].inputs[0].label = f"o{j + 1}", f"net_o{j + 1}"
        e1 = self.T[0] - self.o[0]
        e1.label = "e1"
        e2 = self.T[1] - self.o[1]
        e2.label = "e2"
        self.E = 0.5 * (e1**2 + e2**2)
        self.E.label = "E"
        # By hand: the forward pass and the delta rule.
        (x1, x2), (t1, t2), (w1, w2, w3, w4, w5, w6, w7, w8) = self.X, self.T, self.W
        self.h1, self.h2 = sigmoid(w1 * x1 + w2 * x2), sigmoid(w3 * x1 + w4 * x2)
        self.o1, self.o2 = sigmoid(w5 * self.h1 + w6 * self.h2), sigmoid(w7 * self.h1 + w8 * self.h2)
        self.delta_o1 = (self.o1 - t1) * self.o1 * (1 - self.o1)
        self.delta_o2 = (self.o2 - t2) * self.o2 * (1 - self.o2)
        self.via_o1 = self.delta_o1 * w5 * self.h1 * (1 - self.h1) * x1  # the two paths from w1 to E
        self.via_o2 = self.delta_o2 * w7 * self.h1 * (1 - self.h1) * x1
        self.dE_dw1 = self.via_o1 + self.via_o2
        self.dE_dw5 = self.delta_o1 * self.h1


def grads_of(root):
    from autograd import topological_order

    return [v.grad for v in topological_order(root)]


# ---------------------------------------------------------------------------------------------------
# check_local


def test_a_right_local_derivative_is_accepted_with_its_formula():
    v = neuron()
    fb = check_local(v["a"], v["z"], DA_DZ)
    assert (fb.correct, fb.kind, fb.expected, fb.wrong_link) == (True, "right", 0.25, None)
    assert str(fb) == fb.message == "✓ Right: ∂a/∂z = (1 - a) * a = 0.25."
    assert check_local(v["wx"], "w", 1.5).correct  # the input by name; ∂(w·x)/∂w = x


def test_a_wrong_local_derivative_is_named_with_what_it_should_be():
    v = neuron()
    fb = check_local(v["a"], v["z"], 0.5)  # σ(z) instead of σ'(z)
    assert (fb.correct, fb.kind) == (False, "wrong")
    assert fb.wrong_link.name == "∂a/∂z" and fb.wrong_link.value == DA_DZ and fb.wrong_link.given == 0.5
    assert "it is (1 - a) * a = 0.25, with a = 0.5" in fb.message


def test_a_formula_that_is_a_number_is_not_written_twice():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    s = x + y
    s.label = "s"
    assert check_local(s, x, 2.0).message == "✗ Not yet: you wrote ∂s/∂x = 2; it is 1."


def test_a_local_derivative_with_the_wrong_sign_is_a_sign_slip():
    v = neuron()
    fb = check_local(v["d"], v["a"], 1.0)  # d = t - a: ∂d/∂a = -1
    assert (fb.correct, fb.kind, fb.expected) == (False, "sign", -1.0)
    assert fb.message.startswith("✗ Sign slip")


def test_an_input_used_twice_counts_both_uses():
    x = Value(3.0, "x")
    u = x * x
    u.label = "u"
    assert check_local(u, x, 2 * 3.0).correct  # ∂(x·x)/∂x = x + x
    fb = check_local(u, x, 3.0)
    assert (fb.correct, fb.kind) == (False, "one_use")
    assert "x is both inputs of u = x * x" in fb.message


def test_a_rounded_local_derivative_is_right_and_says_so():
    net = Net()
    exact = net.o1 * (1 - net.o1)
    fb = check_local(net.o[0], "net_o1", round(exact, 4))
    assert (fb.correct, fb.kind) == (True, "rounded")
    assert fb.message.startswith(
        "✓ Right to the 4 significant digits you gave: ∂o1/∂net_o1 = (1 - o1) * o1 = "
    )
    assert "(you wrote 0.2387)" in fb.message
    assert not check_local(net.o[0], "net_o1", round(exact, 1)).correct  # 0.2: one digit tells too little
    assert not check_local(net.o[0], "net_o1", round(exact, 4) + 0.001).correct


def test_the_tolerance_is_configurable():
    v = neuron()
    assert not check_local(v["a"], v["z"], 0.2501).correct
    assert check_local(v["a"], v["z"], 0.2501, rel_tol=1e-3).correct
    assert check_local(v["a"], v["z"], 0.2501, abs_tol=1e-3).correct


# ---------------------------------------------------------------------------------------------------
# check_chain


def test_a_right_chain_is_accepted_in_any_of_its_written_forms():
    v = neuron()
    for links in (
        RIGHT_CHAIN,
        dict(reversed(RIGHT_CHAIN.items())),  # any order
        {"∂E/∂a": DE_DA, "∂a/∂z": DA_DZ, "∂z/∂wx": 1.0, "∂wx/∂w": DWX_DW},
        [("dwx/dw", DWX_DW), ("dz/dwx", 1), ("da/dz", DA_DZ), ("dE/da", DE_DA)],
        {(v["E"], v["a"]): DE_DA, ("a", "z"): DA_DZ, (v["z"], "wx"): 1.0, ("wx", v["w"]): DWX_DW},
        {"dE/da": DE_DA, "da/dz": DA_DZ, "dz/dw": DWX_DW},  # dz/dw across two ops: x
    ):
        fb = check_chain(v["E"], links)
        assert (fb.correct, fb.kind, fb.wrong_link, fb.expected) == (True, "right", None, DE_DW), links
    assert [lk.name for lk in check_chain(v["E"], RIGHT_CHAIN).links] == [
        "dE/da",
        "∂a/∂z",
        "∂z/∂wx",
        "∂wx/∂w",
    ]


def test_planted_wrong_local_derivative_is_the_link_named():
    v = neuron()
    fb = check_chain(v["E"], {**RIGHT_CHAIN, "da/dz": 0.5})  # σ(z) written for σ'(z)
    assert (fb.correct, fb.kind) == (False, "wrong_link")
    assert (fb.wrong_link.top, fb.wrong_link.bottom) == (v["a"], v["z"])
    assert (fb.wrong_link.name, fb.wrong_link.value, fb.wrong_link.verdict) == ("∂a/∂z", DA_DZ, "wrong")
    assert fb.message.splitlines()[0] == "✗ The link ∂a/∂z is wrong: you wrote 0.5; it is (1 - a) * a = 0.25."
    assert "With it, the product is -0.5 · 0.25 · 1 · 1.5 = -0.1875 = dE/dw." in fb.message
    assert [lk.verdict for lk in fb.links] == ["right", "wrong", "right", "right"]


def test_planted_missing_inner_derivative_is_the_link_named():
    v = neuron()
    fb = check_chain(v["E"], {**RIGHT_CHAIN, "dwx/dw": 1.0})  # dŷ/dw without the x of ∂(w·x)/∂w
    assert (fb.wrong_link.top, fb.wrong_link.bottom, fb.wrong_link.value) == (v["wx"], v["w"], 1.5)
    assert "✗ ∂wx/∂w = x = 1.5, not 1" in fb.message
    fb = check_chain(v["E"], {"dE/da": DE_DA, "da/dz": DA_DZ, "dz/dw": 1.0})  # the same, across two ops
    assert (fb.wrong_link.name, fb.wrong_link.top, fb.wrong_link.bottom) == ("dz/dw", v["z"], v["w"])


def test_planted_sign_slip_is_the_link_named():
    # ŷ written 1/(1 + e^(w·x+b)): its derivative is -ŷ(1 - ŷ), the sign of σ' flipped
    v = neuron()
    fb = check_chain(v["E"], {**RIGHT_CHAIN, "da/dz": -DA_DZ})
    assert (fb.wrong_link.name, fb.wrong_link.verdict) == ("∂a/∂z", "sign")
    assert "(the sign is off)" in fb.message


def test_the_first_wrong_link_from_the_root_down_is_named_and_all_are_listed():
    v = neuron()
    fb = check_chain(v["E"], {**RIGHT_CHAIN, "dwx/dw": 2.0, "dE/da": 0.5})
    assert fb.wrong_link.name == "dE/da"
    assert [lk.name for lk in fb.links if lk.verdict != "right"] == ["dE/da", "∂wx/∂w"]
    assert fb.message.startswith("✗ The links dE/da and ∂wx/∂w are wrong.")


def test_planted_forgotten_path_through_a_hidden_unit_is_the_path_named():
    net = Net()
    h1 = net.h1 * (1 - net.h1)
    # w1 → h1 → o1 → E, every link right; but h1 also feeds o2
    links = {"dE/do1": net.o1 - net.T[0], "do1/dnet_o1": net.o1 * (1 - net.o1), "dnet_o1/dh1": net.W[4],
             "dh1/dnet_h1": h1, "dnet_h1/dw1": net.X[0]}  # fmt: skip
    fb = check_chain(net.E, links)
    assert (fb.correct, fb.kind, fb.wrong_link) == (False, "forgotten_paths", None)
    assert all(lk.verdict == "right" for lk in fb.links)
    assert fb.answer == pytest.approx(net.via_o1, rel=1e-12) and fb.expected == pytest.approx(
        net.dE_dw1, rel=1e-12
    )
    (left,) = fb.missing_paths
    assert net.o[1] in left.nodes and net.o[0] not in left.nodes  # the path through o2
    assert left.product == pytest.approx(net.via_o2, rel=1e-12)
    # the same mistake inside one link: dE/dh1 with δo1·w5 only, not δo1·w5 + δo2·w7
    fb = check_chain(net.E, {"dE/dh1": net.delta_o1 * net.W[4], "dh1/dnet_h1": h1, "dnet_h1/dw1": net.X[0]})
    assert (fb.wrong_link.name, fb.wrong_link.verdict) == ("dE/dh1", "forgotten_paths")
    assert fb.wrong_link.value == pytest.approx(net.delta_o1 * net.W[4] + net.delta_o2 * net.W[6], rel=1e-12)


def test_planted_forgotten_path_of_a_value_used_twice_is_the_path_named():
    x = Value(3.0, "x")
    u = x * x
    u.label = "u"
    y = u + x
    y.label = "y"
    fb = check_chain(y, {"dy/du": 1.0, "du/dx": 6.0})  # dy/dx = 2x + 1: the direct path x → y left out
    assert fb.kind == "forgotten_paths" and fb.expected == 7.0 and fb.answer == 6.0
    assert [p.nodes for p in fb.missing_paths] == [(x, y)]
    assert fb.message.splitlines()[-1] == "  left out: x → y, contributing 1."


def test_a_rounded_chain_is_right_and_says_so():
    net = Net()
    links = {"dE/do1": round(net.o1 - net.T[0], 4), "do1/dnet_o1": round(net.o1 * (1 - net.o1), 4),
             "dnet_o1/dw5": round(net.h1, 4)}  # fmt: skip
    fb = check_chain(net.E, links)
    assert (fb.correct, fb.kind) == (True, "rounded")
    assert fb.expected == pytest.approx(net.dE_dw5, rel=1e-12)
    assert fb.message.startswith("✓ Right to the digits you gave")
    assert not check_chain(net.E, {**links, "dnet_o1/dw5": round(net.h1, 4) + 0.01}).correct


def test_check_chain_never_changes_a_grad():
    v = neuron()
    v["E"].backward()
    before = grads_of(v["E"])
    check_chain(v["E"], {**RIGHT_CHAIN, "da/dz": 0.5})
    check_gradient(v["w"], v["E"], 1.0)
    check_local(v["a"], v["z"], 1.0)
    assert grads_of(v["E"]) == before


# ---------------------------------------------------------------------------------------------------
# check_gradient


def yhat(w=0.5, x=1.5, b=0.25):
    """ŷ = σ(w·x + b): z = 1."""
    wv, xv, bv = Value(w, "w"), Value(x, "x"), Value(b, "b")
    wx = wv * xv
    wx.label = "wx"
    z = wx + bv
    z.label = "z"
    y = z.sigmoid()
    y.label = "ŷ"
    return wv, xv, wx, y


def test_a_right_gradient_is_accepted_and_a_rounded_one_says_so():
    w, x, _, y = yhat()
    s = sigmoid(1.0)
    right = s * (1 - s) * 1.5
    assert check_gradient(w, y, right).kind == "right"
    fb = check_gradient(w, y, round(right, 4))
    assert (fb.correct, fb.kind) == (True, "rounded")
    assert "Right to the 4 significant digits you gave: dŷ/dw = " in fb.message
    assert check_gradient(x, y, s * (1 - s) * 0.5).correct  # dŷ/dx = σ'(z) w


def test_planted_sign_slip_in_a_gradient():
    # ŷ written 1/(1 + e^(w·x+b)): d/dw = -e^z/(1 + e^z)² · x, the negative of σ'(z) x
    w, _, _, y = yhat()
    learner = -math.exp(1.0) / (1 + math.exp(1.0)) ** 2 * 1.5
    fb = check_gradient(w, y, learner)
    assert (fb.correct, fb.kind) == (False, "sign")
    assert fb.message.startswith("✗ Sign slip: your ")


def test_planted_missing_inner_derivative_names_the_link():
    w, _, wx, y = yhat()
    s = sigmoid(1.0)
    fb = check_gradient(w, y, s * (1 - s))  # σ'(z), the x of ∂(w·x)/∂w forgotten
    assert (fb.correct, fb.kind) == (False, "missing_link")
    assert (fb.wrong_link.top, fb.wrong_link.bottom, fb.wrong_link.value) == (wx, w, 1.5)
    assert "without ∂wx/∂w = x = 1.5 (wx = w * x)" in fb.message


def test_a_link_counted_twice_names_the_link():
    v = neuron()
    fb = check_gradient(v["w"], v["E"], DE_DW * DA_DZ)  # σ' multiplied in twice
    assert fb.kind == "extra_link"
    assert (fb.wrong_link.top, fb.wrong_link.bottom) == (v["a"], v["z"])


def test_a_chain_that_stops_early_names_the_part_left_out():
    v = neuron()
    fb = check_gradient(v["w"], v["E"], DE_DA)  # dE/da, and no further
    assert fb.kind == "stopped_early"
    assert (fb.wrong_link.top, fb.wrong_link.bottom) == (v["a"], v["w"])
    assert fb.wrong_link.value == DA_DZ * DWX_DW


def test_planted_forgotten_path_in_a_gradient_names_the_path():
    x = Value(3.0, "x")
    u = x * x
    y = u + x
    y.label = "y"
    fb = check_gradient(x, y, 2 * 3.0)  # d(x·x)/dx only: the path x → y left out
    assert (fb.correct, fb.kind) == (False, "forgotten_paths")
    assert [p.nodes for p in fb.missing_paths] == [(x, y)]
    fb = check_gradient(x, y, 3.0)  # one path's product
    assert fb.kind == "one_path" and len(fb.missing_paths) == 2


def test_planted_forgotten_path_of_the_hidden_unit_in_a_gradient_names_the_path():
    net = Net()
    fb = check_gradient(net.w["w1"], net.E, net.via_o1)  # δh1 without the δo2·w7 term
    assert (fb.correct, fb.kind) == (False, "one_path")
    (left,) = fb.missing_paths
    assert net.o[1] in left.nodes and left.product == pytest.approx(net.via_o2, rel=1e-12)
    assert "(the total derivative)" in fb.message
    assert check_gradient(net.w["w1"], net.E, net.dE_dw1).correct
    assert check_gradient(net.w["w5"], net.E, net.dE_dw5).correct


def test_an_unexplained_wrong_gradient_shows_the_sum_over_paths():
    v = neuron()
    fb = check_gradient(v["w"], v["E"], 0.3)
    assert (fb.correct, fb.kind) == (False, "wrong")
    assert "sum over paths = -0.1875" in fb.message and "autograd.explain.steps(root)" in fb.message


def test_an_unexplained_wrong_gradient_over_many_paths_points_to_the_path_listing():
    model = MLP(3, [4, 4, 1], seed=0)
    out = model([0.1, 0.2, 0.3])
    L = out * out  # a first-layer weight reaches L along 4 · 2 = 8 paths
    fb = check_gradient(model.parameters()[0], L, 12.5)
    assert fb.kind == "wrong"
    assert "autograd.explain.paths(x, root) lists them" in fb.message and len(fb.message.splitlines()) == 2


def test_a_value_the_root_does_not_depend_on_has_gradient_zero():
    v = neuron()
    other = Value(1.0, "u")
    assert check_gradient(other, v["E"], 0).correct
    fb = check_gradient(other, v["E"], 1.0)
    assert not fb.correct and "E does not depend on u" in fb.message


# ---------------------------------------------------------------------------------------------------
# check_update


def test_updates_right_rounded_and_the_usual_slips():
    w = Value(0.4, "w5")
    w.grad = 0.08
    lr = 0.5
    new = 0.4 - 0.5 * 0.08  # 0.36
    assert check_update(w, lr, new).kind == "right"
    assert check_update(w, lr, 0.35, grad=0.1).kind == "right"  # the gradient given overrides w.grad
    assert check_update(w, lr, 0.3589, grad=0.082167).kind == "rounded"  # 0.3589165 to 4 digits
    for answer, kind in (
        (0.44, "uphill"),
        (0.32, "missing_lr"),
        (0.04, "step"),
        (-0.04, "step"),
        (0.37, "wrong"),
    ):
        fb = check_update(w, lr, answer)
        assert (fb.correct, fb.kind, fb.expected) == (False, kind, pytest.approx(new, rel=1e-15)), answer
        assert "w5 - lr · grad = 0.4 - 0.5 · 0.08 = 0.36" in fb.message


# ---------------------------------------------------------------------------------------------------
# What the learner sees: text and Jupyter's rich display


def test_feedback_prints_its_message_and_shows_as_markdown_with_latex():
    v = neuron()
    fb = check_chain(v["E"], {**RIGHT_CHAIN, "da/dz": 0.5})
    assert isinstance(fb, Feedback) and str(fb) == fb.message
    assert repr(fb).startswith("<Feedback (wrong_link): ✗ The link ∂a/∂z is wrong")
    md = fb._repr_markdown_()
    assert r"$\partial a/\partial z$" in md and r"\left(1 - a\right) \cdot a" in md
    assert "∂" not in "".join(md.split("$")[1::2])  # the LaTeX writes \partial
    assert "\n- " in md  # the links as a list
    wrong = check_gradient(v["w"], v["E"], 0.3)._repr_markdown_()
    assert "```text" in wrong  # the path sums as they print


def test_formulas_become_latex():
    x = Value(0.5, "x")
    for y, tex in (
        (x.tanh(), r"1 - L \cdot L"),
        (x**3, r"3 \cdot x^{2}"),
        (x.log(), r"\frac{1}{x}"),
        (x.exp().sin(), r"\cos\left(v_{1}\right)"),
        (x.relu(), r"0 \text{ if } L \le 0 \text{, else } 1"),
    ):
        fb = check_local(y, y.inputs[0], 123.0)
        assert tex in fb._repr_markdown_(), (tex, fb._repr_markdown_())


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name (tests/probe.py)

_v = neuron()
_w1a, _w1b, _w1c = Value(0.5, "w1"), Value(-0.5, "w1"), Value(2.0, "w1")
_mlp_out = (_w1a * _w1b + _w1c).tanh()  # three Values labelled w1: a name that does not say which
BAD_ARGUMENTS = [
    (Call(check_local, 1.0, "z", 0.25), TypeError, "node must be a Value, got float"),
    (Call(check_local, _v["w"], "z", 0.25), ValueError, "node must be a Value an op made"),
    (Call(check_local, _v["a"], "zz", 0.25), ValueError, "input: no Value named 'zz' in the graph of node a"),
    (Call(check_local, _v["a"], _v["w"], 0.25), ValueError, "input must be an input of node (a = sigmoid(z)"),
    (Call(check_local, _v["a"], Value(1.0), 0.25), ValueError, "input: Value(data=1.0"),
    (Call(check_local, _v["a"], 3, 0.25), TypeError, "input must be a Value or a name (str), got int"),
    (Call(check_local, _v["a"], "z", math.nan), ValueError, "answer must be a finite number, got nan"),
    (Call(check_local, _v["a"], "z", "0.25"), TypeError, "answer must be a real number, got str"),
    (Call(check_local, _v["a"], "z", 0.25, rel_tol=-1), ValueError, "rel_tol must be >= 0"),
    (Call(check_chain, "E", RIGHT_CHAIN), TypeError, "root must be a Value, got str"),
    (Call(check_chain, _v["E"], {}), ValueError, "links must hold at least one link"),
    (Call(check_chain, _v["E"], 5), TypeError, "links must be a dict of 'dtop/dbottom' -> number"),
    (Call(check_chain, _v["E"], [("dE/da", 1, 2)]), TypeError, "links[0] must be a pair"),
    (Call(check_chain, _v["E"], {3: 1.0}), TypeError, "each link must be written 'dtop/dbottom'"),
    (Call(check_chain, _v["E"], {"E/a": 1.0}), ValueError, "'E/a' is not a derivative written 'dtop/"),
    (Call(check_chain, _v["E"], {"dE/dnet": 1.0}), ValueError, "no Value named 'net' in the graph of root E"),
    (Call(check_chain, _v["E"], {**RIGHT_CHAIN, "da/dz": math.nan}), ValueError,
     "links['da/dz'] must be a finite number, got nan"),
    (Call(check_chain, _v["E"], {"da/dz": 0.25, "dz/dw": 1.5}), ValueError,
     "links must form one path up to E, but none is dE/d..."),
    (Call(check_chain, _v["E"], {"dE/da": -0.5, "dz/dw": 1.5}), ValueError,
     "from E the chain goes down to a, and dz/dw does not join it"),
    (Call(check_chain, _v["E"], {"dE/da": -0.5, "dE/dq": 0.5}), ValueError, "two links go down from E"),
    (Call(check_chain, _v["E"], {"dE/dz": 1.0, "dz/dwx": 1.0, "dwx/db": 1.0}), ValueError,
     "wx does not depend on b"),
    (Call(check_chain, _v["E"], {"dE/dE": 1.0}), ValueError, "a link joins two different Values"),
    (Call(check_chain, _v["E"], {("E", 1): 1.0}), TypeError, "must be a Value or a name (str), got int"),
    (Call(check_chain, _mlp_out, {"dL/dw1": 1.0}), ValueError, "'w1' is the label of 3 Values"),
    (Call(check_gradient, None, _v["E"], 1.0), TypeError, "x must be a Value, got NoneType"),
    (Call(check_gradient, _v["w"], 1.0, 1.0), TypeError, "root must be a Value, got float"),
    (Call(check_gradient, _v["w"], _v["E"], math.inf), ValueError, "answer must be a finite number"),
    (Call(check_gradient, _v["w"], _v["E"], 1.0, abs_tol=None), TypeError, "abs_tol must be a real number"),
    (Call(check_update, 0.4, 0.1, 0.3), TypeError, "w must be a Value, got float"),
    (Call(check_update, _v["w"], "0.1", 0.3), TypeError, "lr must be a real number, got str"),
    (Call(check_update, _v["w"], 0.1, 0.3, grad=math.nan), ValueError, "grad must be a finite number"),
    (Call(check_update, _v["w"], 0.1, True), TypeError, "answer must be a real number, got bool"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_a_grad_that_is_not_a_number_is_refused_by_name():
    w = Value(1.0, "w")
    w.grad = math.nan
    with pytest.raises(ValueError, match="w.grad must be a finite number"):
        check_update(w, 0.1, 1.0)


def test_numpy_numbers_are_accepted():
    v = neuron()
    assert check_local(v["a"], v["z"], np.float64(0.25)).correct
    assert check_chain(v["E"], {k: np.float64(n) for k, n in RIGHT_CHAIN.items()}).correct
    assert check_gradient(v["w"], v["E"], np.float64(DE_DW), rel_tol=np.float64(1e-9)).correct
    assert check_update(v["w"], np.float64(0.5), np.float64(2.0), grad=np.int64(0)).correct


def test_sweep_of_wrong_values_finds_no_raw_error():
    v = neuron()
    a, z, E, w = v["a"], v["z"], v["E"], v["w"]
    tols = {"rel_tol": "rel_tol", "abs_tol": "abs_tol"}
    options = {"rel_tol": 1e-6, "abs_tol": 1e-12}
    assert sweep(check_local, (a, z, 0.25), options, {0: "node", 1: "input", 2: "answer", **tols}) == []
    assert sweep(check_chain, (E, RIGHT_CHAIN), options, {0: "root", 1: "links", **tols}) == []
    assert sweep(check_gradient, (w, E, DE_DW), options, {0: "x", 1: "root", 2: "answer", **tols}) == []
    names = {0: "w", 1: "lr", 2: "answer", "grad": "grad", **tols}
    assert sweep(check_update, (w, 0.1, 2.0), {**options, "grad": 0.0}, names) == []


# ---------------------------------------------------------------------------------------------------
# A "your turn" cell before the learner fills it in: `...` where the number goes


def test_an_unanswered_local_derivative_asks_for_it_and_tells_nothing():
    n = neuron()
    fb = check_local(n["a"], "z", ...)
    assert not fb.correct and fb.kind == "unanswered" and math.isnan(fb.answer)
    assert fb.expected == DA_DZ and "∂a/∂z" in fb.message and "0.25" not in fb.message


def test_an_unanswered_chain_names_the_links_still_to_fill_in():
    n = neuron()
    fb = check_chain(n["E"], {"dE/da": ..., "da/dz": DA_DZ, "dz/dwx": 1.0, "dwx/dw": ...})
    assert fb.kind == "unanswered" and not fb.correct
    assert "dE/da" in fb.message and "∂wx/∂w" in fb.message and "a/∂z" not in fb.message
    assert fb.expected == DE_DW  # the chain is still checked to be one path: a wrong path still raises
    with pytest.raises(ValueError, match="one path"):
        check_chain(n["E"], {"dE/da": ..., "dz/dwx": ...})


def test_an_unanswered_gradient_and_update_ask_for_them():
    n = neuron()
    fb = check_gradient(n["w"], n["E"], ...)
    assert fb.kind == "unanswered" and "dE/dw" in fb.message and str(DE_DW) not in fb.message
    fb = check_update(n["w"], 0.1, ..., grad=DE_DW)
    assert fb.kind == "unanswered" and fb.expected == 2.0 - 0.1 * DE_DW and "w" in fb.message
    assert "Your turn" in fb._repr_markdown_()


def test_a_right_answer_an_ulp_off_is_shown_with_the_usual_digits():
    x = Value(2.0, "x")
    a = x / 9.0 * 1.0
    a.label = "a"
    fb = check_gradient(x, a, 1 / 9 + 1e-17)  # 1/9 to rounding: right, and shown as 0.111111
    assert fb.correct and "0.111111" in fb.message and "0.1111111111" not in fb.message


def test_an_answer_is_shown_as_typed_and_an_update_without_needless_digits():
    w = Value(0.5, "w")
    fb = check_update(w, 0.1, 0.2, grad=3.0)  # 0.5 - 0.1 · 3 = 0.19999999999999996: right, shown plainly
    assert fb.correct and "0.1 · 3 = 0.2" in fb.message, fb.message
    fb = check_update(w, 0.1, 30.0, grad=3.0)
    assert "30" in fb.message and "3e+01" not in fb.message, fb.message


def test_a_repeated_input_with_a_negative_rule_reads_as_a_difference():
    from nn import cross_entropy

    z = [Value(0.5, "z0"), Value(2.0, "z1"), Value(-1.0, "z2")]
    loss = cross_entropy(z, 0)  # z0 is an input twice: in the logsumexp (+p0) and subtracted (-1)
    loss.label = "L"
    fb = check_local(loss, "z0", 0.17529)  # one use only: p0
    assert fb.kind == "one_use" and "exp(z0 - z0 - L) - 1" in fb.message and "+ -1" not in fb.message
    assert r"\right) - 1" in fb._repr_markdown_()
