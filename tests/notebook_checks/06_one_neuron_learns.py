"""Checks of notebook 6 (one sigmoid neuron learns), run in its kernel after its last cell.

Oracles: exact fractions at w = b = 0 (where every ŷ is ½), the neuron written out again with `math.exp`
and differentiated by central finite differences, gradient descent rerun with that float code, and
PyTorch float64 when installed.
"""

import math
from fractions import Fraction

from autograd import Value

XS, YS = [-2.0, -1.0, 1.0, 2.0], [0.1, 0.2, 0.8, 0.9]
assert X == XS and Y == YS and N == 4


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def _cost(wv, bv):
    return sum((_sigmoid(wv * xv + bv) - yv) ** 2 for xv, yv in zip(XS, YS)) / (2 * len(XS))


def _fd(f, v, eps=1e-6):  # central differences: error O(eps²), rounding ~1e-10
    return (f(v + eps) - f(v - eps)) / (2 * eps)


# At w = b = 0, exactly: ŷ = ½, σ' = ¼; C = 0.0625, dC/dw = -0.1375, dC/db = 0 (the prose's numbers)
ys = [Fraction(str(v)) for v in YS]
C0 = sum((Fraction(1, 2) - y_) ** 2 for y_ in ys) / 8
dw0 = Fraction(1, 16) * sum((Fraction(1, 2) - y_) * Fraction(xv) for xv, y_ in zip(XS, ys)) / 1
db0 = Fraction(1, 16) * sum(Fraction(1, 2) - y_ for y_ in ys)
assert C0 == Fraction(1, 16) and dw0 == Fraction(-11, 80) and db0 == 0  # 0.0625, -0.1375, 0
assert sum((Fraction(1, 2) - y_) * Fraction(xv) for xv, y_ in zip(XS, ys)) == Fraction(-22, 10)  # the -2.2
w0, b0 = Value(0.0), Value(0.0)
c0 = half_mse([(w0 * xv + b0).sigmoid() for xv in XS], YS)
c0.backward()
assert abs(c0.data - float(C0)) < 1e-15 and abs(w0.grad - float(dw0)) < 1e-15 and abs(b0.grad) < 1e-15

# At w = 0.7, b = -0.3: the by-hand formula and backward() (printed) against finite differences
assert abs(by_hand_w - _fd(lambda v: _cost(v, -0.3), 0.7)) < 1e-9
assert abs(by_hand_b - _fd(lambda v: _cost(0.7, v), -0.3)) < 1e-9

# Slip 1: the op without the x gives exactly half the derivative at x = 2 (gradcheck's two numbers);
# slip 2: the textbook rule on the mirrored formula gives its negative
one = lambda v: 0.5 * (_sigmoid(2.0 * v - 0.3) - 0.9) ** 2
mirror = lambda v: 0.5 * (1.0 / (1.0 + math.exp(2.0 * v - 0.3)) - 0.9) ** 2
for op, oracle, ratio in [(slipped, one, 0.5), (fixed, one, 1.0), (mirrored, mirror, -1.0)]:
    wv = Value(0.7)
    cost_one(wv, op).backward()
    assert math.isclose(wv.grad, ratio * _fd(oracle, 0.7), rel_tol=1e-8), (op, wv.grad)
assert uphill[1] > uphill[0] and downhill[1] < downhill[0], "the wrong sign climbs, the right one descends"


# Gradient descent, rerun in floats with the formula dC/dw = 1/N Σ (ŷ - y) ŷ (1 - ŷ) x
def _descend(lr, steps=50):
    wv, bv, costs_ = 0.0, 0.0, []
    for _ in range(steps):
        ps = [_sigmoid(wv * xv + bv) for xv in XS]
        costs_.append(_cost(wv, bv))
        gw = sum((p_ - yv) * p_ * (1 - p_) * xv for p_, yv, xv in zip(ps, YS, XS)) / len(XS)
        gb = sum((p_ - yv) * p_ * (1 - p_) for p_, yv in zip(ps, YS)) / len(XS)
        wv, bv = wv - lr * gw, bv - lr * gb
    return costs_, wv, bv


for lr in (1.0, 10.0, 100.0):
    ref_costs, ref_w, _ = _descend(lr)
    got_costs, got_w, got_b = runs[lr]
    assert all(abs(a_ - b_) < 1e-12 for a_, b_ in zip(got_costs, ref_costs)) and abs(got_w - ref_w) < 1e-9, lr
    assert abs(got_b) < 1e-12, "b stays 0 up to rounding"
# the first step by hand: w = 0 - 10 · (-0.1375) = 1.375
assert abs(_descend(10.0, steps=1)[1] - 1.375) < 1e-15 and abs(train(10.0, steps=1)[1] - 1.375) < 1e-15
# the best w (b = 0) by a fine grid: ≈ 1.26, with C ≈ 0.00027
best = min((_cost(k / 10000, 0.0), k / 10000) for k in range(10000, 15000))
assert f"{best[1]:.2f}" == "1.26" and f"{best[0]:.5f}" == "0.00027", best
# η = 1 too small: still going down after 50 steps, w ≈ 1.13; η = 10: w ≈ 1.26, C ≈ 0.00027
c1, w1_, _ = _descend(1.0)
assert c1[-1] < c1[-2] and f"{w1_:.2f}" == "1.13" and c1[-1] > 1.5 * best[0]
c10, w10_, _ = _descend(10.0)
assert f"{w10_:.2f}" == "1.26" and f"{c10[-1]:.5f}" == "0.00027"
# η = 100: the first step lands at w = 13.75 (1.375 · 10) and the cost stays at 0.0125 = (0.1² + 0.2² + 0.2² + 0.1²)/8
c100, w100_, _ = _descend(100.0)
assert f"{_descend(100.0, steps=1)[1]:.2f}" == "13.75" and abs(train(100.0, steps=1)[1] - 13.75) < 1e-12
assert sum((Fraction(round(yv)) - Fraction(str(yv))) ** 2 for yv in YS) / 8 == Fraction(125, 10000)
assert abs(c100[-1] - 0.0125) < 5e-7 and abs(c100[-1] - c100[5]) < 1e-6, "saturated: the cost does not move"

# PyTorch float64, when installed: dC/dw and dC/db at w = 0.7, b = -0.3
try:
    import torch
except ImportError:
    torch = None
if torch is not None:
    tw = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(-0.3, dtype=torch.float64, requires_grad=True)
    tx, ty = torch.tensor(XS, dtype=torch.float64), torch.tensor(YS, dtype=torch.float64)
    (((torch.sigmoid(tw * tx + tb) - ty) ** 2).sum() / (2 * len(XS))).backward()
    assert math.isclose(by_hand_w, tw.grad.item(), rel_tol=1e-12)
    assert math.isclose(by_hand_b, tb.grad.item(), rel_tol=1e-12)
