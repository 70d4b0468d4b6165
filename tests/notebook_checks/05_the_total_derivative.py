"""Checks of notebook 5 (the total derivative), run in its kernel after its last cell.

Oracles: the 2-2-2 network written out again with `math.exp` and differentiated by central finite
differences (in h1, h2 and w1), PyTorch float64 when installed; exact arithmetic (fractions) for the small
graphs, whose derivatives the prose works out by hand.
"""

import math
from fractions import Fraction

WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
X, T = (0.05, 0.10), (0.01, 0.99)
assert W == WEIGHTS and list(inputs) == list(X) and list(targets) == list(T), "the brief's numbers"


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def _hidden(ws):
    return (_sigmoid(ws["w1"] * X[0] + ws["w2"] * X[1]), _sigmoid(ws["w3"] * X[0] + ws["w4"] * X[1]))


def _error(ws, hs):
    o1_ = _sigmoid(ws["w5"] * hs[0] + ws["w6"] * hs[1])
    o2_ = _sigmoid(ws["w7"] * hs[0] + ws["w8"] * hs[1])
    return 0.5 * (T[0] - o1_) ** 2 + 0.5 * (T[1] - o2_) ** 2


H = _hidden(WEIGHTS)
EPS = 1e-6  # central differences: error O(eps²), rounding ~1e-10


def _d_hidden(j):
    up, down = list(H), list(H)
    up[j] += EPS
    down[j] -= EPS
    return (_error(WEIGHTS, up) - _error(WEIGHTS, down)) / (2 * EPS)


def _d_weight(name):
    up, down = dict(WEIGHTS), dict(WEIGHTS)
    up[name] += EPS
    down[name] -= EPS
    return (_error(up, _hidden(up)) - _error(down, _hidden(down))) / (2 * EPS)


dE_dh1, dE_dh2 = _d_hidden(0), _d_hidden(1)
assert abs(h1.data - H[0]) < 1e-15 and abs(E.data - _error(WEIGHTS, H)) < 1e-15
# dE/dh1: backward(), the sum of the two paths, the nudge (quoted: 0.0151)
assert abs(h1.grad - dE_dh1) < 1e-9, (h1.grad, dE_dh1)
assert from_h1.n_paths == 2 and math.isclose(sum(q.product for q in from_h1), h1.grad, rel_tol=1e-12)
assert math.isclose(through_o1 + through_o2, h1.grad, rel_tol=1e-12)
assert abs(nudged - dE_dh1) < 1e-9 and f"{dE_dh1:.4f}" == "0.0151"
# "the two paths pull in opposite directions": path 1 positive, path 2 negative, each alone far from the sum
assert through_o1 > 0 > through_o2 and abs(through_o1 - dE_dh1) > 0.01 and abs(through_o2 - dE_dh1) > 0.01
# each path's product is w·o(1 - o)·(o - t), as the prose writes it
o_1, o_2 = _sigmoid(0.40 * H[0] + 0.45 * H[1]), _sigmoid(0.50 * H[0] + 0.55 * H[1])
assert math.isclose(through_o1, 0.40 * o_1 * (1 - o_1) * (o_1 - 0.01), rel_tol=1e-12)
assert math.isclose(through_o2, 0.50 * o_2 * (1 - o_2) * (o_2 - 0.99), rel_tol=1e-12)
# dE/dh2 (exercise 2) and its one-path slip
assert abs(h2.grad - dE_dh2) < 1e-9
# w1: two paths, their sum factored, and backward()
assert from_w1.n_paths == 2
assert abs(w["w1"].grad - _d_weight("w1")) < 1e-10
assert math.isclose(sum(q.product for q in from_w1), w["w1"].grad, rel_tol=1e-12)
assert math.isclose(factored, w["w1"].grad, rel_tol=1e-12)
assert abs(w["w2"].grad - _d_weight("w2")) < 1e-10  # exercise 3

# f = x³ + x² at x = 2: df/dx = 3x² + 2x = 16, five paths 4 + 4 + 4 + 2 + 2 (the prose's numbers), df/du = 1 + x
xq = Fraction(2)
assert x.data == 2 and x.grad == 3 * xq**2 + 2 * xq == 16
assert sorted(q.product for q in from_x) == [2, 2, 4, 4, 4]
assert u.grad == 1 + xq == 3
# b = a + a, c = b + b: = keeps one path of four (1); recursion counts b's first path again: 1·2 + 2·2 = 6
assert with_equals == 1 and recursive == 2 * 1 + 2 * 2 == 6
# a⁴ at a = 2 after zero_grad and one backward: 4a³ = 32
assert a.grad == 4 * Fraction(2) ** 3 == 32

# PyTorch float64, when installed: dE/dh1, dE/dh2 and dE/dw1 of the same network
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    from tests.notebook_oracles import torch_2_2_2

    tw, th1, th2 = torch_2_2_2(WEIGHTS, X, T)
    assert math.isclose(h1.grad, th1.grad.item(), rel_tol=1e-12)
    assert math.isclose(h2.grad, th2.grad.item(), rel_tol=1e-12)
    assert math.isclose(w["w1"].grad, tw["w1"].grad.item(), rel_tol=1e-12)
