# Checks of notebooks/08_online_batch_minibatch.ipynb, run in its kernel after its last cell (tests/test_notebooks.py).
# The oracles: the 2-8-1 tanh network's forward pass and gradients written out by hand with `math` (the
# delta rule), the training loop redone with them; central finite differences for the full-batch
# gradient; the sampling formula for the noise of a batch mean; exact fractions for the one-weight model.
import math as _math
import random as _random
from fractions import Fraction as _F

from autograd import topological_order as _topological_order
from autograd.exercises import check_gradient as _check_gradient
from autograd.exercises import check_update as _check_update
from nn import MLP as _MLP
from tests.notebook_oracles import tanh_2_8_1 as _tanh_2_8_1

_net = _MLP(2, [8, 1], activation="tanh", output_activation="tanh", seed=1)  # the notebook's starting weights
_start = (
    [[n.w[0].data, n.w[1].data] for n in _net.layers[0].neurons],
    [n.b.data for n in _net.layers[0].neurons],
    [w_.data for w_ in _net.layers[1].neurons[0].w],
    _net.layers[1].neurons[0].b.data,
)


def _flat(W, B, V, C):  # in model.parameters() order: each hidden neuron's w1, w2, b; then the output's
    return [x_ for wj, bj in zip(W, B) for x_ in (*wj, bj)] + V + [C]




def _loss_and_grad(p, batch):
    """C_B = 1/(2|B|) Σ (o - y)² and its gradient, by the delta rule."""
    return _tanh_2_8_1(p, batch, X, y)


_p0 = _flat(*_start)
assert [q.data for q in _net.parameters()] == _p0, "the parameter order"
_all = list(range(N))

# The full-batch gradient: the notebook's g and its mean of 80, against central differences
for _k in range(33):
    _up, _down = _p0[:], _p0[:]
    _up[_k] += 1e-6
    _down[_k] -= 1e-6
    _fd = (_loss_and_grad(_up, _all)[0] - _loss_and_grad(_down, _all)[0]) / 2e-6
    assert abs(g[_k] - _fd) < 1e-8 and abs(mean[_k] - _fd) < 1e-8, (_k, g[_k], mean[_k], _fd)
assert max(abs(a - b) for a, b in zip(g, mean)) < 1e-15, "the same up to rounding in the last digit"

# The noise of a batch mean: the per-example gradients by hand, and the sampling formula for a batch of
# |B| different examples, E|g_B - g|² = (N - |B|)/(N - 1) · σ²/|B| with σ² = mean |g_n - g|²
_per = [_loss_and_grad(_p0, [n])[1] for n in range(N)]
_g = _loss_and_grad(_p0, _all)[1]
assert all(abs(a - b) < 1e-12 for gn, mine in zip(per_example, _per) for a, b in zip(gn, mine))
_len = _math.sqrt(sum(a * a for a in _g))
_sigma2 = sum(sum((a - b) ** 2 for a, b in zip(gn, _g)) for gn in _per) / N
for _size, _measured in noise.items():
    _expected = _math.sqrt((N - _size) / (N - 1) * _sigma2 / _size) / _len
    assert abs(_measured - _expected) <= 0.15 * _expected + 1e-12, (_size, _measured, _expected)
assert 4.5 < noise[1] < 5.5, "about five times the length of g"
assert 0.4 < noise[4] / noise[1] < 0.6 and 0.4 < noise[16] / noise[4] < 0.6, "4 times larger: about half"
assert noise[80] < 1e-12, "0 at |B| = N"


# The training loop by hand: the same shuffles, SGD w <- w - 0.1 · grad, grads summed when not zeroed
def _train(size, lr=0.1, epochs=60, zero=True):
    p, acc = _p0[:], [0.0] * 33
    rng_ = _random.Random(0)
    order_ = list(range(N))
    updates, per_epoch_ = 0, []
    for _epoch in range(epochs):
        if size < N:
            rng_.shuffle(order_)
        total_ = 0.0
        for s in range(0, N, size):
            batch_ = order_[s : s + size]
            loss_, grad_ = _loss_and_grad(p, batch_)
            acc = grad_ if zero else [a + b for a, b in zip(acc, grad_)]
            p = [a - lr * b for a, b in zip(p, acc)]
            updates += 1
            total_ += loss_ * len(batch_)
        per_epoch_.append(total_ / N)
    return p, updates, per_epoch_


_finals = {}
for _name, _size in regimes.items():
    _p, _updates, _per_epoch = _train(_size)
    _model, _per_update, _notebook_per_epoch = runs[_name]
    assert len(_per_update) == _updates == 60 * N // _size, (_name, "updates")
    assert all(_math.isclose(a, b, rel_tol=1e-9) for a, b in zip(_notebook_per_epoch, _per_epoch)), _name
    assert all(abs(q.data - b) < 1e-9 for q, b in zip(_model.parameters(), _p)), (_name, "final weights")
    _finals[_name] = _per_epoch[-1]
_online, _mini, _full = _finals.values()
assert _online < _mini < _full, "per epoch: online ahead, full batch last"
assert same, "fit's History is the loop's"
# Without zero_grad (20 epochs: beyond, the summed gradients throw the weights about and rounding differences
# grow until two runs no longer agree to the digits printed)
_p, _, _forgot = _train(8, epochs=20, zero=False)
assert len(per_epoch_forgot) == 20
assert all(_math.isclose(a, b, rel_tol=1e-8) for a, b in zip(per_epoch_forgot, _forgot)), "without zero_grad"
assert _forgot[-1] > 2 * _train(8, epochs=20)[2][-1], "without zero_grad, training goes worse"

# The one-weight model, exactly: dE_n/dw = (w x_n - y_n) x_n
_w = _F(1, 2)
_g1 = (_w * 1 - 2) * 1
_g2 = (_w * 3 - (-1)) * 3
assert (_g1, _g2) == (_F(-3, 2), _F(15, 2)), "-1.5 and 7.5"
assert (_g1 + _g2) / 2 == 3 and _g1 + _g2 == 6, "the mean 3, the sum 6"
assert _check_gradient(w, C, float((_g1 + _g2) / 2)).correct, "dC/dw = 3"
_w2 = next(v for v in _topological_order(S) if v.label == "w")  # exercise 2's own w
assert _check_gradient(_w2, S, float(_g1 + _g2)).correct, "dS/dw = 6 (what two backward() calls leave)"
assert w.grad == 3.0, "exercise 3's backward()"
assert _check_update(w, 0.05, float(_w - _F(1, 20) * 3)).correct and _w - _F(1, 20) * 3 == _F(7, 20)
assert _check_update(w, 0.05, 0.5 + 0.05 * 3.0).kind == "uphill"
