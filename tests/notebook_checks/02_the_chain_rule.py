# Checks of notebooks/02_the_chain_rule.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# Oracles: exact rational arithmetic (fractions.Fraction) where e^-x is rational (x = ln 3, ln 2), the
# sigmoid written with math.exp, and central finite differences of it.
import math as _m
from fractions import Fraction as _F

from autograd import topological_order as _topological_order
from autograd.exercises import check_chain as _check_chain
from autograd.exercises import check_gradient as _check_gradient
from autograd.exercises import check_local as _check_local


def _sigmoid(t):
    return 1 / (1 + _m.exp(-t))


def _fd(t, eps=1e-5):
    return (_sigmoid(t + eps) - _sigmoid(t - eps)) / (2 * eps)


# x = ln 3: u = e^-x = 1/3, g = 4/3, a = 3/4; links da/dg = -1/g², dg/dh = e^h, dh/dx = -1
_u = _F(1, 3)
_g = 1 + _u
_a = 1 / _g
_links = (-1 / _g**2, _u, _F(-1))
assert (_g, _a) == (_F(4, 3), _F(3, 4))
assert _links == (_F(-9, 16), _F(1, 3), -1), _links
_product = _links[0] * _links[1] * _links[2]
assert _product == _a * (1 - _a) == _F(3, 16), "the links multiply to a(1 - a) = 3/16"
for _mine, _exact in zip((da_dg, dg_dh, dh_dx), _links, strict=True):
    assert abs(_mine - _exact) < 1e-15, (_mine, _exact)
assert abs(by_hand - 3 / 16) < 1e-15 and abs(x1.grad - 3 / 16) < 1e-15, "by hand and the one-node sigmoid"
assert abs(x1.grad - _fd(_m.log(3))) < 1e-9, "finite differences of math's sigmoid"
assert abs(estimate - 3 / 16) < 1e-9, "the notebook's finite difference"

# The identity e^-x/(1 + e^-x)² = σ(1 - σ), exactly, for rational t = e^-x
for _t in (_F(1, 7), _F(1), _F(1, 3), _F(5, 2), _F(40)):
    _s = 1 / (1 + _t)
    assert _t / (1 + _t) ** 2 == _s * (1 - _s) == _s * (_t / (1 + _t))

# The table: four nodes and one node against the formula; differences are rounding
for _x0 in (-4.0, -2.0, -1.0, 0.0, 1.0, 2.0, 4.0):
    _formula = _m.exp(-_x0) / (1 + _m.exp(-_x0)) ** 2
    assert abs(four_nodes(_x0) - _formula) < 1e-15 and abs(one_node(_x0) - _formula) < 1e-15, _x0
    assert abs(_formula - _fd(_x0)) < 1e-9
assert worst < 1e-15

# The plot: the engine's σ and σ' on the grid; σ' largest at 0, where it is 1/4
for _x0, _s, _d in zip(xs, sig, dsig, strict=True):
    assert abs(_s - _sigmoid(_x0)) < 1e-15 and abs(_d - _fd(_x0)) < 1e-9, _x0
assert xs[top] == 0 and dsig[top] == 0.25
assert all(_d < 0.25 for _x0, _d in zip(xs, dsig, strict=True) if _x0 != 0)

# Saturation (prose: "about 4.5 × 10^-5, some 5,500 times smaller than at 0")
_d10 = _m.exp(-10) / (1 + _m.exp(-10)) ** 2
assert f"{_d10:.2g}" == "4.5e-05" and round(0.25 / _d10, -2) == 5500, (_d10, 0.25 / _d10)
assert abs(one_node(10.0) - _d10) < 1e-10 * _d10  # (1 - out) cancels: out = 0.99995 keeps ~11 digits

# The derivative's graph at ln 3: da/dx = 3/16, and its derivative σ'' = a(1 - a)(1 - 2a) = -3/32
assert _a * (1 - _a) * (1 - 2 * _a) == _F(-3, 32)
assert abs(da_dx.data - 3 / 16) < 1e-15
_x_ln3 = next(v for v in _topological_order(da_dx) if v.label == "x")
assert abs(_x_ln3.grad - (-3 / 32)) < 1e-15 and abs(second - (-3 / 32)) < 1e-15 and abs(by_paper + 3 / 32) < 1e-15
assert abs(second - (_fd(_m.log(3) + 1e-4) - _fd(_m.log(3) - 1e-4)) / 2e-4) < 1e-6

# The exercises. 1: σ'(2) = σ(2)(1 - σ(2)); 2: at x = ln 2, u = 1/2, g = 3/2, a = 2/3, links -4/9, 1/2, -1
assert _check_local(out, net, _sigmoid(2.0) * (1 - _sigmoid(2.0))).correct
_u2 = _F(1, 2)
_g2 = 1 + _u2
_a2 = 1 / _g2
_links2 = {"da/dg": -1 / _g2**2, "dg/dh": _u2, "dh/dx": _F(-1)}
assert _links2 == {"da/dg": _F(-4, 9), "dg/dh": _F(1, 2), "dh/dx": -1} and _a2 == _F(2, 3)
assert _check_chain(a, {k: float(v) for k, v in _links2.items()}).correct
# the slip: dh/dx = +1 gives -2/9 (prose), and the checker names the link, as a sign slip
assert _links2["da/dg"] * _links2["dg/dh"] * 1 == _F(-2, 9)
_slip = _check_chain(a, {"da/dg": -4 / 9, "dg/dh": 0.5, "dh/dx": 1.0})
assert _slip.kind == "wrong_link" and _slip.wrong_link.name == "∂h/∂x" and _slip.wrong_link.verdict == "sign"
# 3: a(1 - a) = 2/9 is da/dx
assert _a2 * (1 - _a2) == _F(2, 9) == _product * _F(32, 27)
assert _check_gradient(x, a, float(_F(2, 9))).correct
