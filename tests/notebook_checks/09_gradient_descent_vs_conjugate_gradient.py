# Checks of notebooks/09_gradient_descent_vs_conjugate_gradient.ipynb, run in its kernel after its last cell
# (tests/test_notebooks.py). The oracles: exact fractions for the bowl (gradient descent is a linear map;
# conjugate gradient with an exact line search, α = g·g / gᵀHg on the first step); gradient descent, momentum
# and Adam on Rosenbrock with derivatives by hand; the network's error and its gradient by hand (the delta
# rule), and its full-batch and mini-batch gradient descent redone with them.
import math as _math
import random as _random
from fractions import Fraction as _F

from autograd.exercises import check_gradient as _check_gradient
from autograd.exercises import check_update as _check_update
from nn import MLP as _MLP
from nn.data import moons as _moons
from nn.data import signed as _signed
from tests.notebook_oracles import tanh_2_8_1 as _tanh_2_8_1


# --- The bowl f = x² + 2xy + 10y² = ½ wᵀHw, H = [[2, 2], [2, 20]]
def _grad(p):
    return (2 * p[0] + 2 * p[1], 2 * p[0] + 20 * p[1])


def _f(p):
    return p[0] * p[0] + 2 * p[0] * p[1] + 10 * p[1] * p[1]


_start = (_F(-4), _F(3, 2))
_eta = _F(9, 100)
_exact, _p = [_start], _start
while _f(_p) >= _F(1, 10**8):
    _p = tuple(a - _eta * b for a, b in zip(_p, _grad(_p)))
    _exact.append(_p)
assert len(gd_path) == len(_exact) == 62 and len(gd_evaluated) == 61, "61 steps: dozens"
assert all(abs(a - float(b)) < 1e-12 for p, q in zip(gd_path, _exact) for a, b in zip(p, q)), "the GD path"
_lam_max = 11 + _math.sqrt(85)  # the larger eigenvalue of H: 11 ± √85
assert 0.09 < 2 / _lam_max < 0.1 and 2 / _lam_max > 0.098, "η = 0.09 is about as large as the bowl allows"
_g0 = _grad(_start)
_Hg0 = (2 * _g0[0] + 2 * _g0[1], 2 * _g0[0] + 20 * _g0[1])
_alpha = (_g0[0] ** 2 + _g0[1] ** 2) / (_g0[0] * _Hg0[0] + _g0[1] * _Hg0[1])  # the exact line search
_w1 = (_start[0] - _alpha * _g0[0], _start[1] - _alpha * _g0[1])
assert len(cg_path) == 3 and all(abs(a - float(b)) < 1e-12 for a, b in zip(cg_path[1], _w1)), "CG's first step"
assert all(abs(a) < 1e-12 for a in cg_path[2]), "CG ends at the minimum (0, 0) after 2 steps"
_d0 = (_w1[0] - _start[0], _w1[1] - _start[1])
_d1 = (-_w1[0], -_w1[1])  # the second step, exactly: from w1 to (0, 0)
assert _d0[0] * (2 * _d1[0] + 2 * _d1[1]) + _d0[1] * (2 * _d1[0] + 20 * _d1[1]) == 0, "d0, d1 conjugate"
assert _d0[0] * _d1[0] + _d0[1] * _d1[1] != 0, "but not perpendicular"
assert len(cg_evaluated) == 6, "a few evaluations per step"

# --- 5 weights: the gradient (k_i w_i) by hand from the final weights; nonzero before step 5
_k = [1.0, 2.0, 4.0, 8.0, 16.0]
assert _math.sqrt(sum((ki * wi.data) ** 2 for ki, wi in zip(_k, w))) < 1e-12, "the gradient is 0 after 5 steps"
_rng = _random.Random(0)
_w0 = [_rng.uniform(-1, 1) for _ in range(5)]
assert _math.sqrt(sum((ki * wi) ** 2 for ki, wi in zip(_k, _w0))) > 0.5


# --- Rosenbrock, from (-1.2, 1), until f < 1e-4: the derivatives by hand
def _rosen(x_, y_):
    return (1 - x_) ** 2 + 100 * (y_ - x_ * x_) ** 2


def _rosen_grad(x_, y_):
    return -2 * (1 - x_) - 400 * x_ * (y_ - x_ * x_), 200 * (y_ - x_ * x_)


def _count(update):
    p, state, n = [-1.2, 1.0], {}, 0
    while _rosen(*p) >= 1e-4 and n < 20000:
        p = update(p, list(_rosen_grad(*p)), state)
        n += 1
    return n


def _gd(p, g_, s):
    return [a - 0.002 * b for a, b in zip(p, g_)]


def _momentum(p, g_, s):
    s["v"] = g_ if "v" not in s else [0.9 * v + b for v, b in zip(s["v"], g_)]
    return [a - 0.001 * v for a, v in zip(p, s["v"])]


def _adam(p, g_, s):
    t = s["t"] = s.get("t", 0) + 1
    s["m"] = [0.9 * m + 0.1 * b for m, b in zip(s.get("m", [0.0, 0.0]), g_)]
    s["v"] = [0.999 * v + 0.001 * b * b for v, b in zip(s.get("v", [0.0, 0.0]), g_)]
    return [
        a - 0.05 * (m / (1 - 0.9**t)) / (_math.sqrt(v / (1 - 0.999**t)) + 1e-8)
        for a, m, v in zip(p, s["m"], s["v"])
    ]


_counts = {name: r[1] for name, r in results.items()}
for _name, _update in zip(methods, (_gd, _momentum, _adam)):
    assert abs(_counts[_name] - _count(_update)) <= 2, (_name, _counts[_name], _count(_update))
assert _counts["gradient descent, η = 0.002"] > 1000, "thousands"
_cg_path, _cg_evals, _cg = results["conjugate gradient"]
assert _rosen(*_cg_path[-1]) < 1e-4 and _cg_evals == _cg.evaluations, "CG's end point, its evaluations"
assert _cg_evals < min(v for k_, v in _counts.items() if k_ != "conjugate gradient") / 5, "CG wins by far"
assert 25 <= _cg.iterations <= 35 and 2.5 <= _cg_evals / _cg.iterations <= 3.5, "about 30 steps, about 3 each"

# --- The network: C = 1/(2N) Σ (o - y)² and its gradient by hand, in model.parameters() order
_X, _labels = _moons(40, noise=0.1, seed=0)
_Y = _signed(_labels)
_net = _MLP(2, [8, 1], activation="tanh", output_activation="tanh", seed=1)
_p0 = [q.data for q in _net.parameters()]


def _loss_grad(p, batch):  # the error and its gradient by the delta rule
    return _tanh_2_8_1(p, batch, _X, _Y)


_all = list(range(40))


def _gd_curve(lr, mu, steps=150):
    p, v, out = _p0[:], None, []
    for _ in range(steps):
        loss, g_ = _loss_grad(p, _all)
        out.append(loss)
        v = g_ if v is None else [mu * a + b for a, b in zip(v, g_)]
        p = [a - lr * b for a, b in zip(p, v)]
    return [min(out[: i + 1]) for i in range(len(out))]


assert all(_math.isclose(a, b, rel_tol=1e-9) for a, b in zip(curves["gradient descent, η = 0.5"], _gd_curve(0.5, 0)))
assert all(_math.isclose(a, b, rel_tol=1e-9) for a, b in zip(curves["momentum, η = 0.1, μ = 0.9"], _gd_curve(0.1, 0.9)))
_final = {name: c[-1] for name, c in curves.items()}
_cg_loss = _loss_grad([q.data for q in network_cg.params], _all)[0]  # where conjugate gradient stands
assert _cg_loss < 1e-4 and _final["conjugate gradient"] < 1e-4, (_cg_loss, _final)
assert _final["conjugate gradient"] * 10 < _final["Adam, η = 0.05"] < _final["momentum, η = 0.1, μ = 0.9"]
assert _final["momentum, η = 0.1, μ = 0.9"] < _final["gradient descent, η = 0.5"], "the ranking on the network"
assert 3.5 <= network_cg.evaluations / network_cg.iterations <= 4.5, "about 4 evaluations per step"

# --- Mini-batches: gradient descent on them redone by hand; conjugate gradient stalls
_start_error = _loss_grad(_p0, _all)[0]
assert all(abs(c[0][1] - _start_error) < 1e-12 for c in batch_runs.values()), "the error before training"
_p, _rng, _order, _sgd = _p0[:], _random.Random(0), list(range(40)), []
while len(_sgd) < 150:
    _rng.shuffle(_order)
    for _s in range(0, 40, 8):
        _p = [a - 0.5 * b for a, b in zip(_p, _loss_grad(_p, _order[_s : _s + 8])[1])]
    _sgd.append(_loss_grad(_p, _all)[0])
_sgd_run = batch_runs["gradient descent, mini-batches of 8, η = 0.5"]
assert [s for s, _ in _sgd_run] == [40 * i for i in range(151)]
assert all(_math.isclose(e, m, rel_tol=1e-9) for (_, e), m in zip(_sgd_run[1:], _sgd)), "GD on mini-batches"
_stalled = [e for _, e in batch_runs["conjugate gradient, mini-batches of 8"]]
assert len(_stalled) >= 5 and len(set(_stalled[-3:])) == 1, "the weights stop moving"
assert 0.2 < _stalled[-1] < _start_error, "the error stays near where it started"
_fresh = batch_runs["conjugate gradient, mini-batches of 8, fresh each batch"][-1][1]
assert _fresh > _sgd[-1] and batch_runs["conjugate gradient, full batch"][-1][1] < _sgd[-1] / 10

# --- Your turn, exactly: df/dx = 2x + 2y, df/dy = 2x + 20y at (-4, 3/2); one step of η = 9/100 on y
_x, _y = _start
assert (2 * _x + 2 * _y, 2 * _x + 20 * _y) == (-5, 22)
assert _check_gradient(x, f, -5.0).correct and _check_gradient(y, f, 22.0).correct
assert _check_gradient(x, f, float(2 * _x)).kind == "forgotten_paths", "the slip: 2x alone"
assert _y - _eta * 22 == _F(-48, 100) and _check_update(y, 0.09, -0.48).correct, "y from 1.5 to -0.48"
