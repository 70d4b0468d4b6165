"""Losses: values and gradients against PyTorch float64 and against formulas derived by hand."""

import math
import random

import pytest

from autograd import Value, gradcheck, topological_order
from nn import (
    LOSSES,
    InputError,
    Neuron,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_mse,
    hinge,
    l2_penalty,
    mse,
    squared_error,
)

from .conftest import require
from .probe import Call, ids, np, refused, sweep


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def batch(n: int, k: int, seed: int, low: float = -2.0, high: float = 2.0):
    rng = random.Random(seed)
    preds = [[Value(rng.uniform(low, high)) for _ in range(k)] for _ in range(n)]
    targets = [[rng.choice([0.0, 1.0]) if low == 0 else rng.uniform(-1, 1) for _ in range(k)] for _ in range(n)]
    return preds, targets


@pytest.mark.parametrize("n, k", [(1, 1), (5, 1), (4, 3)])
def test_mse_and_half_mse_against_pytorch(n, k):
    torch = require("torch")
    for ours, theirs in [
        (mse, lambda p, t: torch.nn.functional.mse_loss(p, t)),
        (half_mse, lambda p, t: ((p - t) ** 2).sum() / (2 * n)),  # C = 1/(2N) Σ_i Σ_k (ŷ - y)²
        (squared_error, lambda p, t: ((p - t) ** 2).sum() / 2),  # E = ½ Σ (t - a)²
    ]:
        preds, targets = batch(n, k, seed=n * 10 + k)
        P = torch.tensor([[v.data for v in row] for row in preds], dtype=torch.float64, requires_grad=True)
        expected = theirs(P, torch.tensor(targets, dtype=torch.float64))
        expected.backward()
        loss = ours(preds, targets)
        loss.backward()
        # different summation order (PyTorch's pairwise vs our left-to-right): a few ulp, so rel 1e-13
        assert loss.data == pytest.approx(expected.item(), rel=1e-13)
        for row, grow in zip(preds, P.grad.tolist()):
            assert [v.grad for v in row] == pytest.approx(grow, rel=1e-13, abs=1e-16)


def test_bce_with_logits_against_pytorch_including_huge_logits():
    torch = require("torch")
    logits = [Value(z) for z in (-800.0, -30.0, -1.5, 0.0, 0.7, 25.0, 800.0)]
    targets = [0.0, 1.0, 0.25, 1.0, 0.0, 1.0, 0.0]
    Z = torch.tensor([v.data for v in logits], dtype=torch.float64, requires_grad=True)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(Z, torch.tensor(targets, dtype=torch.float64))
    expected.backward()
    loss = binary_cross_entropy_with_logits(logits, targets)
    loss.backward()
    assert math.isfinite(loss.data)
    # softplus(z) - y·z vs PyTorch's (1 - y)z + log(1 + e^-z) rearrangement; log1p/exp from libm: rel 1e-12
    assert loss.data == pytest.approx(expected.item(), rel=1e-12)
    # Above z = 20, autograd's softplus is z itself (PyTorch's Softplus threshold), so its derivative σ(z)
    # is taken as 1: off by σ(-z) < σ(-20) ≈ 2.1e-9, divided by the 7 elements. Elsewhere: rel 1e-12.
    for v, g in zip(logits, Z.grad.tolist()):
        if v.data > 20:
            assert v.grad == pytest.approx(g, abs=2.1e-9 / 7)
        else:
            assert v.grad == pytest.approx(g, rel=1e-12, abs=1e-15)


def test_hinge_against_the_max_margin_formula():
    scores = [Value(s) for s in (2.0, 0.5, -0.3, -3.0)]
    ys = [1.0, 1.0, -1.0, 1.0]
    loss = hinge(scores, ys)
    loss.backward()
    margins = [max(0.0, 1 - y * s.data) for y, s in zip(ys, scores)]  # 0, 0.5, 0.7, 4
    assert loss.data == pytest.approx(sum(margins) / 4, rel=1e-15)
    # d/ds = -y/N inside the margin, 0 beyond it
    assert [s.grad for s in scores] == [0.0, -0.25, 0.25, -0.25]
    with pytest.raises(ValueError, match="hinge: targets must be -1 or \\+1, got 0.0 at 0"):
        hinge([Value(1.0)], [0])


def test_squared_error_gradient_is_a_minus_t():
    a = [Value(0.3), Value(-1.2), Value(2.0)]
    t = [1.0, -1.0, 0.5]
    E = squared_error([a], [t])
    E.backward()
    assert E.data == pytest.approx(0.5 * sum((tk - ak.data) ** 2 for ak, tk in zip(a, t)), rel=1e-15)
    assert [ak.grad for ak in a] == pytest.approx([ak.data - tk for ak, tk in zip(a, t)], rel=1e-15)


def test_worked_example_one_sigmoid_neuron_mean_squared_error():
    """ŷ = σ(w·x + b), C = 1/(2N) Σ (ŷ - y)²: dC/dw = 1/N Σ (ŷ - y) ŷ (1 - ŷ) x, dC/db the same without x."""
    xs = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0]]
    ys = [1.0, 0.0, 1.0]
    n = Neuron(2, activation="sigmoid")
    n.w[0].data, n.w[1].data, n.b.data = 0.3, -0.6, 0.1
    w, b = [0.3, -0.6], 0.1
    N = len(xs)
    yhat = [sigma(w[0] * x[0] + w[1] * x[1] + b) for x in xs]
    C = sum((yh - y) ** 2 for yh, y in zip(yhat, ys)) / (2 * N)
    dC_dw = [sum((yh - y) * yh * (1 - yh) * x[i] for yh, y, x in zip(yhat, ys, xs)) / N for i in range(2)]
    dC_db = sum((yh - y) * yh * (1 - yh) for yh, y in zip(yhat, ys)) / N

    loss = half_mse([n(x) for x in xs], ys)
    loss.backward()
    # the same formula in another association order: a few ulp, so rel 1e-12
    assert loss.data == pytest.approx(C, rel=1e-12)
    assert [wi.grad for wi in n.w] == pytest.approx(dC_dw, rel=1e-12)
    assert n.b.grad == pytest.approx(dC_db, rel=1e-12)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_passes_gradcheck(name):
    loss = LOSSES[name]
    targets = [1.0, -1.0, 1.0] if name == "hinge" else [1.0, 0.0, 0.5] if name == "bce" else [0.3, -0.2, 1.1]
    if name == "cross_entropy":  # one sample's three logits, a soft target row
        targets = [0.2, 0.5, 0.3]
    # points away from hinge's kink at y·s = 1; central differences with eps 1e-6: default tolerances
    assert gradcheck(lambda a, b, c: loss([a, b, c], targets), 0.2, 0.9, -0.4)


def test_l2_penalty():
    ps = [Value(0.5), Value(-2.0), Value(3.0)]
    r = l2_penalty(ps, 1e-2)
    r.backward()
    assert r.data == pytest.approx(1e-2 * (0.25 + 4 + 9), rel=1e-15)
    assert [p.grad for p in ps] == pytest.approx([2e-2 * p.data for p in ps], rel=1e-15)  # 2αw
    with pytest.raises(ValueError, match="alpha must be >= 0, got -1.0"):
        l2_penalty(ps, -1.0)


def test_losses_are_a_few_nodes_whatever_the_batch():
    preds = [Value(0.1 * i) for i in range(50)]
    loss = half_mse(preds, [0.0] * 50)
    ops = [v.op.name for v in topological_order(loss) if v.op is not None]
    assert ops.count("dot") == 1 and ops.count("-") == 50 and len(ops) == 52  # 50 differences, Σd², /2N


@pytest.mark.parametrize(
    "preds, targets, words",
    [
        ([Value(1.0), Value(2.0)], [1.0], "2 predictions but 1 targets"),
        ([[Value(1.0), Value(2.0)]], [[1.0]], "sample 0 has 2 outputs but 1 targets"),
        ([[Value(1.0), Value(2.0)]], [1.0], "sample 0 has 2 outputs but one target"),
        ([Value(1.0)], ["a"], "target 0 must be a number, got str"),
        (Value(1.0), [1.0, 2.0], "one prediction \\(a Value\\) but 2 targets"),
        ([], [], "no predictions"),
        ([1.0], [1.0], "prediction 0 must be a Value"),
    ],
)
def test_mismatched_shapes_say_what_came_and_what_was_expected(preds, targets, words):
    with pytest.raises(ValueError, match=words) as info:
        half_mse(preds, targets)
    assert isinstance(info.value, InputError)


def test_a_single_value_and_one_sample_shapes():
    a = Value(3.0)
    assert half_mse(a, 1.0).data == 2.0 == squared_error(a, 1.0).data
    assert mse([[Value(1.0), Value(3.0)]], [[0.0, 0.0]]).data == 5.0  # mean over N·K = 2 elements


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_bce = binary_cross_entropy_with_logits
BAD_ARGUMENTS = [
    (Call(half_mse, [Value(1.0)], [10**400]), InputError,
     "half_mse: target 0 is too large for a float, got 1000"),
    (Call(half_mse, [Value(1.0)], ["a"]), InputError, "half_mse: target 0 must be a number, got str: 'a'"),
    (Call(half_mse, [Value(1.0)], [True]), InputError, "half_mse: target 0 must be a number, got bool"),
    (Call(half_mse, [Value(1.0)], None), InputError,
     "half_mse: 1 predictions need a list of 1 targets, got None"),
    (Call(half_mse, None, [1.0]), InputError,
     "half_mse: predictions must be a Value or a list of Values, got NoneType"),
    (Call(half_mse, [1.0], [1.0]), InputError,
     "half_mse: prediction 0 must be a Value or a list of Values, got float"),
    (Call(mse, [[Value(1.0), Value(2.0)]], [[1.0]]), InputError, "mse: sample 0 has 2 outputs but 1 targets"),
    (Call(mse, [[Value(1.0), 2.0]], [[1.0, 2.0]]), InputError,
     "mse: prediction [0][1] must be a Value, got float"),
    (Call(mse, [[Value(1.0)]], [np.array(1.0)]), InputError,
     "mse: sample 0 has 1 outputs but one target array(1.)"),
    (Call(squared_error, Value(1.0), [1.0, 2.0]), InputError,
     "squared_error: one prediction (a Value) but 2 targets"),
    (Call(squared_error, Value(1.0), np.array([1.0, 2.0])), InputError,
     "one prediction (a Value) but 2 targets"),
    (Call(hinge, [Value(1.0)], [0]), ValueError, "hinge: targets must be -1 or +1, got 0.0 at 0"),
    (Call(hinge, [Value(1.0)], [[Value(0.0)]]), ValueError,
     "hinge: targets must be -1 or +1, got 0.0 at 0"),
    (Call(_bce, [Value(0.0)], [2.0]), ValueError, "targets must be in [0, 1], got 2.0 at 0"),
    (Call(_bce, [Value(0.0)], [math.nan]), ValueError, "targets must be in [0, 1], got nan at 0"),
    (Call(l2_penalty, [Value(1.0)], -1.0), ValueError, "alpha must be >= 0, got -1.0"),
    (Call(l2_penalty, [Value(1.0)], math.inf), ValueError, "alpha must be a finite number >= 0, got inf"),
    (Call(l2_penalty, [Value(1.0)], "0.1"), TypeError, "alpha must be a real number, got str: '0.1'"),
    (Call(l2_penalty, [Value(1.0)], True), TypeError, "alpha must be a real number, got bool"),
    (Call(l2_penalty, [Value(1.0)], 10**400), ValueError, "alpha must be a finite number >= 0, got 1000"),
    (Call(l2_penalty, [Value(1.0)], Value(0.1)), TypeError, "alpha must be a real number, got Value"),
    (Call(l2_penalty, Value(1.0), 0.1), TypeError, "params must be a list of Values, got Value"),
    (Call(l2_penalty, None, 0.1), TypeError, "params must be a list of Values, got NoneType"),
    (Call(l2_penalty, [1.0], 0.1), TypeError, "params[0] must be a Value, got float: 1.0"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_targets_may_be_numpy_arrays_and_scalars():
    # C = 1/(2N) Σ (ŷ - y)²: ŷ = (1, 2) against (1, 4) is ½ · 2² = 2, against (0, 0) ½ · 5 = 2.5
    assert half_mse([[Value(1.0), Value(2.0)]], np.array([[1.0, 4.0]])).data == 2.0
    assert half_mse([Value(1.0), Value(2.0)], np.zeros(2)).data == 1.25
    assert half_mse(Value(3.0), np.array([1.0])).data == 2.0 == half_mse(Value(3.0), np.float64(1.0)).data
    assert hinge([Value(0.5)], np.array([np.int64(1)])).data == 0.5
    assert l2_penalty((Value(1.0), Value(2.0)), np.float64(0.5)).data == 2.5


@pytest.mark.parametrize("loss", [*LOSSES.values(), squared_error], ids=[*LOSSES, "squared_error"])
def test_sweep_of_wrong_values_finds_no_raw_error(loss):
    name = loss.__name__
    valid = ([Value(0.5), Value(-1.0)], 1) if loss is cross_entropy else ([Value(0.5)], [1.0])
    assert sweep(loss, valid, {}, {0: f"{name}: ", 1: f"{name}: "}) == []


def test_l2_penalty_sweep_finds_no_raw_error():
    assert sweep(l2_penalty, ([Value(1.0)], 0.1), {}, {0: "params", 1: "alpha"}) == []


# ---------------------------------------------------------------------------------------------------
# Softmax cross-entropy, against PyTorch's F.cross_entropy (float64) and the 40-digit truth


def _ours_ce(logits, targets):
    zs = [[Value(x) for x in row] for row in logits]
    loss = cross_entropy(zs, targets)
    loss.backward()
    return loss.data, [[v.grad for v in row] for row in zs]


def _torch_ce(torch, logits, targets):
    z = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(targets) if isinstance(targets[0], int) else torch.tensor(targets, dtype=torch.float64)
    loss = torch.nn.functional.cross_entropy(z, t)
    loss.backward()
    return loss.item(), z.grad.tolist()


def _ulps(a: float, b: float) -> float:
    return 0.0 if a == b else abs(a - b) / math.ulp(max(abs(a), abs(b)))


def test_cross_entropy_agrees_with_pytorch_on_class_indices_one_hot_and_soft_targets():
    """Class indices and one-hot rows are the same loss, bit for bit; the numbers agree with PyTorch's
    F.cross_entropy within the bounds below (measured: see the counts), and the loss is never further
    from the 40-digit truth than 2 ulp where PyTorch's is (PyTorch's log of a rounded sum loses a
    confident softmax's tiny remainder: up to 10^15 ulp on these samples)."""
    torch = require("torch")
    mpmath = require("mpmath")
    rng = random.Random("cross-entropy")
    equal_loss = equal_grads = grads = 0
    for _ in range(300):
        n, k = rng.randint(1, 4), rng.randint(2, 10)
        scale = rng.choice([1.0, 10.0, 50.0])
        logits = [[rng.gauss(0.0, scale) for _ in range(k)] for _ in range(n)]
        labels = [rng.randrange(k) for _ in range(n)]
        one_hot = [[float(j == c) for j in range(k)] for c in labels]
        value, g = _ours_ce(logits, labels)
        assert (value, g) == _ours_ce(logits, one_hot)  # one loss, written two ways
        theirs, tg = _torch_ce(torch, logits, labels)
        with mpmath.workdps(40):
            exact = float(mpmath.fsum(
                mpmath.log(mpmath.fsum(mpmath.exp(mpmath.mpf(x)) for x in row)) - mpmath.mpf(row[c])
                for row, c in zip(logits, labels, strict=True)
            ) / n)  # fmt: skip
        assert _ulps(value, exact) <= max(8.0, _ulps(theirs, exact)), (logits, labels, value, theirs, exact)
        equal_loss += value == theirs
        for row, trow in zip(g, tg, strict=True):
            for a, b in zip(row, trow, strict=True):
                # softmax - one_hot, each /N: e^(x - b - out) carries an ulp of |x - b| in the exponent,
                # and the target's softmax_c - 1 cancels, as in PyTorch: absolute ulps of 1/N
                assert math.isclose(a, b, rel_tol=1e-12, abs_tol=4 * math.ulp(1.0 / n)), (logits, labels)
                grads += 1
                equal_grads += a == b
    assert equal_loss >= 150 and equal_grads >= grads // 2, (equal_loss, equal_grads, grads)


def test_cross_entropy_with_soft_targets_agrees_with_pytorch():
    torch = require("torch")
    rng = random.Random("soft")
    for _ in range(100):
        n, k = rng.randint(1, 3), rng.randint(2, 6)
        logits = [[rng.gauss(0.0, 3.0) for _ in range(k)] for _ in range(n)]
        raw = [[rng.random() for _ in range(k)] for _ in range(n)]
        soft = [[p / sum(r) for p in r] for r in raw]
        value, g = _ours_ce(logits, soft)
        theirs, tg = _torch_ce(torch, logits, soft)
        assert math.isclose(value, theirs, rel_tol=1e-13, abs_tol=1e-15)
        for row, trow in zip(g, tg, strict=True):
            assert row == pytest.approx(trow, rel=1e-12, abs=1e-15)


def test_the_gradient_of_cross_entropy_is_softmax_minus_one_hot():
    z = [Value(1.0), Value(2.0), Value(0.5)]
    loss = cross_entropy(z, 1)
    loss.backward()
    exps = [math.exp(v.data) for v in z]
    softmax = [e / sum(exps) for e in exps]
    assert [v.grad for v in z] == pytest.approx([softmax[0], softmax[1] - 1.0, softmax[2]], rel=1e-15)
    assert loss.data == pytest.approx(-math.log(softmax[1]), rel=1e-15)
    assert [v.op.name for v in topological_order(loss) if v.op is not None] == ["cross_entropy"]  # one node


@pytest.mark.parametrize("big", [1000.0, 1e6, 1e300])
def test_cross_entropy_is_stable_at_huge_logits(big):
    torch = require("torch")
    for logits, label in [([big, -big, 0.0], 0), ([big, -big, 0.0], 1), ([big, big, big], 2), ([-big, -big], 0)]:
        value, (g,) = _ours_ce([logits], [label])
        assert math.isfinite(value) and all(math.isfinite(x) for x in g), (logits, label)
        theirs, (tg,) = _torch_ce(torch, [logits], [label])
        assert value == pytest.approx(theirs, rel=1e-15), (logits, label)
        assert g == pytest.approx(tg, rel=1e-12, abs=1e-300), (logits, label)


def test_cross_entropy_of_a_batch_is_the_mean():
    z = [[Value(1.0), Value(0.0)], [Value(0.0), Value(3.0)]]
    both = cross_entropy(z, [0, 1]).data
    alone = [cross_entropy(row, c).data for row, c in zip(z, [0, 1], strict=True)]
    assert both == (alone[0] + alone[1]) / 2


@pytest.mark.parametrize(
    "logits, targets, says",
    [
        ([Value(1.0), Value(2.0)], 2, "target 0 is class 2, out of range for 2 outputs: expected 0..1"),
        ([Value(1.0), Value(2.0)], -1, "class -1, out of range"),
        ([Value(1.0), Value(2.0)], 1.0, "target 0 is 1.0, a single number but not an int"),
        ([Value(1.0), Value(2.0)], True, "must be a class index (an int 0..1), got a bool"),
        ([Value(1.0), Value(2.0)], [0.0, 1.0, 0.0], "target 0 has 3 numbers but there are 2 outputs"),
        ([Value(1.0), Value(2.0)], [1.5, -0.5], "probabilities are in [0, 1]"),
        ([Value(1.0), Value(2.0)], "1", "must be a class index or a row of 2 numbers"),
        ([[Value(1.0), Value(2.0)]], [0, 1], "1 samples of logits need 1 targets, got 2 targets"),
        ([Value(1.0)], 0, "classes need at least 2"),
        ([], 0, "no logits"),
        (Value(1.0), 0, "logits must be a list of Values"),
    ],
)
def test_cross_entropy_refuses_bad_targets_by_name(logits, targets, says):
    with pytest.raises(InputError) as e:
        cross_entropy(logits, targets)
    assert says in str(e.value)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_number_targets_are_constants_and_value_targets_give_the_same_gradients(name):
    # a number target is a constant of the graph (an unlabelled leaf, drawn as a number: nothing is named
    # or checked per target); the same targets as Values give bit-identical loss and gradients
    loss = LOSSES[name]
    preds, targets = batch(4, 3, seed=5, low=0.0)
    if name == "hinge":
        targets = [[2.0 * t - 1.0 for t in row] for row in targets]
    L = loss(preds, targets)
    L.backward()
    flat = [p for row in preds for p in row]
    leaves = [v for v in topological_order(L) if not v.inputs and v not in flat]
    assert all(v.label == "" for v in leaves)
    want = [p.grad for p in flat]
    for p in flat:
        p.grad = 0.0
    as_values = [[Value(t, f"t{k + 1}") for k, t in enumerate(row)] for row in targets]
    again = loss(preds, as_values)
    again.backward()
    assert again.data == L.data and [p.grad for p in flat] == want
