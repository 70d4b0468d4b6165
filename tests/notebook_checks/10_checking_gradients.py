# Checks of notebooks/10_checking_gradients.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# The oracles: exact fractions for the finite differences of x³; the neuron's gradient by hand with `math`
# (E = ½(t - σ(z))², dE/dz = -(t - σ)σ(1 - σ)); PyTorch float64 when it is installed.
import math as _math
from fractions import Fraction as _F

from autograd.exercises import check_gradient as _check_gradient

# x³ at 2 with h = 1/10, exactly: forward 3x² + 3xh + h² = 12.61, central 3x² + h² = 12.01
_x, _h = _F(2), _F(1, 10)
_fwd = ((_x + _h) ** 3 - _x**3) / _h
_cen = ((_x + _h) ** 3 - (_x - _h) ** 3) / (2 * _h)
assert _fwd - 12 == 6 * _h + _h * _h == _F(61, 100) and _cen - 12 == _h * _h == _F(1, 100)
assert abs(forward - float(_fwd)) < 1e-12 and abs(central - float(_cen)) < 1e-12, "the printed 12.61, 12.01"

# The table: where truncation dominates (h >= 1e-4), each error is the exact one, 6h + h² and h²
for _k, (_ef, _ec) in enumerate(zip(errors_forward, errors_central), start=1):
    _hk = _F(1, 10**_k)
    if _k <= 4:
        assert _math.isclose(_ef, float(6 * _hk + _hk * _hk), rel_tol=1e-6), (_k, _ef)
        assert _math.isclose(_ec, float(_hk * _hk), rel_tol=1e-3), (_k, _ec)
# The best steps balance truncation and rounding: √ε ≈ 1.5e-8 forward, ∛ε ≈ 6e-6 central (ε = 2.2e-16)
assert 1e-9 <= best_forward <= 1e-7 and 1e-6 <= best_central <= 1e-4, (best_forward, best_central)
assert (best_forward, best_central) == (1e-8, 1e-5), "the printed best steps"
assert abs(numerical_grad(f, [2.0], 0) - 12) < 1e-8, "numerical_grad, h = 1e-6"

# The neuron at `point`, by hand
_w1, _w2, _b, _x1, _x2, _t = point
_s = 1 / (1 + _math.exp(-(_w1 * _x1 + _w2 * _x2 + _b)))
_dz = -(_t - _s) * _s * (1 - _s)  # dE/dz
_by_hand = [_dz * _x1, _dz * _x2, _dz, _dz * _w1, _dz * _w2, _t - _s]  # w1, w2, b, x1, x2, t
_neuron = [Value(v) for v in point]
_loss = E(*_neuron)
_loss.backward()
assert all(abs(v.grad - g_) < 1e-15 for v, g_ in zip(_neuron, _by_hand)), "the six gradients"
assert abs(_loss.data - 0.5 * (_t - _s) ** 2) < 1e-16 and loss.data == _loss.data

# The cut graph: the engine sees one path (3), the truth is 2x = 6; relu at its kink: (h - 0)/2h = 1/2
assert cut(Value(3.0)).data == 9.0
try:
    gradcheck(cut, 3.0)
    raise AssertionError("gradcheck should fail on the cut graph")
except GradcheckError as _e:
    assert "analytic gradient 3.0" in str(_e) and "numeric 6.00000000" in str(_e), _e
assert abs(numerical_grad(lambda v: v.relu(), [0.0], 0) - 0.5) < 1e-12

# Your turn: the solution's central difference agrees with dE/dw1 by hand; the slip's forward difference
# with h = 0.1 does not; exercise 2: g = w x², dg/dx = 2wx = 6 (the buggy one gives w·x = 3)
assert abs((E_plus - E_minus) / 2e-5 - _by_hand[0]) < 1e-9, "the central difference, h = 1e-5"
assert _check_gradient(w1, loss, (E_plus - E_minus) / 2e-5).correct
_slip = (E(Value(_w1 + 0.1), *point[1:]).data - loss.data) / 0.1
assert abs(_slip - _by_hand[0]) > 1e-3 and not _check_gradient(w1, loss, _slip).correct
assert (w.data, x.data) == (1.5, 2.0) and _check_gradient(x, g, 2 * 1.5 * 2.0).correct
assert not _check_gradient(x, g, 1.5 * 2.0).correct, "the buggy 3 is not dg/dx"

# PyTorch float64, when installed: the same loss and gradients, bit for bit; 0 ulp at the four points
if torch is not None:
    _tt = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    _lt = E(*_tt)
    _lt.backward()
    assert _lt.item() == _loss.data and all(v.grad == tv.grad.item() for v, tv in zip(_neuron, _tt))
    assert worst == 0, "at the points tried, exactly equal"
    for _a, _bb in pairs:
        _xv, _yv = Value(_a), Value(_bb)
        k(_xv, _yv).backward()
        _xt, _yt = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (_a, _bb))
        k(_xt, _yt).backward()
        assert (_xv.grad, _yv.grad) == (_xt.grad.item(), _yt.grad.item()), (_a, _bb)
