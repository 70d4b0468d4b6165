"""Optimizers: the same steps as PyTorch's; conjugate gradient against gradient descent and scipy;
a gradient-descent step worked by hand; schedules; nonsense settings refused."""

import math
import random

import pytest

from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    ConjugateGradient,
    ConstantLR,
    LinearDecay,
    Neuron,
    StepDecay,
    half_mse,
)

from .conftest import require

START = [0.8, -1.3, 2.1, 0.4]


def f_values(x):
    """A smooth non-quadratic function of 4 parameters, written once for Values and once for torch."""
    return (x[0] * x[1] - 1.0) ** 2 + (x[2] - 0.5) ** 2 * 3.0 + (x[3] * x[0] + x[2]).tanh() ** 2 + x[1] ** 2 * 0.5


def f_torch(x):
    return (x[0] * x[1] - 1.0) ** 2 + (x[2] - 0.5) ** 2 * 3.0 + (x[3] * x[0] + x[2]).tanh() ** 2 + x[1] ** 2 * 0.5


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (lambda p: SGD(p, lr=0.05), lambda t, p: t.optim.SGD(p, lr=0.05)),
        (lambda p: SGD(p, lr=0.05, momentum=0.9), lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.9)),
        (
            lambda p: SGD(p, lr=0.05, momentum=0.8, nesterov=True),
            lambda t, p: t.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True),
        ),
        (lambda p: SGD(p, lr=0.05, weight_decay=0.1), lambda t, p: t.optim.SGD(p, lr=0.05, weight_decay=0.1)),
        (lambda p: Adam(p, lr=0.1), lambda t, p: t.optim.Adam(p, lr=0.1)),
        (
            lambda p: Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
            lambda t, p: t.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6),
        ),
    ],
)
def test_same_steps_as_pytorch(ours, theirs):
    torch = require("torch")
    params = [Value(v) for v in START]
    opt = ours(params)
    x = torch.tensor(START, dtype=torch.float64, requires_grad=True)
    topt = theirs(torch, [x])
    for step in range(20):
        opt.zero_grad()
        f_values(params).backward()
        opt.step()
        topt.zero_grad()
        f_torch(x).backward()
        topt.step()
        # the same formulas in PyTorch's order; tanh's libm may differ by an ulp, which 20 steps keep
        # far below 1e-12
        assert [p.data for p in params] == pytest.approx(x.tolist(), abs=1e-12, rel=0), f"step {step + 1}"


def test_worked_example_one_gradient_descent_step_on_a_sigmoid_neuron():
    """w ← w - ν dC/dw with C = 1/(2N) Σ (ŷ - y)², dC/dw = 1/N Σ (ŷ - y) ŷ (1 - ŷ) x."""
    xs, ys, nu = [[1.0, 2.0], [-0.5, 0.5]], [1.0, 0.0], 0.7
    n = Neuron(2, activation="sigmoid")
    n.w[0].data, n.w[1].data, n.b.data = 0.2, -0.4, 0.05
    w, b = [0.2, -0.4], 0.05
    yhat = [1 / (1 + math.exp(-(w[0] * x[0] + w[1] * x[1] + b))) for x in xs]
    grads = [sum((yh - y) * yh * (1 - yh) * x[i] for yh, y, x in zip(yhat, ys, xs)) / 2 for i in range(2)]
    grad_b = sum((yh - y) * yh * (1 - yh) for yh, y in zip(yhat, ys)) / 2
    opt = SGD(n.parameters(), lr=nu)
    half_mse([n(x) for x in xs], ys).backward()
    opt.step()
    # hand formula and engine associate the products differently: a few ulp, so rel 1e-12
    assert [wi.data for wi in n.w] == pytest.approx([w[i] - nu * grads[i] for i in range(2)], rel=1e-12)
    assert n.b.data == pytest.approx(b - nu * grad_b, rel=1e-12)


def rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def minimize(opt_fn, loss_fn, params, target, budget):
    """Run until the loss is below target; returns (function evaluations used or None, last loss)."""
    opt = opt_fn(params)

    def closure():
        for p in params:
            p.grad = 0.0
        loss = loss_fn()
        loss.backward()
        return loss

    evaluations = 0
    loss = math.inf
    while evaluations < budget:
        if opt.needs_closure:
            loss = opt.step(closure)
            evaluations = opt.evaluations
        else:
            loss = closure().data
            evaluations += 1
            if loss < target:
                return evaluations, loss
            opt.step()
        if loss < target:
            return evaluations, loss
    return None, loss


def test_conjugate_gradient_beats_gradient_descent_on_rosenbrock():
    target = 1e-10
    x, y = Value(-1.2), Value(1.0)
    used, loss = minimize(lambda p: ConjugateGradient(p), lambda: rosenbrock(x, y), [x, y], target, 2000)
    assert used is not None and loss < target
    assert x.data == pytest.approx(1.0, abs=1e-4) and y.data == pytest.approx(1.0, abs=1e-4)
    for lr in (5e-4, 1e-3, 2e-3):  # 2e-3 is about the largest step gradient descent survives here
        x.data, y.data = -1.2, 1.0
        gd_used, gd_loss = minimize(lambda p, lr=lr: SGD(p, lr=lr), lambda: rosenbrock(x, y), [x, y], target, used)
        assert gd_used is None, f"gradient descent (lr={lr}) reached {gd_loss} in {gd_used} <= {used} evaluations"


def test_conjugate_gradient_beats_gradient_descent_on_a_small_network():
    X, ys = [[0, 0], [0, 1], [1, 0], [1, 1]], [-1.0, 1.0, 1.0, -1.0]
    target = 1e-8

    def trial(opt_fn, budget):
        model = MLP(2, [4, 1], activation="tanh", seed=3)
        return minimize(opt_fn, lambda: half_mse([model(x) for x in X], ys), model.parameters(), target, budget)

    used, _ = trial(lambda p: ConjugateGradient(p), 1000)
    assert used is not None
    for lr in (0.1, 0.3, 1.0, 1.25):  # 1.0 is the fastest; 1.25 already diverges
        gd_used, gd_loss = trial(lambda p, lr=lr: SGD(p, lr=lr), used)
        assert gd_used is None, f"gradient descent (lr={lr}) reached {gd_loss} in {gd_used} <= {used} evaluations"


def test_conjugate_gradient_agrees_with_scipy_on_a_quadratic():
    np = require("numpy")
    optimize = require("scipy.optimize")
    rng = random.Random(4)
    n = 6
    M = [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)]
    A = [[sum(M[k][i] * M[k][j] for k in range(n)) + (2.0 if i == j else 0.0) for j in range(n)] for i in range(n)]
    b = [rng.uniform(-1, 1) for _ in range(n)]

    def f(x):  # ½ xᵀAx - bᵀx, whose minimum solves Ax = b
        return 0.5 * sum(A[i][j] * x[i] * x[j] for i in range(n) for j in range(n)) - sum(b[i] * x[i] for i in range(n))

    xs = [Value(0.0) for _ in range(n)]
    opt = ConjugateGradient(xs)

    def closure():
        opt.zero_grad()
        loss = f(xs)
        loss.backward()
        return loss

    for _ in range(100):
        opt.step(closure)
        if opt.converged or max(abs(v.grad) for v in xs) < 1e-13:
            break
    ours = [v.data for v in xs]
    An, bn = np.array(A), np.array(b)
    theirs = optimize.minimize(lambda x: 0.5 * x @ An @ x - bn @ x, np.zeros(n), jac=lambda x: An @ x - bn,
                               method="CG", options={"gtol": 1e-12}).x  # fmt: skip
    assert ours == pytest.approx(theirs.tolist(), abs=1e-8)
    assert ours == pytest.approx(np.linalg.solve(An, bn).tolist(), abs=1e-8)


def test_conjugate_gradient_needs_a_closure_and_survives_a_nan_start():
    x = Value(1.0)
    opt = ConjugateGradient([x])
    with pytest.raises(TypeError, match="needs a closure"):
        opt.step()

    def closure():
        opt.zero_grad()
        loss = x * math.nan
        loss.backward()
        return loss

    assert math.isnan(opt.step(closure))
    assert x.data == 1.0  # nothing moved


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda p: SGD(p, lr=0.0), ValueError, "lr must be > 0.0, got 0.0"),
        (lambda p: SGD(p, lr=-1), ValueError, "lr must be > 0.0"),
        (lambda p: SGD(p, lr=math.inf), ValueError, "lr must be > 0.0"),
        (lambda p: SGD(p, lr="0.1"), TypeError, "lr must be a number"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), ValueError, "momentum must be >= 0.0"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, "betas\\[1\\] must be >= 0.0 and < 1.0"),
        (lambda p: Adam(p, eps=-1e-8), ValueError, "eps must be >= 0.0"),
        (lambda p: ConjugateGradient(p, c1=0.5, c2=0.1), ValueError, "c2 must be > 0.5"),
        (lambda p: SGD([], lr=0.1), ValueError, "params is empty"),
        (lambda p: SGD([1.0], lr=0.1), TypeError, "params must hold Values, got float"),
        (lambda p: SGD(p + p, lr=0.1), ValueError, "the same Value twice"),
        (lambda p: SGD(p[0], lr=0.1), TypeError, "iterable of Values"),
    ],
)
def test_nonsense_settings_are_refused(make, error, words):
    with pytest.raises(error, match=words):
        make([Value(1.0), Value(2.0)])


def test_schedules():
    micrograd = LinearDecay(1.0, 0.1, 100)
    for k in range(100):
        assert micrograd(k) == pytest.approx(1.0 - 0.9 * k / 100, rel=1e-15)  # micrograd's demo formula
    assert micrograd(1000) == pytest.approx(0.1)
    assert ConstantLR(0.3)(50) == 0.3
    s = StepDecay(1.0, every=3, gamma=0.5)
    assert [s(k) for k in range(7)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    with pytest.raises(ValueError, match="lr must be > 0.0"):
        ConstantLR(0.0)
    with pytest.raises(ValueError, match="epochs must be an int >= 1"):
        LinearDecay(1.0, 0.1, 0)
    with pytest.raises(ValueError, match="every must be an int >= 1"):
        StepDecay(1.0, every=0)


def test_a_step_is_linear_in_the_number_of_parameters():
    """The update touches each parameter a constant number of times: count attribute reads."""

    class Counting(Value):
        __slots__ = ()
        reads = 0

        def __getattribute__(self, name):
            if name in ("grad", "data"):
                Counting.reads += 1
            return object.__getattribute__(self, name)

    for opt_cls, kwargs in [(SGD, {"lr": 0.1, "momentum": 0.9}), (Adam, {"lr": 0.1})]:
        per_param = []
        for n in (10, 100):
            params = [Counting(1.0) for _ in range(n)]
            opt = opt_cls(params, **kwargs)
            Counting.reads = 0
            opt.step()
            opt.step()
            per_param.append(Counting.reads / n)
        assert per_param[0] == per_param[1]
