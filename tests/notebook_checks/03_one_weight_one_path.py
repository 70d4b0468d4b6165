# Checks of notebooks/03_one_weight_one_path.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# Oracles: exact rational arithmetic (fractions.Fraction) for net_k = Σ w_jk a_j and its partial derivatives,
# central finite differences of the sum and of the neuron's error written with math.exp.
import math as _m
from fractions import Fraction as _F

from autograd import OPS as _OPS
from autograd.exercises import check_gradient as _check_gradient
from autograd.exercises import check_local as _check_local
from autograd.explain import paths as _paths

_a = [_F(1, 5), _F(9, 10), _F(1, 2)]
_w = [_F(2, 5), _F(-3, 5), _F(3, 10)]
assert [v.data for v in inputs] == [float(x) for x in _a] and [v.data for v in weights] == [float(x) for x in _w]
_net = sum(w * a for w, a in zip(_w, _a, strict=True))
assert _net == _F(-31, 100) and abs(net_k.data - float(_net)) < 1e-15


def _net_of(ws):
    return sum(w * float(a) for w, a in zip(ws, _a, strict=True))


# ∂net_k/∂w_jk = a_j, exactly: net_k is linear in each weight (the nudge of w_2k by h moves term 2 by a_2·h only)
_h = _F(1, 1000)
for _j in range(3):
    _nudged = [w + (_h if k == _j else 0) for k, w in enumerate(_w)]
    _terms = [(nw * a - w * a) / _h for nw, w, a in zip(_nudged, _w, _a, strict=True)]
    assert _terms == [(_a[_j] if k == _j else 0) for k in range(3)], _terms
    assert weights[_j].grad == float(_a[_j]), "backward() gives a_j in w_jk.grad"
    assert _paths(inputs[_j], net_k).grad == float(_w[_j]), "the other way round: dnet_k/da_j = w_jk"
    _fd = (_net_of([float(w) + (1e-6 if k == _j else 0) for k, w in enumerate(_w)])
           - _net_of([float(w) - (1e-6 if k == _j else 0) for k, w in enumerate(_w)])) / 2e-6  # fmt: skip
    assert abs(_fd - float(_a[_j])) < 1e-9
assert float(_a[1]) == 0.9, "prose: term 2 moves by a_2 = 0.9 times h"

# One path from each weight; the one from w_2k goes through t_2 and s, with local derivatives a_2, 1, 1
assert one_path.n_paths == 1 and one_path.complete
assert list(one_path[0].names) == ["w_2k", "t_2", "s", "net_k"] and list(one_path[0].locals) == [0.9, 1.0, 1.0]
assert one_path[0].product == 0.9 == one_path.grad
for _j, _t in ((0, t_1), (2, t_3)):
    _p = _paths(weights[_j], net_k)
    assert _p.n_paths == 1 and _t in _p[0].nodes and t_2 not in _p[0].nodes

# The op table: a product's rule is the other factor; dot's rule for w_j is x_j (and for x_j, w_j)
assert (_OPS["*"].formula(0), _OPS["*"].formula(1)) == ("b", "a")
assert [_OPS["dot"].formula(i, 6) for i in range(6)] == ["x1", "x2", "x3", "w1", "w2", "w3"]

# The neuron: net = -0.31 in one dot node, out = σ(net); E = ½(1 - out)², δ = (out - 1)·out(1 - out), dE/dw_j = δ a_j
assert net.op.name == "dot" and abs(net.data - float(_net)) < 1e-15
_o = 1 / (1 + _m.exp(-float(_net)))
assert abs(out.data - _o) < 1e-15
_E = 0.5 * (1 - _o) ** 2
_delta = (_o - 1) * _o * (1 - _o)
assert abs(E.data - _E) < 1e-15 and abs(delta - _delta) < 1e-15


def _E_of(ws):
    o = 1 / (1 + _m.exp(-_net_of(ws)))
    return 0.5 * (1 - o) ** 2


for _j in range(3):
    assert abs(neuron.w[_j].grad - _delta * float(_a[_j])) < 1e-15
    _up = [float(w) + (1e-6 if k == _j else 0) for k, w in enumerate(_w)]
    _down = [float(w) - (1e-6 if k == _j else 0) for k, w in enumerate(_w)]
    assert abs((_E_of(_up) - _E_of(_down)) / 2e-6 - _delta * float(_a[_j])) < 1e-9

# The exercises: ∂net/∂w3 = a_3; the two slips are wrong; ∂net/∂a_2 = w_2; dE/dw1 = δ a_1
assert _check_local(net, neuron.w[2], float(_a[2])).correct
assert not _check_local(net, neuron.w[1], float(sum(_a))).correct
assert not _check_local(net, neuron.w[1], float(_w[1])).correct
assert _check_local(net, "a_2", float(_w[1])).correct and x[1].label == "a_2"
assert _check_gradient(neuron.w[0], E, _delta * float(_a[0])).correct
