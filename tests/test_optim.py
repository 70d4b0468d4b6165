"""Optimizers: the same steps as PyTorch's; conjugate gradient against gradient descent and scipy;
a gradient-descent step worked by hand; schedules; nonsense settings refused."""

import copy
import math
import random
import sys

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
    return (
        (x[0] * x[1] - 1.0) ** 2
        + (x[2] - 0.5) ** 2 * 3.0
        + (x[3] * x[0] + x[2]).tanh() ** 2
        + x[1] ** 2 * 0.5
    )


def f_torch(x):
    return (
        (x[0] * x[1] - 1.0) ** 2
        + (x[2] - 0.5) ** 2 * 3.0
        + (x[3] * x[0] + x[2]).tanh() ** 2
        + x[1] ** 2 * 0.5
    )


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
        gd_used, gd_loss = minimize(
            lambda p, lr=lr: SGD(p, lr=lr), lambda: rosenbrock(x, y), [x, y], target, used
        )
        assert gd_used is None, (
            f"gradient descent (lr={lr}) reached {gd_loss} in {gd_used} <= {used} evaluations"
        )


def test_conjugate_gradient_beats_gradient_descent_on_a_small_network():
    X, ys = [[0, 0], [0, 1], [1, 0], [1, 1]], [-1.0, 1.0, 1.0, -1.0]
    target = 1e-8

    def trial(opt_fn, budget):
        model = MLP(2, [4, 1], activation="tanh", seed=3)
        return minimize(
            opt_fn, lambda: half_mse([model(x) for x in X], ys), model.parameters(), target, budget
        )

    used, _ = trial(lambda p: ConjugateGradient(p), 1000)
    assert used is not None
    for lr in (0.1, 0.3, 1.0, 1.25):  # 1.0 is the fastest; 1.25 already diverges
        gd_used, gd_loss = trial(lambda p, lr=lr: SGD(p, lr=lr), used)
        assert gd_used is None, (
            f"gradient descent (lr={lr}) reached {gd_loss} in {gd_used} <= {used} evaluations"
        )


def test_conjugate_gradient_agrees_with_scipy_on_a_quadratic():
    np = require("numpy")
    optimize = require("scipy.optimize")
    rng = random.Random(4)
    n = 6
    M = [[rng.uniform(-1, 1) for _ in range(n)] for _ in range(n)]
    A = [
        [sum(M[k][i] * M[k][j] for k in range(n)) + (2.0 if i == j else 0.0) for j in range(n)]
        for i in range(n)
    ]
    b = [rng.uniform(-1, 1) for _ in range(n)]

    def f(x):  # ½ xᵀAx - bᵀx, whose minimum solves Ax = b
        return 0.5 * sum(A[i][j] * x[i] * x[j] for i in range(n) for j in range(n)) - sum(
            b[i] * x[i] for i in range(n)
        )

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
        (lambda p: SGD(p, lr=0.0), ValueError, "lr must be > 0, got 0.0"),
        (lambda p: SGD(p, lr=-1), ValueError, "lr must be > 0"),
        (lambda p: SGD(p, lr=math.inf), ValueError, "lr must be a finite number > 0, got inf"),
        (lambda p: SGD(p, lr=math.nan), ValueError, "lr must be a finite number > 0, got nan"),
        (lambda p: SGD(p, lr="0.1"), TypeError, "lr must be a real number, got str"),
        (lambda p: SGD(p, lr=True), TypeError, "lr must be a real number, got bool"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), ValueError, "momentum must be >= 0"),
        (lambda p: SGD(p, lr=0.1, momentum=math.inf), ValueError, "momentum must be a finite number"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1e-4), ValueError, "weight_decay must be >= 0"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov="yes"), TypeError, "nesterov must be True or False"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, "betas\\[1\\] must be >= 0 and < 1, got 1.0"),
        (lambda p: Adam(p, betas=(-0.1, 0.9)), ValueError, "betas\\[0\\] must be >= 0 and < 1"),
        (lambda p: Adam(p, betas=(0.9,)), ValueError, "betas must be a pair"),
        (lambda p: Adam(p, betas=0.9), TypeError, "betas must be a pair"),
        (lambda p: Adam(p, eps=0.0), ValueError, "eps must be > 0, got 0.0"),
        (lambda p: Adam(p, eps=-1e-8), ValueError, "eps must be > 0"),
        (lambda p: Adam(p, lr=0), ValueError, "lr must be > 0"),
        (lambda p: ConjugateGradient(p, c1=0.5, c2=0.1), ValueError, "c2 must be > 0.5 and < 1"),
        (lambda p: ConjugateGradient(p, c1=0.0), ValueError, "c1 must be > 0 and < 1"),
        (lambda p: ConjugateGradient(p, restart_every=0), ValueError, "restart_every must be >= 1"),
        (lambda p: ConjugateGradient(p, max_line_search=1), ValueError, "max_line_search must be >= 2"),
        (lambda p: ConjugateGradient(p, max_line_search=2.5), TypeError, "max_line_search must be an int"),
        (lambda p: SGD([], lr=0.1), ValueError, "params is empty"),
        (lambda p: SGD([1.0], lr=0.1), TypeError, "params\\[0\\] must be a Value, got float"),
        (lambda p: SGD(p + p, lr=0.1), ValueError, "the same Value twice"),
        (lambda p: SGD(p[0], lr=0.1), TypeError, "params must be an iterable of Values"),
        (lambda p: SGD(None, lr=0.1), TypeError, "params must be an iterable of Values"),
    ],
)
def test_nonsense_settings_are_refused(make, error, words):
    with pytest.raises(error, match=words):
        make([Value(1.0), Value(2.0)])


def test_numpy_numbers_are_accepted_as_settings():
    np = require("numpy")
    p = [Value(1.0)]
    sgd = SGD(p, lr=np.float64(0.1), momentum=np.float32(0.5), weight_decay=np.int64(0))
    adam = Adam(p, lr=np.float32(0.5), betas=np.array([0.8, 0.9]), eps=np.float64(1e-6))
    cg = ConjugateGradient(p, restart_every=np.int64(3), max_line_search=np.int32(5))
    assert (sgd.lr, sgd.momentum, adam.betas, cg.restart_every, cg.max_line_search) == (
        0.1,
        0.5,
        (0.8, 0.9),
        3,
        5,
    )
    assert type(sgd.lr) is float and type(cg.max_line_search) is int
    assert LinearDecay(np.float64(1.0), 0.5, np.int64(2))(1) == 0.75
    assert StepDecay(1.0, every=np.int64(2), gamma=np.float64(0.5))(2) == 0.5


# ---------------------------------------------------------------------------------------------------
# All or nothing: a step that fails leaves parameters, gradients and optimizer state as they were.


class Tripwire(Value):
    """A parameter whose gradient read raises once armed: a failure in the middle of an update."""

    __slots__ = ("armed",)

    def __getattribute__(self, name):
        if name == "grad" and object.__getattribute__(self, "armed") is not None:
            raise object.__getattribute__(self, "armed")
        return object.__getattribute__(self, name)


def _params_with_a_tripwire():
    params = [Value(0.5), Value(-1.5), Tripwire(2.0), Value(0.25)]
    params[2].armed = None
    for p, g in zip(params, [0.1, -0.2, 0.3, 0.0], strict=True):
        p.grad = g
    return params


@pytest.mark.parametrize(
    "make, state",
    [
        (lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01), ("_velocity",)),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True), ("_velocity",)),
        (lambda p: Adam(p, lr=0.1), ("_m", "_v", "t")),
    ],
)
@pytest.mark.parametrize("failure", [KeyboardInterrupt, ZeroDivisionError("a bad gradient")], ids=repr)
def test_a_step_that_fails_in_the_middle_changes_nothing(make, state, failure):
    """The third parameter's gradient read raises after two parameters (and the moments) were updated."""
    params = _params_with_a_tripwire()
    opt = make(params)
    opt.step()  # one good step, so there is a velocity / moments / t to keep
    data = [p.data for p in params]
    kept = {name: copy.deepcopy(getattr(opt, name)) for name in state}
    params[2].armed = failure
    with pytest.raises(type(failure) if isinstance(failure, Exception) else failure):
        opt.step()
    params[2].armed = None
    assert [p.data for p in params] == data
    assert {name: getattr(opt, name) for name in state} == kept
    opt.step()  # and it carries on from there as if nothing had happened


def test_an_update_that_would_make_a_parameter_unsafe_is_refused_with_nothing_changed():
    """|w| beyond √(max float) ≈ 1.34e154 (w² overflows) or non-finite: FloatingPointError, state kept."""
    limit = math.sqrt(sys.float_info.max)
    w = [Value(0.0), Value(1.0)]
    opt = SGD(w, lr=1.0, momentum=0.5)
    w[0].grad, w[1].grad = -0.99 * limit, 0.0
    opt.step()  # w₀ = 0.99·√max: its square is finite, so this is allowed
    assert w[0].data == 0.99 * limit and math.isfinite(w[0].data ** 2)
    velocity = list(opt._velocity)
    w[0].grad = 0.0  # v = 0.5·v: w₀ grows by another 0.495·√max, past the limit
    with pytest.raises(FloatingPointError, match=r"would make parameter 0 .*square overflows"):
        opt.step()
    assert [p.data for p in w] == [0.99 * limit, 1.0] and opt._velocity == velocity
    w[1].grad = math.nan  # a NaN is refused the same way
    with pytest.raises(FloatingPointError, match="would make parameter 1 nan"):
        SGD(w, lr=0.1).step()
    assert [p.data for p in w] == [0.99 * limit, 1.0]
    many = [Value(0.9 * limit) for _ in range(100)]  # √(Σ w²) overflows the quick test; each w² is finite
    for p in many:
        p.grad = 0.0
    SGD(many, lr=0.1).step()
    assert all(p.data == 0.9 * limit for p in many)


def test_adam_with_a_huge_rate_is_refused_before_anything_moves():
    w = [Value(1.0), Value(2.0)]
    for p in w:
        p.grad = 1.0
    opt = Adam(w, lr=1e200)  # the first step moves each weight by about lr
    with pytest.raises(FloatingPointError, match="beyond"):
        opt.step()
    assert [p.data for p in w] == [1.0, 2.0] and (opt.t, opt._m, opt._v) == (0, [0.0, 0.0], [0.0, 0.0])


def test_a_failing_closure_leaves_parameters_and_gradients_as_before():
    w = Value(1.0)
    w.grad = 7.0
    opt = SGD([w], lr=0.1)

    def closure():
        w.grad = 0.0
        (w * w).backward()
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        opt.step(closure)
    assert (w.data, w.grad) == (1.0, 7.0)


def _rosenbrock_closure(opt, x, y, fail_at=None):
    calls = []

    def closure():
        calls.append((x.data, y.data))
        if len(calls) == fail_at:
            raise RuntimeError("the closure failed")
        opt.zero_grad()
        loss = rosenbrock(x, y)
        loss.backward()
        return loss

    return closure, calls


def test_conjugate_gradient_restores_everything_when_the_closure_fails_in_the_line_search():
    x, y = Value(-1.2), Value(1.0)
    opt = ConjugateGradient([x, y])
    for _ in range(3):
        opt.step(_rosenbrock_closure(opt, x, y)[0])
    state = lambda: {k: v for k, v in vars(opt).items() if k != "params"}
    before = (x.data, y.data, x.grad, y.grad, copy.deepcopy(state()))
    closure, calls = _rosenbrock_closure(opt, x, y, fail_at=2)  # the first trial point of the line search
    with pytest.raises(RuntimeError, match="the closure failed"):
        opt.step(closure)
    assert calls[1] != calls[0]  # it really was at another point when it failed
    assert (x.data, y.data, x.grad, y.grad, state()) == before


def test_conjugate_gradient_leaves_params_grads_and_loss_at_one_point_with_a_short_line_search():
    """With max_line_search=2 the line search often ends on a trial point it does not accept; the step
    must still leave the parameters at the point whose loss it returns, with that point's gradient."""
    x, y = Value(-0.5), Value(2.0)
    opt = ConjugateGradient([x, y], lr=0.01, max_line_search=2)
    closure, _ = _rosenbrock_closure(opt, x, y)
    for step in range(30):
        loss = opt.step(closure)
        a, b = x.data, y.data  # Rosenbrock's value and gradient by hand at the parameters left
        assert loss == (1 - a) ** 2 + 100 * (b - a * a) ** 2, f"step {step + 1}"
        want = (-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a))
        assert (x.grad, y.grad) == pytest.approx(want, rel=1e-12, abs=1e-12), f"step {step + 1}"


def test_schedules():
    micrograd = LinearDecay(1.0, 0.1, 100)
    for k in range(100):
        assert micrograd(k) == pytest.approx(1.0 - 0.9 * k / 100, rel=1e-15)  # micrograd's demo formula
    assert micrograd(1000) == pytest.approx(0.1)
    assert ConstantLR(0.3)(50) == 0.3
    s = StepDecay(1.0, every=3, gamma=0.5)
    assert [s(k) for k in range(7)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    with pytest.raises(ValueError, match="lr must be > 0"):
        ConstantLR(0.0)
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        LinearDecay(1.0, 0.1, 0)
    with pytest.raises(ValueError, match="every must be >= 1"):
        StepDecay(1.0, every=0)
    with pytest.raises(ValueError, match="gamma must be > 0 and <= 1"):
        StepDecay(1.0, every=2, gamma=0.0)
    with pytest.raises(TypeError, match="end must be a real number"):
        LinearDecay(1.0, None, 10)


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
