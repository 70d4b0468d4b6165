# Checks of notebooks/11_two_classes_to_ten.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# The oracles: `math` by hand (the sigmoid, the softmax, the logsumexp with the largest taken out), exact fractions
# where the numbers are rational, central finite differences of the losses written with `math`, PyTorch float64
# (F.cross_entropy) when it is installed; the digit network's outputs recomputed from its weights by hand (ReLU
# hidden layer, linear output) for every accuracy, loss, confusion count and probability the prose quotes.
import math as _math
import sys as _sys
from fractions import Fraction as _F

from autograd.exercises import check_chain as _check_chain
from autograd.exercises import check_gradient as _check_gradient
from autograd.exercises import check_local as _check_local
from nn import MLP as _MLP

try:
    import torch as _torch
except ImportError:
    _torch = None

_EPS = 1e-6


def _sig(x):
    return 1 / (1 + _math.exp(-x))


def _central(f, x, h=_EPS):
    return (f(x + h) - f(x - h)) / (2 * h)


def _se(zv):  # ½ (σ(z) - 1)², target 1
    return 0.5 * (_sig(zv) - 1) ** 2


def _ce(zv):  # -log σ(z) = log(1 + e^-z), target 1
    return _math.log1p(_math.exp(-zv))


def _lse(xs):
    m = max(xs)
    return m + _math.log(sum(_math.exp(x - m) for x in xs))


def _softmax(xs):
    m = _lse(xs)
    return [_math.exp(x - m) for x in xs]


# 1. Two classes at z = -10, y = 1: σ(-10) ≈ 0.0000454, dC/dz = (σ - 1)σ(1 - σ) for the squared error, σ - 1
_s = _sig(-10.0)
assert abs(s - _s) < 1e-18 and f"{_s:.6g}" == "4.53979e-05" and round(_s, 5) == 0.00005, (
    "σ(-10), 'about 0.00005'"
)
assert abs(C_se - _se(-10.0)) < 1e-15 and abs(C_ce - _ce(-10.0)) < 1e-12, (C_se, C_ce)
assert abs(grad_se - (_s - 1) * _s * (1 - _s)) < 1e-18 and abs(grad_se - _central(_se, -10.0)) < 1e-9
assert abs(grad_ce - (_s - 1)) < 1e-15 and abs(grad_ce - _central(_ce, -10.0)) < 1e-8
assert round(grad_se, 7) == -0.0000454 and round(_s * (1 - _s), 7) == 0.0000454, "'about -0.0000454'"
assert round(grad_ce) == -1 and 21500 < grad_ce / grad_se < 22500, "'twenty-two thousand times larger'"
# the table, and the curves: every loss and gradient against the formulas
for _z in (-10.0, -5.0, -2.0, 0.0, 2.0, 5.0):
    _c1, _g1 = loss_and_gradient(squared_error_of, _z, 1.0)
    _c2, _g2 = loss_and_gradient(cross_entropy_of, _z, 1.0)
    assert abs(_c1 - _se(_z)) < 1e-12 and abs(_g1 - _central(_se, _z)) < 1e-8, (_z, _g1)
    assert abs(_c2 - _ce(_z)) < 1e-9 and abs(_g2 - _central(_ce, _z)) < 1e-8, (_z, _g2)
for _z, (_c1, _g1), (_c2, _g2) in zip(zs, curves["squared error"], curves["cross-entropy"]):
    _sz = _sig(_z)
    assert abs(_g1 - (_sz - 1) * _sz * (1 - _sz)) < 1e-12 and abs(_g2 - (_sz - 1)) < 1e-12, _z
    assert _c1 < 0.5, "the squared error is never more than ½"
# the dip: (σ - 1)σ(1 - σ) = -σ(1 - σ)² is smallest where (1 - σ)(3σ - 1) = 0: σ = 1/3, z = log ½, value -4/27
_third = _F(1, 3)
assert (_third - 1) * _third * (1 - _third) == _F(-4, 27) and round(4 / 27, 2) == 0.15
assert round(_math.log(0.5), 2) == -0.69
_zmin, (_, _gmin) = min(zip(zs, curves["squared error"]), key=lambda t: t[1][1])
assert abs(_zmin - _math.log(0.5)) < 0.06 and abs(_gmin + 4 / 27) < 1e-3 and _gmin >= -4 / 27 - 1e-12

# 50 steps of gradient descent on z, η = 1, by hand
_zse, _zce, _crossed = -10.0, -10.0, None
for _k in range(1, 51):
    _zse -= (_sig(_zse) - 1) * _sig(_zse) * (1 - _sig(_zse))
    _zce -= _sig(_zce) - 1
    if _crossed is None and _sig(_zce) > 0.5:
        _crossed = _k
assert abs(z_value - _zce) < 1e-9, "the last loop's z is the cross-entropy's"
assert f"{_zse:8.4f}" == " -9.9977" and f"{_sig(_zse):.4f}" == "0.0000", _zse
assert f"{_zce:8.4f}" == "  3.6437" and f"{_sig(_zce):.4f}" == "0.9745", _zce
assert _crossed == 11, "'passes σ = 0.5 after 11 steps'"

# 2. The softmax of (2, 1, -1): e^z / Σ e^z; +100 changes nothing; softmax(-10, 0)[0] = σ(-10)
_p = [_math.exp(x) / sum(_math.exp(y) for y in (2.0, 1.0, -1.0)) for x in (2.0, 1.0, -1.0)]
assert all(abs(a - b) < 1e-15 for a, b in zip(by_hand, _p))
assert all(abs(q.data - b) < 1e-15 for q, b in zip(shifted, _p)), "softmax(z + 100)"
assert round(100 * _p[0]) == 71 and round(100 * _p[2], 1) == 3.5, "'71%', '3.5%'"
assert abs(two[0].data - _s) < 1e-18, "the sigmoid is the softmax of (z, 0)"
# the largest float, about e^709.8; e^1000 overflows; logsumexp(z + 998) = 998 + logsumexp(z)
assert f"{_sys.float_info.max:.1e}" == "1.8e+308" and round(_math.log(_sys.float_info.max), 1) == 709.8
try:
    _math.exp(1000.0)
    raise AssertionError("e^1000 should overflow")
except OverflowError:
    pass
assert [v.data for v in big] == [x + 998 for x in (2.0, 1.0, -1.0)]
_lse_big = 998 + _math.log(sum(_math.exp(x) for x in (2.0, 1.0, -1.0)))  # no overflow on the small logits
assert abs(logsumexp(big).data - _lse_big) < 1e-9 and abs(lse_by_hand - _lse_big) < 1e-9
assert all(abs(q.data - b) < 1e-12 for q, b in zip(softmax(big), _p)), "softmax(big) = softmax(z)"

# 3. L = logsumexp(z) - z_c for z = (2, 1, -1), c = 1: the one-node L1 and its gradient softmax - onehot
_z3, _c3 = [2.0, 1.0, -1.0], 1


def _L3(xs):
    return _lse(xs) - xs[_c3]


assert abs(L1.data - _L3(_z3)) < 1e-15 and abs(L1.data + _math.log(_p[1])) < 1e-15, "L = -log p_1 = 1.349012"
assert f"{L1.data:.6f}" == "1.349012"
assert L1.op.name == "cross_entropy" and len(L1.inputs) == 4 and L1.inputs[1] is L1.inputs[3], "z1 twice"
_grads = [v.grad for v in L1.inputs[:3]]
for _i in range(3):
    _fd = _central(lambda t, i=_i: _L3([t if k == i else x for k, x in enumerate(_z3)]), _z3[_i])
    assert abs(_grads[_i] - (_p[_i] - (_i == _c3))) < 1e-15 and abs(_grads[_i] - _fd) < 1e-9, (_i, _fd)
assert [f"{g:+.6f}" for g in _grads] == ["+0.705385", "-0.740504", "+0.035119"]
assert abs(sum(_grads)) < 1e-15, "the gradients add up to 0 up to rounding"
_two_node = logsumexp([Value(x) for x in _z3])  # the two-node graph of part 3 gives the same L
assert abs((_two_node - Value(_z3[_c3])).data - L1.data) < 1e-15
if _torch is not None:
    _t = _torch.tensor([_z3], dtype=_torch.float64, requires_grad=True)
    _lt = _torch.nn.functional.cross_entropy(_t, _torch.tensor([_c3]))
    _lt.backward()
    assert abs(_lt.item() - L1.data) < 1e-15 and all(
        abs(a - b) < 1e-15 for a, b in zip(_t.grad[0].tolist(), _grads)
    )

# 4. The digits: sizes, the untrained network, the trained one, recomputed from the weights by hand
assert (len(X_train), len(X_test), len(X_train[0])) == (1437, 360, 64) and 1437 + 360 == 1797
assert round(len(X_test) / 1797, 2) == 0.2


def _weights(net):
    hid, out = net.layers
    return ([[w.data for w in n.w] for n in hid.neurons], [n.b.data for n in hid.neurons],
            [[w.data for w in n.w] for n in out.neurons], [n.b.data for n in out.neurons])  # fmt: skip


def _forward(W, px):  # the hidden values (ReLU) and the ten logits (linear)
    W1, b1, W2, b2 = W
    hs = [max(0.0, sum(w * x for w, x in zip(row, px)) + b) for row, b in zip(W1, b1)]
    return hs, [sum(w * h_ for w, h_ in zip(row, hs)) + b for row, b in zip(W2, b2)]


def _argmax(xs):
    return max(range(len(xs)), key=xs.__getitem__)


_W0 = _weights(_MLP(64, [32, 10], seed=0))
assert sum(len(r) + 1 for r in _W0[0]) + sum(len(r) + 1 for r in _W0[2]) == 2410 == len(model.parameters())
_logits0 = [_forward(_W0, x)[1] for x in X_train]
_loss0 = sum(_lse(o_) - o_[t] for o_, t in zip(_logits0, y_train)) / len(y_train)
_acc0 = sum(_argmax(o_) == t for o_, t in zip(_logits0, y_train)) / len(y_train)
_sure0 = sum(max(_softmax(o_)) for o_ in _logits0) / len(_logits0)
assert abs(loss_before - _loss0) < 1e-9 and abs(accuracy_before - _acc0) < 1e-15
assert (
    round(_loss0, 2) == 7.27
    and f"{_acc0:.1%}" == "10.8%"
    and round(_sure0, 2) == 0.78
    and round(_math.log(10), 2) == 2.30
)

_W = _weights(model)
_train = [_forward(_W, x)[1] for x in X_train]
_test = [_forward(_W, x)[1] for x in X_test]
_said_train, _said_test = [_argmax(o_) for o_ in _train], [_argmax(o_) for o_ in _test]
_right_train = sum(d == t for d, t in zip(_said_train, y_train))
_right_test = sum(d == t for d, t in zip(_said_test, y_test))
assert (_right_train, _right_test) == (right_train, right_test) == (1429, 352), (_right_train, _right_test)
assert f"{_right_test / 360:.1%}" == "97.8%" and f"{_right_train / 1437:.1%}" == "99.4%"
assert _said_test == said_test and _said_train == said_train
_loss_train = sum(_lse(o_) - o_[t] for o_, t in zip(_train, y_train)) / len(y_train)
_loss_test = sum(_lse(o_) - o_[t] for o_, t in zip(_test, y_test)) / len(y_test)
assert abs(loss_train - _loss_train) < 1e-9 and abs(loss_test - _loss_test) < 1e-9
assert (
    round(_loss_train, 3) == 0.033 and round(_loss_test, 3) == 0.100 and 2.8 < _loss_test / _loss_train < 3.2
)
assert abs(history.val_loss[-1] - _loss_test) < 1e-9, (
    "the last test point of the history is the final weights'"
)

# The confusion counts: 8 mistakes, five say 8 (9 → 8 twice, 3 → 8 twice, 4 → 8); 8 → 1, 7 → 9, 3 → 5
_pairs = {}
for _t, _d in zip(y_test, _said_test):
    if _t != _d:
        _pairs[_t, _d] = _pairs.get((_t, _d), 0) + 1
assert _pairs == {(9, 8): 2, (3, 8): 2, (4, 8): 1, (8, 1): 1, (7, 9): 1, (3, 5): 1}, _pairs
assert sorted(((n, t, d) for (t, d), n in _pairs.items()), reverse=True) == mistakes
assert sum(n for (t, d), n in _pairs.items() if d == 8) == 5 == said_8
_wrong = [i_ for i_, (d, t) in enumerate(zip(_said_test, y_test)) if d != t]
assert _wrong == wrong and _wrong[0] == 90 and (y_test[90], _said_test[90]) == (4, 8), (
    "the first mistake: a 4 read as 8"
)
_probs = {i_: _softmax(_test[i_]) for i_ in _wrong}
_eight_as_one = next(i_ for i_ in _wrong if (y_test[i_], _said_test[i_]) == (8, 1))
assert round(_probs[_eight_as_one][8], 2) == 0.30, "the 8 read as 1 still gives 8 0.30"
_three_as_five = next(i_ for i_ in _wrong if (y_test[i_], _said_test[i_]) == (3, 5))
assert round(_probs[_three_as_five][5], 3) == 0.994 and round(_probs[_three_as_five][3], 3) == 0.004

# The whole backward on image 90: dL/do_k = p_k - [k = 4]; 8 gets +0.51, 4 gets -0.87, then 9 and 1, the rest < 0.03
_h90, _o90 = _forward(_W, X_test[90])
_p90 = _softmax(_o90)
assert all(abs(v.grad - (_p90[k_] - (k_ == 4))) < 1e-12 for k_, v in enumerate(o)), "softmax - onehot"
assert abs(L_img.data - (_lse(_o90) - _o90[4])) < 1e-12
assert round(_p90[8], 2) == 0.51 and round(_p90[4] - 1, 2) == -0.87
_order = sorted(range(10), key=lambda k_: -_p90[k_])
assert _order[:4] == [8, 9, 1, 4] and all(_p90[k_] < 0.03 for k_ in _order[4:]), _order
assert (o[0].label, o[8].label, o[9].label) == ("o1", "o9", "o10"), "o1 is digit 0's logit"

# Your turn: z = (0.5, 2, -1), c = 0
_zy = [0.5, 2.0, -1.0]
_py = _softmax(_zy)


def _Ly(xs):
    return _lse(xs) - xs[0]


assert abs(lse.data - _lse(_zy)) < 1e-15 and abs(L.data - _Ly(_zy)) < 1e-15
assert _check_local(lse, "z0", _py[0]).correct and round(_py[0], 5) == 0.17529, "exercise 1: p_0"
_fd2 = _central(lambda t: _Ly([_zy[0], _zy[1], t]), _zy[2])
assert abs(_py[2] - _fd2) < 1e-9 and _check_gradient(z[2], L, _fd2).correct, "exercise 2: dL/dz2 = p_2"
_fd0 = _central(lambda t: _Ly([t, _zy[1], _zy[2]]), _zy[0])
assert abs(_py[0] - 1 - _fd0) < 1e-9 and _check_local(L, "z0", _fd0).correct, "exercise 3: p_0 - 1"
_slip = _check_local(L, "z0", _py[0])
assert not _slip.correct and _slip.kind == "one_use", "forgetting the one-hot: one use of z0 counted"
if _torch is not None:
    _t = _torch.tensor([_zy], dtype=_torch.float64, requires_grad=True)
    _torch.nn.functional.cross_entropy(_t, _torch.tensor([0])).backward()
    assert abs(_t.grad[0][0].item() - (_py[0] - 1)) < 1e-15 and abs(_t.grad[0][2].item() - _py[2]) < 1e-15

# Exercise 4: dL/dw for the weight from the most active hidden unit to o9 (digit 8), by a central difference
_j = _argmax(_h90)
assert (k, j) == (8, _j) and w is model.layers[1].neurons[8].w[_j] and w.label == f"w_o9_h{_j + 1}"


def _L_w(t):  # image 90's loss with that one weight set to t (the hidden values do not depend on it)
    logits = list(_o90)
    logits[8] += (t - w.data) * _h90[_j]
    return _lse(logits) - logits[4]


_fdw = _central(_L_w, w.data)
assert abs(_p90[8] * _h90[_j] - _fdw) < 1e-8, (_p90[8] * _h90[_j], _fdw)
_ok = _check_chain(L_img, {f"dL/d{logit}": _p90[8], f"d{logit}/d{weight}": _h90[_j]})
assert _ok.correct and abs(_ok.expected - _fdw) < 1e-8
