# Checks of notebooks/07_training_an_mlp.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# The oracle: the 2-8-1 tanh network's forward pass and full-batch gradient descent written out by hand with
# `math` (the delta rule for C = 1/(2N) Σ (o - y)²), from the seeded starting weights; and central finite
# differences for the exercises' deltas.
import itertools as _itertools
import math as _math

from autograd.exercises import check_chain as _check_chain
from nn import MLP as _MLP

_net = _MLP(2, [8, 1], activation="tanh", output_activation="tanh", seed=1)  # the notebook's starting weights
_hid, _out = _net.layers
_W = [[n.w[0].data, n.w[1].data] for n in _hid.neurons]
_B = [n.b.data for n in _hid.neurons]
_V = [w_.data for w_ in _out.neurons[0].w]
_C = _out.neurons[0].b.data
assert len(model.parameters()) == len(_W) * 3 + len(_V) + 1 == 33, "33 parameters"


def _forward(W, B, V, C, p):
    hs = [_math.tanh(wj[0] * p[0] + wj[1] * p[1] + bj) for wj, bj in zip(W, B)]
    return hs, _math.tanh(sum(vj * hj for vj, hj in zip(V, hs)) + C)


def _right(W, B, V, C, points, targets):
    return sum((_forward(W, B, V, C, p)[1] > 0) == (yn > 0) for p, yn in zip(points, targets))


# The data and the untrained network
assert (len(X_train), len(X_test)) == (75, 25)
assert _right(_W, _B, _V, _C, X_train, y_train) == 59, "59 of 75 right before training"
_h0, _o0 = _forward(_W, _B, _V, _C, X_train[1])
assert [round(c, 3) for c in X_train[1]] == [0.846, 0.646] and y_train[1] == -1.0, "the point stepped through"
assert round(_o0, 3) == 0.254, "its output o = 0.254: the wrong side"

# 300 epochs of full-batch gradient descent, lr 0.8, by hand
_N, _lr = len(X_train), 0.8
_losses, _accs, _val_accs = [], [], []
W, B, V, C = [r[:] for r in _W], _B[:], _V[:], _C
for _epoch in range(300):
    gW, gB, gV, gC = [[0.0, 0.0] for _ in W], [0.0] * len(B), [0.0] * len(V), 0.0
    loss = 0.0
    for p, yn in zip(X_train, y_train):
        hs, o_ = _forward(W, B, V, C, p)
        loss += (o_ - yn) ** 2 / (2 * _N)
        d_o = (o_ - yn) / _N * (1 - o_ * o_)  # dC/dnet_o for this point
        gC += d_o
        for j, hj in enumerate(hs):
            gV[j] += d_o * hj
            d_h = d_o * V[j] * (1 - hj * hj)  # dC/dnet_hj
            gW[j][0] += d_h * p[0]
            gW[j][1] += d_h * p[1]
            gB[j] += d_h
    _losses.append(loss)
    _accs.append(_right(W, B, V, C, X_train, y_train) / _N)
    W = [[wj[0] - _lr * g[0], wj[1] - _lr * g[1]] for wj, g in zip(W, gW)]
    B = [bj - _lr * g for bj, g in zip(B, gB)]
    V = [vj - _lr * g for vj, g in zip(V, gV)]
    C = C - _lr * gC
    _val_accs.append(_right(W, B, V, C, X_test, y_test) / len(X_test))

assert history.epochs == 300
assert all(_math.isclose(a, b, rel_tol=1e-9) for a, b in zip(history.loss, _losses)), "the loss per epoch"
assert history.accuracy == _accs and history.val_accuracy == _val_accs, "accuracy per epoch"
_trained = [n.w[0].data for n in model.layers[0].neurons] + [n.b.data for n in model.layers[0].neurons]
_mine = [wj[0] for wj in W] + B
assert all(abs(a - b) < 1e-9 for a, b in zip(_trained, _mine)), "the trained weights"
assert all(abs(a.data - b) < 1e-9 for a, b in zip(model.layers[1].neurons[0].w, V))
assert all(b < a for a, b in _itertools.pairwise(_losses)), "the error falls at every epoch"
assert _right(W, B, V, C, X_train, y_train) == 74 and _right(W, B, V, C, X_test, y_test) == 25, "74/75, 25/25"
_wrong = [(p, yn) for p, yn in zip(X_train, y_train) if (_forward(W, B, V, C, p)[1] > 0) != (yn > 0)]
assert len(_wrong) == 1 and _wrong[0][1] == -1.0, "one point of the upper moon (y = -1) is left"
assert abs(_wrong[0][0][0] - 1.1) < 0.05 and abs(_wrong[0][0][1] + 0.14) < 0.01, _wrong
assert abs(_forward(W, B, V, C, _wrong[0][0])[1]) < 0.1, "it lies on the line"

# Your turn: the untrained network on X_train[1]. δ_o = (o - t)(1 - o²) against a central difference in net_o
_t = -1.0
_net_o = _math.atanh(_o0)
_eps = 1e-6


def _E_of_net_o(z):
    return 0.5 * (_t - _math.tanh(z)) ** 2


_delta_o = (_o0 - _t) * (1 - _o0 * _o0)
_fd = (_E_of_net_o(_net_o + _eps) - _E_of_net_o(_net_o - _eps)) / (2 * _eps)
assert abs(_delta_o - _fd) < 1e-8, (_delta_o, _fd)
assert abs(o.data - _o0) < 1e-15 and abs(h[2].data - _h0[2]) < 1e-15 and w.data == _V[2]


# δ_h3: nudge net_h3 by hand and recompute E
def _E_of_net_h3(z):
    hs = _h0[:2] + [_math.tanh(z)] + _h0[3:]
    return 0.5 * (_t - _math.tanh(sum(vj * hj for vj, hj in zip(_V, hs)) + _C)) ** 2


_net_h3 = _math.atanh(_h0[2])
_fd3 = (_E_of_net_h3(_net_h3 + _eps) - _E_of_net_h3(_net_h3 - _eps)) / (2 * _eps)
_delta_h3 = _delta_o * _V[2] * (1 - _h0[2] ** 2)
assert abs(_delta_h3 - _fd3) < 1e-8, (_delta_h3, _fd3)

# The solutions get ✓ and the slip (the sigmoid's o(1 - o)) is caught at the link ∂o1/∂net_o1
_ok = _check_chain(E, {"dE/do1": _o0 - _t, "do1/dnet_o1": 1 - _o0 * _o0})
assert _ok.correct and abs(_ok.expected - _fd) < 1e-8
_slip = _check_chain(E, {"dE/do1": _o0 - _t, "do1/dnet_o1": _o0 * (1 - _o0)})
assert _slip.kind == "wrong_link" and _slip.wrong_link is not None and _slip.wrong_link.name == "∂o1/∂net_o1"
_ok3 = _check_chain(E, {"dE/dnet_o1": _delta_o, "dnet_o1/dh3": _V[2], "dh3/dnet_h3": 1 - _h0[2] ** 2})
assert _ok3.correct and abs(_ok3.expected - _fd3) < 1e-8
assert abs(w.grad - _delta_o * _h0[2]) < 1e-15, "dE/dw_o1_h3 = δ_o h3 (backward ran once)"
