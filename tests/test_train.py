"""fit, predict, accuracy, evaluate: online, mini-batch and full batch learn xor and moons; divergence is
caught with the parameters kept; data checked up front; optional tqdm."""

import math
import sys

import pytest

from autograd import DataDependentError, Value, topological_order
from nn import (
    LOSSES,
    MLP,
    SGD,
    Adam,
    ConjugateGradient,
    DivergedError,
    InputError,
    LinearDecay,
    accuracy,
    binary_cross_entropy_with_logits,
    evaluate,
    fit,
    half_mse,
    hinge,
    predict,
    squared_error,
)  # fmt: skip
from nn.data import moons, signed, xor
from nn.losses import PER_SAMPLE, PerSample
from nn.train import compile_loss, train_step

from .conftest import require


@pytest.mark.parametrize("batch_size, epochs", [(1, 40), (8, 60), (None, 300)])
def test_online_minibatch_and_full_batch_learn_xor(batch_size, epochs):
    X, labels = xor(40, noise=0.1, seed=1)
    y = signed(labels)
    model = MLP(2, [8, 1], activation="tanh", seed=2)
    h = fit(model, X, y, optimizer=Adam(model.parameters(), lr=0.05), epochs=epochs, batch_size=batch_size,
            progress=False)  # fmt: skip
    assert accuracy(model, X, y) == 1.0
    assert h.loss[-1] < h.loss[0]
    assert h.steps == epochs * (40 if batch_size == 1 else 5 if batch_size == 8 else 1)


@pytest.mark.parametrize("batch_size, epochs, lr", [(1, 30, 0.01), (10, 40, 0.01), (None, 150, 0.03)])
def test_online_minibatch_and_full_batch_learn_moons(batch_size, epochs, lr):
    X, labels = moons(60, noise=0.1, seed=0)
    y = signed(labels)
    model = MLP(2, [16, 16, 1], seed=0)
    fit(model, X, y, optimizer=Adam(model.parameters(), lr=lr), epochs=epochs, batch_size=batch_size,
        progress=False)  # fmt: skip
    assert accuracy(model, X, y) == 1.0


def test_conjugate_gradient_trains_full_batch_and_refuses_mini_batches():
    X, labels = xor(4, noise=0.0)
    y = signed(labels)
    model = MLP(2, [4, 1], activation="tanh", seed=3)
    h = fit(model, X, y, optimizer=ConjugateGradient(model.parameters()), epochs=40, progress=False)
    assert h.accuracy[-1] == 1.0 and h.loss[-1] < 1e-3
    with pytest.raises(ValueError, match="full-batch method: use batch_size=None"):
        fit(model, X, y, optimizer=ConjugateGradient(model.parameters()), batch_size=2, progress=False)


def test_a_nan_loss_stops_training_naming_epoch_and_step_and_keeps_the_parameters():
    X, labels = xor(12, noise=0.1, seed=0)
    y = signed(labels)
    model = MLP(2, [4, 1], seed=0)
    calls = []

    def poisoned(outputs, targets):
        calls.append(model.state_dict())  # the parameters as this step starts
        loss = half_mse(outputs, targets)
        return loss * math.nan if len(calls) == 7 else loss

    with pytest.raises(DivergedError, match="epoch 2 of 5, step 3 of 4: the loss is nan") as info:
        fit(model, X, y, loss=poisoned, epochs=5, batch_size=3, progress=False)
    assert model.state_dict() == calls[-1]  # nothing changed by the failing step
    assert (info.value.epoch, info.value.step, info.value.history.epochs) == (2, 3, 1)


def test_an_infinite_gradient_is_caught_before_the_step():
    model = MLP(1, [1], seed=0)
    before = model.state_dict()

    def steep(outputs, targets):  # finite loss, infinite gradient: √u at u = 0 has slope 1/(2·0)
        kink = (outputs[0] - outputs[0].data).sqrt()
        return half_mse(outputs, targets) + kink

    with pytest.raises(DivergedError, match="epoch 1 of 1, step 1 of 1: a gradient is"):
        fit(model, [[1.0]], [0.0], loss=steep, epochs=1, progress=False)
    assert model.state_dict() == before


def test_history_validation_early_stop_and_schedule():
    X, labels = moons(40, seed=0)
    y = signed(labels)
    Xv, lv = moons(20, seed=1)
    model = MLP(2, [8, 1], seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    h = fit(model, X, y, optimizer=opt, epochs=500, validation=(Xv, signed(lv)), target_loss=0.3,
            schedule=LinearDecay(0.1, 0.01, 500), progress=False)  # fmt: skip
    assert h.stopped_early and h.loss[-1] <= 0.3 < h.loss[-2]
    assert len(h.loss) == len(h.accuracy) == len(h.val_loss) == len(h.val_accuracy) == h.epochs < 500
    assert opt.lr == pytest.approx(0.1 - 0.09 * (h.epochs - 1) / 500)
    assert "stopped early" in repr(h)


def test_the_shuffle_is_seeded():
    X, labels = moons(30, seed=0)
    y = signed(labels)
    runs = []
    for seed in (5, 5, 6):
        model = MLP(2, [4, 1], seed=0)
        fit(model, X, y, optimizer=SGD(model.parameters(), lr=0.05), epochs=3, batch_size=4, seed=seed,
            progress=False)  # fmt: skip
        runs.append(model.state_dict())
    assert runs[0] == runs[1] != runs[2]


def test_training_works_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm now raises ImportError
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    model = MLP(2, [2, 1], seed=0)
    h = fit(model, [[0.0, 1.0]], [1.0], epochs=2, progress=True)
    assert h.epochs == 2


def test_the_progress_bar_reports_epochs(capsys):
    require("tqdm")
    fit(MLP(2, [2, 1], seed=0), [[0.0, 1.0]], [1.0], epochs=3, progress=True)
    assert "3/3" in capsys.readouterr().err


def test_predict_accuracy_evaluate():
    model = MLP(2, [1], seed=0)
    w0, w1 = (p.data for p in model.parameters()[:2])
    assert predict(model, [[1.0, 0.0], [0.0, 1.0]]) == [w0, w1]
    multi = MLP(2, [3], output_activation="linear", seed=0)
    out = predict(multi, [[1.0, 2.0]])[0]
    assert isinstance(out, list) and len(out) == 3
    best = max(range(3), key=out.__getitem__)
    assert accuracy(multi, [[1.0, 2.0]], [[1.0 if k == best else 0.0 for k in range(3)]]) == 1.0
    loss, acc = evaluate(model, [[1.0, 0.0]], [0.0], loss=half_mse)
    assert loss == pytest.approx(w0**2 / 2, rel=1e-15) and acc == float(w0 <= 0.0)  # the label 0 is negative: right when w₀·1 is too
    assert accuracy(model, [[1.0, 0.0]], [1.0], threshold=w0 + 1) == 0.0  # an explicit threshold


@pytest.mark.parametrize(
    "X, y, words",
    [
        ([[1.0, 2.0, 3.0]], [1.0], r"X\[0\] has 3 values but the model takes 2 inputs"),
        ([[1.0, "a"]], [1.0], r"X\[0\]\[1\] must be a number, got str"),
        ([[1.0, 2.0]], [1.0, 2.0], "y has 2 targets but there are 1 samples"),
        ([[1.0, 2.0]], [[1.0, 2.0]], r"y\[0\] has 2 values but the model has 1 outputs"),
        ([[1.0, 2.0]], ["x"], r"y\[0\] must be a number or a list of numbers, got str"),
        ([], [], "X is empty"),
    ],
)
def test_bad_data_is_refused_before_training(X, y, words):
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=words) as info:
        fit(model, X, y, epochs=1, progress=False)
    assert isinstance(info.value, InputError)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"epochs": 0}, "epochs must be an int >= 1"),
        ({"batch_size": 0}, "batch_size must be an int >= 1"),
        ({"l2": -1.0}, "l2 must be a finite number >= 0"),
        ({"optimizer": "sgd"}, "optimizer must be an nn.optim.Optimizer"),
    ],
)
def test_bad_settings(kwargs, words):
    with pytest.raises((ValueError, TypeError), match=words):
        fit(MLP(2, [1]), [[0.0, 0.0]], [0.0], progress=False, **kwargs)


def test_hinge_and_l2_as_in_micrograds_demo():
    X, labels = moons(40, seed=0)
    y = signed(labels)
    model = MLP(2, [16, 16, 1], seed=0)
    fit(model, X, y, loss=hinge, l2=1e-4, optimizer=SGD(model.parameters(), lr=1.0), epochs=60,
        schedule=LinearDecay(1.0, 0.1, 60), progress=False)  # fmt: skip
    assert accuracy(model, X, y) >= 0.95


def test_a_training_step_graph_is_linear_in_parameters_and_samples():
    """One step's graph: per sample, 2 input leaves, a dot and an activation per neuron; then the loss
    (a difference per sample, one dot, a division) and the L2 penalty (one dot, one product)."""
    for hidden in (4, 16):
        model = MLP(2, [hidden, hidden, 1], seed=0)
        params = model.parameters()
        graphs: list = []

        def spy(outputs, targets, graphs=graphs):
            loss = half_mse(outputs, targets)
            graphs.append(loss)
            return loss

        n = 5
        train_step(model, params, SGD(params, lr=0.01), spy, [[0.1 * i, 0.2] for i in range(n)], [1.0] * n, l2=1e-4)
        ops = [v for v in topological_order(graphs[0]) if v.op is not None]
        neurons = 2 * hidden + 1
        assert len(ops) == n * (2 * neurons - 1) + n + 2  # the linear output neuron has no activation node


# ---------------------------------------------------------------------------------------------------
# Compiled mode: fit(..., compiled=True) against the interpreted engine.

# Compiled training sums per-sample gradients and then scales them (÷N for a mean); the interpreted engine
# differentiates one batch graph, whose dot and sum nodes add in another order. Each step can differ by a
# few ulps (~1e-16 relative), and later steps carry the difference on (conjugate gradient's line search
# most: ~1e-14 after a few iterations). 1e-10 leaves four orders of magnitude for that, and is far below
# any real mistake (a wrong scale or a missing term changes the first step at the 1e-3 level).
ROUNDING = 1e-10


def _fit_both(loss, batch_size, optimizer, l2=0.0, epochs=4, y=None):
    X, labels = moons(24, noise=0.1, seed=0)
    y = signed(labels) if y is None else y
    runs = []
    for compiled in (False, True):
        model = MLP(2, [6, 6, 1], activation="tanh", seed=0)
        h = fit(model, X, y, loss=loss, optimizer=optimizer(model.parameters()), epochs=epochs,
                batch_size=batch_size, l2=l2, progress=False, compiled=compiled)  # fmt: skip
        runs.append((h, [p.data for p in model.parameters()]))
    return runs


@pytest.mark.parametrize("batch_size", [1, 5, None])
@pytest.mark.parametrize("loss", [half_mse, squared_error, hinge], ids=lambda f: f.__name__)
def test_compiled_fit_takes_the_interpreted_steps_to_rounding(loss, batch_size):
    """Same seed and data: the same loss history, accuracy and final weights (squared_error's batch loss is
    a sum, the others a mean; l2 adds its own gradient).

    SGD, not Adam: Adam divides by √v, so a gradient that is zero in exact arithmetic gets a full-size step
    from its rounding noise. Hinge with balanced labels does that to the output bias: compiled, Σᵢ ±1 is
    exactly 0; the batch graph's Σᵢ ±1/N rounds to ±1e-18, and Adam moves the bias by lr."""
    (h, w), (hc, wc) = _fit_both(loss, batch_size, lambda ps: SGD(ps, lr=0.05, momentum=0.9), l2=1e-3)
    assert hc.loss == pytest.approx(h.loss, rel=ROUNDING)
    assert hc.accuracy == h.accuracy and hc.steps == h.steps
    assert wc == pytest.approx(w, rel=ROUNDING, abs=ROUNDING)


@pytest.mark.parametrize("loss", [half_mse, hinge], ids=lambda f: f.__name__)
def test_compiled_online_training_is_bit_for_bit(loss):
    """batch_size=1 and no l2: each step's gradient is the traced per-sample loss's, which compiled code
    reproduces exactly, and nothing is summed or scaled; so every number is equal (==)."""
    (h, w), (hc, wc) = _fit_both(loss, 1, lambda ps: Adam(ps, lr=0.02))
    assert hc.loss == h.loss and hc.accuracy == h.accuracy and wc == w


def test_compiled_conjugate_gradient_takes_the_interpreted_steps_to_rounding():
    """The closure CG calls for each trial point evaluates the loss and gradients with the compiled code."""
    (h, w), (hc, wc) = _fit_both(half_mse, None, ConjugateGradient, epochs=6)
    assert hc.loss == pytest.approx(h.loss, rel=ROUNDING) and hc.accuracy == h.accuracy
    assert wc == pytest.approx(w, rel=ROUNDING, abs=ROUNDING)
    assert hc.loss[-1] < hc.loss[0]


def test_the_compiled_loss_gives_the_engines_gradients_and_outputs_exactly():
    """The per-sample code against loss.backward() on the same sample, with ==: the zero probes that report
    the outputs change no gradient. Two outputs, so two probes."""
    model = MLP(2, [5, 2], activation="tanh", seed=4)
    params = model.parameters()
    samples = [(0.3, -1.2, 1.0, 0.0), (-0.7, 0.4, 0.0, 1.0), (1.5, 0.1, 1.0, 0.0)]
    code = compile_loss(model, half_mse, samples, nin=2, nout=2)
    for s in samples:
        for p in params:
            p.grad = 0.0
        (value,), (outputs,) = code.run([s])
        got = [p.grad for p in params]
        for p in params:
            p.grad = 0.0
        out = model(list(s[:2]))
        want = half_mse([out], [list(s[2:])])
        want.backward()
        assert (value, outputs, got) == (want.data, [o.data for o in out], [p.grad for p in params])


def test_every_loss_states_its_batch_convention_truthfully():
    """PER_SAMPLE: each batch loss is the mean (or sum) of its per-sample losses, value and gradient (to
    rounding: the batch graph adds in another order)."""
    assert set(LOSSES.values()) | {squared_error} == set(PER_SAMPLE)
    outs = [[Value(0.3), Value(-1.5)], [Value(2.0), Value(0.1)], [Value(-0.4), Value(0.8)]]
    targets = [[1.0, -1.0], [-1.0, 1.0], [1.0, 1.0]]
    for loss, form in PER_SAMPLE.items():
        ts = targets if loss is not binary_cross_entropy_with_logits else [[(t + 1) / 2 for t in r] for r in targets]
        batch = loss(outs, ts)
        batch.backward()
        want = [v.grad for row in outs for v in row]
        for v in (v for row in outs for v in row):
            v.grad = 0.0
        parts = [form.per_sample([o], [[Value(x) for x in t]]) for o, t in zip(outs, ts, strict=True)]
        total = sum(parts[1:], parts[0]) / (len(parts) if form.reduction == "mean" else 1)
        total.backward()
        assert total.data == pytest.approx(batch.data, rel=1e-15), loss.__name__
        assert [v.grad for row in outs for v in row] == pytest.approx(want, rel=1e-15), loss.__name__
        for v in (v for row in outs for v in row):
            v.grad = 0.0


def test_compiled_fit_refuses_a_model_whose_graph_depends_on_the_data():
    class Branchy:
        """Picks an input by comparing: fine on numbers, a different graph per sample when traced."""

        def __init__(self):
            self.w = Value(0.5)

        def parameters(self):
            return [self.w]

        def __call__(self, x):
            return self.w * (x[0] if x[0] > 0 else x[1])

    X, labels = moons(10, seed=0)
    fit(Branchy(), X, signed(labels), epochs=1, progress=False)  # uncompiled, it trains
    with pytest.raises(DataDependentError, match="compared a Value"):
        fit(Branchy(), X, signed(labels), epochs=1, progress=False, compiled=True)


def test_compiled_fit_needs_the_batch_convention_of_a_custom_loss(monkeypatch):
    def my_loss(outputs, targets):
        return half_mse(outputs, targets) * 2.0

    X, labels = moons(10, seed=0)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r'PER_SAMPLE\[my_loss\] = nn.losses.PerSample\(my_loss, "mean"\)'):
        fit(model, X, signed(labels), loss=my_loss, epochs=1, progress=False, compiled=True)
    assert model.state_dict() == before
    monkeypatch.setitem(PER_SAMPLE, my_loss, PerSample(my_loss, "mean"))
    h = fit(model, X, signed(labels), loss=my_loss, epochs=2, progress=False, compiled=True)
    assert h.loss[-1] < h.loss[0]


def test_compiled_fit_checks_targets_as_the_loss_does():
    X, labels = moons(10, seed=0)
    with pytest.raises(ValueError, match="hinge: targets must be -1 or \\+1"):
        fit(MLP(2, [3, 1], seed=0), X, labels, loss=hinge, epochs=1, progress=False, compiled=True)


def test_compiled_divergence_stops_at_the_same_step_with_the_parameters_kept():
    X, labels = xor(12, noise=0.1, seed=0)
    ends = []
    for compiled in (False, True):
        model = MLP(2, [4, 1], seed=0)
        with pytest.raises(DivergedError, match="the loss is inf") as info:
            fit(model, X, [1e200 * t for t in signed(labels)], optimizer=SGD(model.parameters(), lr=1.0),
                epochs=5, batch_size=1, progress=False, compiled=compiled)  # fmt: skip
        ends.append((info.value.epoch, info.value.step, model.state_dict()))
    assert ends[0] == ends[1]  # bit for bit (batch_size=1), so the kept parameters are the same too
