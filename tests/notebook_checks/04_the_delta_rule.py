"""Checks of notebook 4 (the delta rule on the 2-2-2 network), run in its kernel after its last cell.

Oracle: the network's forward pass written out again with `math.exp`, its gradients by central finite
differences of that function (and by PyTorch float64 when it is installed), the update by its formula.
"""

import math

import nn.diagram

WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
X, T, ETA = (0.05, 0.10), (0.01, 0.99), 0.5
assert W == WEIGHTS and list(x) == list(X) and list(t) == list(T) and eta == ETA, "the brief's numbers"


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def _forward(ws):
    h1_ = _sigmoid(ws["w1"] * X[0] + ws["w2"] * X[1])
    h2_ = _sigmoid(ws["w3"] * X[0] + ws["w4"] * X[1])
    o1_ = _sigmoid(ws["w5"] * h1_ + ws["w6"] * h2_)
    o2_ = _sigmoid(ws["w7"] * h1_ + ws["w8"] * h2_)
    return h1_, h2_, o1_, o2_, 0.5 * (T[0] - o1_) ** 2 + 0.5 * (T[1] - o2_) ** 2


def _fd(name, eps=1e-6):
    up, down = dict(WEIGHTS), dict(WEIGHTS)
    up[name] += eps
    down[name] -= eps
    return (_forward(up)[4] - _forward(down)[4]) / (2 * eps)


H1, H2, O1, O2, E0 = _forward(WEIGHTS)
# the forward pass as printed (and quoted: E = 0.2425)
assert abs(E_old - E0) < 1e-15, (E_old, E0)
assert f"{E0:.4f}" == "0.2425"
# the w5 chain as displayed, and the numbers the step-through prose quotes (0.5965, 0.2387, 0.1424)
assert abs(dE_do1 - (O1 - T[0])) < 1e-15 and f"{O1 - T[0]:.4f}" == "0.5965"
assert abs(do1_dnet - O1 * (1 - O1)) < 1e-15 and f"{O1 * (1 - O1):.4f}" == "0.2387"
assert abs(dnet_dw5 - H1) < 1e-15
assert f"{(O1 - T[0]) * O1 * (1 - O1):.4f}" == "0.1424"
# all eight gradients: by hand, by backward(), and by finite differences (error O(eps²) ≈ 1e-12, rounding ~1e-10)
for name in WEIGHTS:
    fd = _fd(name)
    assert abs(gradients[name] - fd) < 1e-9, (name, gradients[name], fd)
    assert math.isclose(by_hand[name], gradients[name], rel_tol=1e-12), name
# the deltas by their definition dE/dnet, by finite differences in net (a shift of net_o1 by ε is a shift of
# w5 by ε/h1 with w6 fixed, so δo1 = dE/dw5 / h1; the same for the others)
assert abs(delta_o1 - _fd("w5") / H1) < 1e-8 and abs(delta_o2 - _fd("w7") / H1) < 1e-8
assert abs(delta_h1 - _fd("w1") / X[0]) < 1e-8 and abs(delta_h2 - _fd("w3") / X[0]) < 1e-8
# "about a hundred times smaller": the output gradients over the hidden ones
ratio = min(abs(_fd(n)) for n in ("w5", "w6", "w7", "w8")) / max(
    abs(_fd(n)) for n in ("w1", "w2", "w3", "w4")
)
assert 50 < ratio < 200, ratio
# the update: w - η dE/dw, and the error after it (quoted: 0.2355), lower than before
new = {name: WEIGHTS[name] - ETA * _fd(name) for name in WEIGHTS}
E1_oracle = _forward(new)[4]
assert abs(E_new - E1_oracle) < 1e-10, (E_new, E1_oracle)
assert E_new < E_old and f"{E1_oracle:.4f}" == "0.2355"

# PyTorch float64, when installed: the same eight gradients
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    from tests.notebook_oracles import torch_2_2_2

    tw, _, _ = torch_2_2_2(WEIGHTS, X, T)
    for name in WEIGHTS:
        assert math.isclose(gradients[name], tw[name].grad.item(), rel_tol=1e-12), name

# The step numbers the prose names (the view's counter shows frame index + 1)
_view = nn.diagram.step_through(network(WEIGHTS), list(X), list(T), loss=error, lr=ETA)
_titles = {i + 1: f["title"] for i, f in enumerate(_view.frames)}
assert [i for i, f in enumerate(_view.frames, 1) if f["phase"] == "forward"] == list(range(2, 17))
assert [i for i, f in enumerate(_view.frames, 1) if f["phase"] == "backward"] == list(range(17, 33))
assert [i for i, f in enumerate(_view.frames, 1) if f["phase"] == "update"] == list(range(33, 41))
assert _titles[26] == "backward: o1 = sigmoid(net_o1)", _titles[26]
assert _titles[27] == "backward: net_o2 = w7*h1 + w8*h2", _titles[27]
assert _titles[28] == "backward: net_o1 = w5*h1 + w6*h2", _titles[28]
assert _titles[30] == "backward: h1 = sigmoid(net_h1)", _titles[30]
