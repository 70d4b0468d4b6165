"""fit, predict, accuracy, evaluate: online, mini-batch and full batch learn xor and moons; divergence is
caught with the parameters kept; data checked up front; optional tqdm."""

import copy
import math
import os
import signal
import sys
import threading

import pytest

from autograd import DataDependentError, Value, is_grad_enabled, no_grad, topological_order
from nn import (
    LOSSES,
    MLP,
    SGD,
    Adam,
    ConjugateGradient,
    DivergedError,
    InputError,
    Layer,
    LinearDecay,
    accuracy,
    binary_cross_entropy_with_logits,
    classify,
    cross_entropy,
    evaluate,
    fit,
    half_mse,
    hinge,
    mse,
    predict,
    squared_error,
)  # fmt: skip
from nn import train as training
from nn.data import blobs, moons, signed, xor
from nn.losses import PER_SAMPLE, PerSample
from nn.train import History, TrainingInterrupted, compile_loss, train_step

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
        if not is_grad_enabled():  # fit's check of the targets, before training
            return half_mse(outputs, targets)
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
    assert loss == pytest.approx(w0**2 / 2, rel=1e-15) and acc == float(
        w0 <= 0.0
    )  # the label 0 is negative: right when w₀·1 is too
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
    "kwargs, error, words",
    [
        ({"epochs": 0}, ValueError, "epochs must be >= 1, got 0"),
        ({"epochs": 2.5}, TypeError, "epochs must be an int, got float: 2.5"),
        ({"epochs": None}, TypeError, "epochs must be an int, got NoneType"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": "10"}, TypeError, "batch_size must be an int, got str"),
        ({"seed": 1.5}, TypeError, "seed must be an int, got float"),
        ({"shuffle": 1}, TypeError, "shuffle must be True or False, got int"),
        ({"progress": "no"}, TypeError, "progress must be True or False, got str"),
        ({"compiled": 1}, TypeError, "compiled must be True or False, got int"),
        ({"l2": -1.0}, ValueError, "l2 must be >= 0"),
        ({"l2": math.nan}, ValueError, "l2 must be a finite number"),
        ({"target_loss": "0.1"}, TypeError, "target_loss must be a real number, got str"),
        ({"threshold": "0.5"}, TypeError, "threshold must be a real number, got str"),
        ({"schedule": 0.1}, TypeError, "schedule must be a function of the epoch"),
        ({"validation": 5}, TypeError, "validation must be a pair"),
        ({"validation": ([[0.0, 0.0]],)}, ValueError, "validation must be a pair .* got 1 items"),
        (
            {"validation": ([[0.0]], [0.0])},
            ValueError,
            r"validation X\[0\] has 1 values but the model takes 2",
        ),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be an nn.optim.Optimizer"),
        (
            {"loss": 3},
            TypeError,
            "loss must be a loss function .* or one of 'squared_error', 'mse', 'hinge', 'bce'",
        ),
        (
            {"loss": "softmax"},
            ValueError,
            "loss must be a loss function or one of 'squared_error', 'mse'",
        ),
    ],
)
def test_bad_settings_name_the_argument(kwargs, error, words):
    model = MLP(2, [1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=words):
        fit(model, [[0.0, 0.0]], [0.0], **{"progress": False, **kwargs})
    assert model.state_dict() == before


def test_numpy_integers_are_accepted_for_counts_and_seed():
    np = require("numpy")
    runs = []
    for kind in (int, np.int64):
        model = MLP(2, [3, 1], seed=0)
        X, labels = moons(12, seed=0)
        h = fit(model, np.array(X), np.array(signed(labels)), epochs=kind(3), batch_size=kind(4), seed=kind(7),
                progress=False)  # fmt: skip
        runs.append((h.loss, model.state_dict()))
    assert runs[0] == runs[1]


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: fit(None, [[0.0]], [0.0]), TypeError, "model must be an MLP, Layer or Neuron"),
        (
            lambda: fit(lambda x: x[0], [[0.0]], [0.0]),
            TypeError,
            "with a parameters\\(\\) method, got function",
        ),
        (lambda: fit(MLP(1, [1]), None, [0.0]), TypeError, "X must be a list of samples"),
        (lambda: fit(MLP(1, [1]), [[0.0]], None), TypeError, "y must be a list of targets"),
        (lambda: predict(None, [[0.0]]), TypeError, "model must be an MLP, Layer or Neuron"),
        (lambda: predict(MLP(1, [1]), 3.0), TypeError, "X must be a list of samples"),
        (
            lambda: predict(lambda x: 0.5, [[0.0]]),
            TypeError,
            "the model must return a Value or a list of Values",
        ),
        (lambda: accuracy(None, [[0.0]], [1]), TypeError, "model must be an MLP, Layer or Neuron"),
        (lambda: accuracy(MLP(1, [1]), [[0.0]], 1), TypeError, "y must be a list of targets, got int"),
        (
            lambda: accuracy(MLP(1, [1]), [[0.0]], [1], threshold="x"),
            TypeError,
            "threshold must be a real number",
        ),
        (lambda: evaluate(None, [[0.0]], [1]), TypeError, "model must be an MLP, Layer or Neuron"),
        (
            lambda: evaluate(MLP(1, [1]), [[0.0]], [1], loss="nope"),
            ValueError,
            "loss must be .* one of 'squared_error'",
        ),
        (lambda: evaluate(MLP(1, [1]), [[0.0]], [1], loss=None), TypeError, "loss must be a loss function"),
        (lambda: train_step(None, [], None, half_mse, [[0.0]], [0.0]), TypeError, "forward must be a model"),
        (
            lambda: train_step(MLP(1, [1]), 5, None, half_mse, [[0.0]], [0.0]),
            TypeError,
            "params must be a list",
        ),
        (
            lambda: train_step(MLP(1, [1]), [1.0], None, half_mse, [[0.0]], [0.0]),
            TypeError,
            "params\\[0\\] must be",
        ),
        (
            lambda: train_step(MLP(1, [1]), [], "sgd", half_mse, [[0.0]], [0.0]),
            TypeError,
            "optimizer must be",
        ),
    ],
)
def test_wrong_arguments_are_named(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_hinge_and_l2_as_in_micrograds_demo():
    X, labels = moons(40, seed=0)
    y = signed(labels)
    model = MLP(2, [16, 16, 1], seed=0)
    fit(model, X, y, loss=hinge, l2=1e-4, optimizer=SGD(model.parameters(), lr=1.0), epochs=60,
        schedule=LinearDecay(1.0, 0.1, 60), progress=False)  # fmt: skip
    assert accuracy(model, X, y) >= 0.95


def test_compiled_step_refuses_a_negative_l2_by_name_before_anything_changes():
    model = MLP(1, [1], seed=0)
    params = model.parameters()
    for p in params:
        p.grad = 0.25
    code = compile_loss(model, half_mse, [(1.0, 1.0)], nin=1, nout=1)
    with pytest.raises(ValueError, match="l2 must be >= 0, got -1.0"):
        training.compiled_step(code, SGD(params, lr=0.5), [(1.0, 1.0)], l2=-1.0)
    assert [p.grad for p in params] == [0.25, 0.25]  # no grad zeroed, no loss run


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
        train_step(
            model, params, SGD(params, lr=0.01), spy, [[0.1 * i, 0.2] for i in range(n)], [1.0] * n, l2=1e-4
        )
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
        probabilities = loss in (binary_cross_entropy_with_logits, cross_entropy)
        ts = [[(t + 1) / 2 for t in r] for r in targets] if probabilities else targets
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


def test_compiled_fit_of_an_nn_model_runs_it_to_trace_not_on_every_sample_first():
    # fit checks every target through the loss once (stand-in outputs as wide as the targets, which an nn
    # module's outputs are); compiled training then runs the compiled code, the model only to be traced
    X, labels = moons(40, seed=0)
    model = MLP(2, [3, 1], seed=0)
    calls = []
    forward = model.forward

    def counting(x):
        calls.append(x)
        return forward(x)

    model.forward = counting
    fit(model, X, signed(labels), epochs=1, progress=False, compiled=True)
    assert 0 < len(calls) < len(X)


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


# ---------------------------------------------------------------------------------------------------
# Everything is checked before the first update.


def _grad_calls(loss, record):
    """`loss`, recording the call's state via `record()` each time it is called with gradients on (a
    training step; fit's up-front check of the targets runs under no_grad)."""

    def wrapped(outputs, targets):
        if is_grad_enabled():
            record()
        return loss(outputs, targets)

    return wrapped


@pytest.mark.parametrize(
    "loss, y, words",
    [
        (hinge, [1, -1, 1, 0, -1, 1], r"hinge: targets must be -1 or \+1, got 0.0 at 3"),
        (binary_cross_entropy_with_logits, [1, 0, 1, 2, 0, 1], r"targets must be in \[0, 1\], got 2.0 at 3"),
        ("hinge", [1, -1, 1, 1, -1, 0.5], r"hinge: targets must be -1 or \+1, got 0.5 at 5"),
    ],
)
def test_a_bad_label_anywhere_is_refused_before_the_first_update(loss, y, words):
    X, _ = moons(6, seed=0)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=words) as info:
        fit(model, X, y, loss=loss, batch_size=1, epochs=1, progress=False)
    assert model.state_dict() == before
    assert "before training" in "".join(getattr(info.value, "__notes__", []))


def test_a_bad_validation_label_is_refused_before_the_first_update():
    X, labels = moons(6, seed=0)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"hinge: targets must be -1 or \+1, got 0.0 at 1"):
        fit(model, X, signed(labels), loss=hinge, validation=(X[:2], [1.0, 0.0]), epochs=2, progress=False)
    assert model.state_dict() == before


def test_a_model_of_unknown_width_needs_samples_and_targets_of_one_width():
    """A custom model: every sample as wide as the first, every target too, checked before training."""
    w = Value(0.5)

    class Scale:
        def parameters(self):
            return [w]

        def __call__(self, x):
            return w * x[0]

    with pytest.raises(InputError, match=r"X\[2\] has 2 values but X\[0\] has 1; every sample needs as many"):
        fit(Scale(), [[1.0], [2.0], [3.0, 4.0]], [1.0, 2.0, 3.0], progress=False)
    with pytest.raises(InputError, match=r"y\[1\] has 2 values but y\[0\] has 1; every target needs as many"):
        fit(Scale(), [[1.0], [2.0]], [1.0, [2.0, 3.0]], progress=False)
    assert w.data == 0.5


@pytest.mark.parametrize(
    "schedule, error, words",
    [
        (lambda e: 0.1 - 0.05 * e, ValueError, r"schedule\(2\) must be > 0, got 0.0"),  # reaches 0 at epoch 3
        (lambda e: 0.1 if e < 3 else -0.1, ValueError, r"schedule\(3\) must be > 0"),
        (
            lambda e: 0.1 if e < 3 else math.inf,
            ValueError,
            r"schedule\(3\) must be a finite number > 0, got inf",
        ),
        (lambda e: 0.1 if e < 3 else "fast", TypeError, r"schedule\(3\) must be a real number, got str"),
    ],
)
def test_every_epochs_rate_is_checked_before_the_first_update(schedule, error, words):
    X, labels = moons(8, seed=0)
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(error, match=words):
        fit(model, X, signed(labels), schedule=schedule, epochs=5, progress=False)
    assert model.state_dict() == before


def test_fit_and_train_step_refuse_to_run_inside_no_grad():
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with no_grad():
        with pytest.raises(RuntimeError, match=r"fit needs gradients and was called inside no_grad\(\)"):
            fit(model, [[0.0, 1.0]], [1.0], epochs=20, progress=False)
        params = model.parameters()
        with pytest.raises(RuntimeError, match="train_step needs gradients"):
            train_step(model, params, SGD(params, lr=0.1), half_mse, [[0.0, 1.0]], [1.0])
    assert model.state_dict() == before


def test_a_loss_by_name_is_the_loss_itself():
    X, labels = moons(10, seed=0)
    runs = []
    for loss in ("mse", mse, "bce", binary_cross_entropy_with_logits):
        model = MLP(2, [3, 1], seed=0)
        y = labels if "bce" in str(loss) or loss is binary_cross_entropy_with_logits else signed(labels)
        runs.append(fit(model, X, y, loss=loss, epochs=3, progress=False).loss)
    assert runs[0] == runs[1] and runs[2] == runs[3]
    model = MLP(2, [3, 1], seed=0)
    assert evaluate(model, X, signed(labels), loss="hinge") == evaluate(model, X, signed(labels), loss=hinge)


def test_an_optimizer_for_another_model_is_refused():
    other = MLP(2, [3, 1], seed=1)
    with pytest.raises(ValueError, match="optimizer holds none of the model's parameters"):
        fit(
            MLP(2, [3, 1], seed=0),
            [[0.0, 1.0]],
            [1.0],
            optimizer=SGD(other.parameters(), lr=0.1),
            progress=False,
        )


def test_a_layer_with_one_output_trains_and_is_scored():
    """A Layer returns a list even for one output: its targets are lists of one, however they come."""
    X, labels = moons(20, seed=0)
    y = signed(labels)
    layer = Layer(2, 1, activation="linear", seed=0)
    h = fit(layer, X, y, optimizer=SGD(layer.parameters(), lr=0.1), epochs=30, progress=False)
    assert h.loss[-1] < h.loss[0]
    want = sum((layer(x)[0].data > 0) == (t > 0) for x, t in zip(X, y, strict=True)) / len(X)
    assert accuracy(layer, X, y) == want == accuracy(layer, X, [[t] for t in y])


# ---------------------------------------------------------------------------------------------------
# Divergence: defined, caught before the update, with everything as before that step.


def test_a_rate_that_throws_the_weights_past_sqrt_max_float_is_divergence_with_state_restored():
    """Hinge is linear in the output, so with lr = 1e300 the loss stays finite while the weights go to
    ~1e300: the update is refused (|w| > √(max float)), parameters and the velocity as before that step."""
    X, labels = moons(8, seed=0)
    model = MLP(2, [1], seed=0)
    opt = SGD(model.parameters(), lr=0.01, momentum=0.9)
    seen = []
    loss = _grad_calls(hinge, lambda: seen.append((model.state_dict(), copy.copy(opt._velocity))))
    with pytest.raises(
        DivergedError, match=r"epoch 3 of 5, step 1 of 1: the update would make parameter \d+ .*overflows"
    ):
        fit(model, X, signed(labels), loss=loss, optimizer=opt, epochs=5,
            schedule=lambda e: 0.01 if e < 2 else 1e300, progress=False)  # fmt: skip
    assert len(seen) == 3 and seen[-1][1] is not None
    assert (model.state_dict(), opt._velocity) == seen[-1]
    assert all(abs(p.data) < 10 for p in model.parameters())


def test_adams_state_is_as_before_the_diverging_step():
    X, labels = moons(8, seed=0)
    model = MLP(2, [3, 1], seed=0)
    opt = Adam(model.parameters(), lr=0.01)
    seen = []
    loss = _grad_calls(hinge, lambda: seen.append((model.state_dict(), opt.t, list(opt._m), list(opt._v))))
    with pytest.raises(DivergedError, match="epoch 2 of 3"):
        fit(model, X, signed(labels), loss=loss, optimizer=opt, epochs=3, schedule=lambda e: 0.01 if e < 1 else 1e300,
            progress=False)  # fmt: skip
    assert (model.state_dict(), opt.t, opt._m, opt._v) == seen[-1]


def test_conjugate_gradient_under_fit_a_failing_closure_leaves_everything_as_before():
    X, labels = xor(8, noise=0.1, seed=0)
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    opt = ConjugateGradient(model.parameters())
    calls = []

    def failing(outputs, targets):
        if is_grad_enabled():
            calls.append(model.state_dict())
            if len(calls) == 3:  # a trial point of the line search
                raise RuntimeError("the data server went away")
        return half_mse(outputs, targets)

    with pytest.raises(RuntimeError, match="went away"):
        fit(model, X, signed(labels), loss=failing, optimizer=opt, epochs=1, progress=False)
    assert calls[2] != calls[0]  # it was elsewhere when it failed
    assert model.state_dict() == calls[0] and opt.evaluations == 0 and opt.iterations == 0


def test_conjugate_gradient_rejects_trial_points_with_an_infinite_gradient():
    """Every trial point has a finite loss but an infinite gradient (√u at u = 0): no trial is acceptable,
    so the step leaves the parameters at the start; it is not divergence, and nothing moved."""
    X, labels = xor(8, noise=0.1, seed=0)
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    before = model.state_dict()
    calls = []

    def kinked(outputs, targets):
        loss = half_mse(outputs, targets)
        if is_grad_enabled():
            calls.append(1)
            if len(calls) > 1:
                loss = loss + (outputs[0] - outputs[0].data).sqrt()  # value 0, slope 1/(2·0)
        return loss

    h = fit(model, X, signed(labels), loss=kinked, optimizer=ConjugateGradient(model.parameters()), epochs=1,
            progress=False)  # fmt: skip
    assert h.steps == 1 and len(calls) > 1
    assert model.state_dict() == before
    assert all(math.isfinite(p.grad) for p in model.parameters())  # the start point's gradient


def test_conjugate_gradient_state_is_as_before_a_diverging_step():
    X, labels = xor(8, noise=0.1, seed=0)
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    opt = ConjugateGradient(model.parameters())
    before = model.state_dict()

    def poisoned(outputs, targets):
        return half_mse(outputs, targets) * (math.nan if is_grad_enabled() else 1.0)

    with pytest.raises(DivergedError, match="epoch 1 of 4, step 1 of 1: the loss is nan"):
        fit(model, X, signed(labels), loss=poisoned, optimizer=opt, epochs=4, progress=False)
    assert model.state_dict() == before and (opt.evaluations, opt.iterations, opt._x) == (0, 0, None)


def test_conjugate_gradients_history_is_the_loss_at_each_steps_start():
    """CG does not evaluate its start again (the previous step ended there); the History still reports
    each epoch with the loss and accuracy at its start, as for every optimizer, and a trial point that is
    NaN is the line search's business, not divergence."""
    X, labels = xor(8, noise=0.1, seed=0)
    y = signed(labels)
    calls = []

    def nan_at_some_trials(outputs, targets):
        loss = half_mse(outputs, targets)
        if is_grad_enabled():
            calls.append(1)
            if len(calls) in (4, 9):  # trial points (the start is evaluated only at call 1)
                return loss * math.nan
        return loss

    model = MLP(2, [3, 1], activation="tanh", seed=0)
    h = fit(model, X, y, loss=nan_at_some_trials, optimizer=ConjugateGradient(model.parameters()), epochs=4,
            progress=False)  # fmt: skip
    for k in range(1, 4):  # the same run stopped after k epochs, then measured
        calls.clear()
        ref = MLP(2, [3, 1], activation="tanh", seed=0)
        fit(ref, X, y, loss=nan_at_some_trials, optimizer=ConjugateGradient(ref.parameters()), epochs=k,
            progress=False)  # fmt: skip
        assert (h.loss[k], h.accuracy[k]) == evaluate(ref, X, y), f"epoch {k + 1}"


# ---------------------------------------------------------------------------------------------------
# Ctrl-C: stop at a step boundary, keep what was learned.


def _interrupting(loss, at, presses=1, record=None):
    """`loss` that sends SIGINT to this process `presses` times at its `at`-th training call."""
    calls = []

    def wrapped(outputs, targets):
        if is_grad_enabled():
            calls.append(1)
            if record is not None:
                record()
            if len(calls) == at:
                for _ in range(presses):
                    os.kill(os.getpid(), signal.SIGINT)
        return loss(outputs, targets)

    return wrapped


def test_ctrl_c_in_full_batch_training_stops_after_that_update_with_the_history():
    X, labels = moons(12, seed=0)
    y = signed(labels)
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(TrainingInterrupted) as info:
        fit(model, X, y, loss=_interrupting(half_mse, at=3), epochs=10, progress=False)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    e = info.value
    assert isinstance(e, KeyboardInterrupt) and (e.epoch, e.step) == (3, 1)
    assert e.history.epochs == 3 and e.history.steps == 3  # the interrupted epoch is complete and recorded
    same = MLP(2, [4, 1], seed=0)
    h = fit(same, X, y, epochs=3, progress=False)
    assert model.state_dict() == same.state_dict() and e.history.loss == h.loss


def test_ctrl_c_in_a_mini_batch_stops_after_that_update():
    X, labels = moons(12, seed=0)
    y = signed(labels)
    model = MLP(2, [4, 1], seed=0)
    starts = []  # an uninterrupted run: the parameters at the start of each step
    fit(model, X, y, loss=_grad_calls(half_mse, lambda: starts.append(model.state_dict())), epochs=3, batch_size=3,
        progress=False)  # fmt: skip
    model = MLP(2, [4, 1], seed=0)
    with pytest.raises(TrainingInterrupted, match="after epoch 2, step 2") as info:
        fit(model, X, y, loss=_interrupting(half_mse, at=6), epochs=3, batch_size=3, progress=False)
    e = info.value
    assert (e.epoch, e.step, e.history.epochs, e.history.steps) == (2, 2, 1, 6)
    assert model.state_dict() == starts[6]  # step 6 done: where step 7 would have started
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_stops_at_once_without_a_half_applied_update():
    X, labels = moons(12, seed=0)
    model = MLP(2, [4, 1], seed=0)
    starts = []
    loss = _interrupting(half_mse, at=6, presses=2, record=lambda: starts.append(model.state_dict()))
    with pytest.raises(TrainingInterrupted) as info:
        fit(model, X, signed(labels), loss=loss, epochs=3, batch_size=3, progress=False)
    e = info.value
    assert isinstance(e.__cause__, KeyboardInterrupt)
    assert (e.epoch, e.step, e.history.epochs, e.history.steps) == (2, 1, 1, 5)
    assert model.state_dict() == starts[5]  # as step 6 found them
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_is_left_alone_outside_the_main_thread_and_with_your_own_handler():
    X, labels = moons(8, seed=0)
    seen = []
    check = _grad_calls(half_mse, lambda: seen.append(signal.getsignal(signal.SIGINT)))
    worker = threading.Thread(target=lambda: fit(MLP(2, [3, 1], seed=0), X, signed(labels), loss=check, epochs=2,
                                                 progress=False))  # fmt: skip
    worker.start()
    worker.join()
    assert seen == [signal.default_int_handler] * 2

    presses = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: presses.append(signum))
    try:
        h = fit(
            MLP(2, [3, 1], seed=0),
            X,
            signed(labels),
            loss=_interrupting(half_mse, at=1),
            epochs=3,
            progress=False,
        )
        assert h.epochs == 3 and presses == [signal.SIGINT]  # your handler got it; training went on
    finally:
        signal.signal(signal.SIGINT, previous)


# ---------------------------------------------------------------------------------------------------
# Accuracy: one rule, from the model, not from the data.


def test_accuracy_does_not_depend_on_which_labels_are_present():
    model = MLP(1, [1], seed=0)  # linear output 0.688…·x: threshold 0
    assert accuracy(model, [[0.5]], [1]) == 1.0
    assert accuracy(model, [[0.5], [-0.5]], [1, 0]) == 1.0  # the same sample, the same verdict
    assert accuracy(model, [[0.5], [-0.5]], [1, -1]) == 1.0  # ±1 labels: the same rule (label > 0.5)
    assert accuracy(model, [[0.5]], [0]) == accuracy(model, [[0.5]], [-1]) == 0.0


@pytest.mark.parametrize(
    "activation, threshold",
    [("sigmoid", 0.5), ("relu", 0.5), ("softplus", 0.5), ("linear", 0.0), ("tanh", 0.0), ("leaky_relu", 0.0)],
)
def test_the_output_threshold_comes_from_the_output_activation(activation, threshold):
    model = MLP(1, [1], output_activation=activation, seed=0)
    X = [[x / 4] for x in range(-12, 13)]
    outs = predict(model, X)
    labels = [1.0 if k % 3 else 0.0 for k in range(len(X))]
    want = sum((o > threshold) == (t > 0.5) for o, t in zip(outs, labels, strict=True)) / len(X)
    assert accuracy(model, X, labels) == want
    assert evaluate(model, X, labels)[1] == want
    assert accuracy(model, X, labels, threshold=10.0) == labels.count(0.0) / len(X)  # an explicit one wins
    assert want != sum((o > 0.5 - threshold) == (t > 0.5) for o, t in zip(outs, labels, strict=True)) / len(X)


def test_logits_and_custom_models_are_cut_at_zero_unless_told():
    model = MLP(1, [1], output_activation="sigmoid", seed=0)  # σ(z) > 0 always
    X, y = [[-1.0], [1.0]], [0.0, 1.0]
    assert (
        evaluate(model, X, y, loss=binary_cross_entropy_with_logits)[1] == 0.5
    )  # outputs as logits: all > 0
    assert evaluate(model, X, y)[1] == accuracy(model, X, y) == 1.0  # σ(-0.69) < 0.5 < σ(0.69)

    def custom(x):
        return model.forward([Value(x[0])])

    assert accuracy(custom, X, y) == 0.5  # not an nn model: threshold 0.0 by default
    assert accuracy(custom, X, y, threshold=0.5) == 1.0


def test_fits_history_uses_the_same_rule():
    """Full batch: epoch 1's accuracy is measured on the outputs before its update, i.e. the start."""
    X = [[x / 4] for x in range(-6, 7)]
    for activation, y in [
        ("sigmoid", [float(x[0] > 0.3) for x in X]),
        ("linear", [float(x[0] > -0.3) for x in X]),
    ]:
        model = MLP(1, [1], output_activation=activation, seed=0)
        start = accuracy(model, X, y)
        assert evaluate(model, X, y)[1] == start
        h = fit(model, X, y, optimizer=SGD(model.parameters(), lr=1e-9), epochs=1, progress=False)
        assert h.accuracy == [start]


def test_a_ctrl_c_after_an_update_stood_but_before_it_was_counted_reports_that_update(monkeypatch):
    """A second Ctrl-C can land anywhere; here, on the way out of step 5, after its update stood."""
    X, labels = moons(12, seed=0)
    model = MLP(2, [4, 1], seed=0)
    starts = []
    loss = _grad_calls(half_mse, lambda: starts.append(model.state_dict()))
    steps = []
    step = training._train_step

    def interrupted_on_return(*args):
        result = step(*args)
        steps.append(1)
        if len(steps) == 5:
            raise KeyboardInterrupt  # as if it landed on the way out of the step
        return result

    monkeypatch.setattr(training, "_train_step", interrupted_on_return)
    with pytest.raises(TrainingInterrupted, match="after epoch 2, step 1") as info:
        fit(model, X, signed(labels), loss=loss, epochs=3, batch_size=3, progress=False)
    assert info.value.history.steps == 5 and info.value.history.epochs == 1
    monkeypatch.undo()
    same = MLP(2, [4, 1], seed=0)
    after = []
    fit(same, X, signed(labels), loss=_grad_calls(half_mse, lambda: after.append(same.state_dict())), epochs=3,
        batch_size=3, progress=False)  # fmt: skip
    assert model.state_dict() == after[5] != starts[4]  # step 5 stood


def test_a_history_shows_its_loss_as_a_line_in_jupyter():
    h = History(loss=[1.0, 0.5, 0.2], accuracy=[0.5, 0.7, 1.0])
    html = h._repr_html_()
    assert html.count("<polyline") == 1 and "epoch 1: 1<" in html and "epoch 3: 0.2 (loss, log scale)" in html
    assert "History(3 epochs: loss 1 -&gt; 0.2, accuracy 0.5 -&gt; 1)" in html
    assert History()._repr_html_() == "<p>History: no epoch yet</p>"
    assert repr(History(loss=[1.0, 0.5])) == "History(2 epochs: loss 1 -> 0.5)"  # no accuracy: no IndexError


# ---------------------------------------------------------------------------------------------------
# k classes: cross-entropy on class indices, argmax accuracy


def test_fit_with_cross_entropy_learns_k_classes_from_class_indices():
    X, labels = blobs(150, noise=0.4, centers=4, seed=3)
    model = MLP(2, [8, 4], activation="tanh", seed=0)
    history = fit(model, X, labels, loss="cross_entropy", optimizer=Adam(model.parameters(), lr=0.05),
                  epochs=30, batch_size=16, seed=0)  # fmt: skip
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert accuracy(model, X, labels) >= 0.9
    # accuracy is argmax for k outputs, the same as classify's classes against the labels
    said = classify(model, X)
    assert accuracy(model, X, labels) == sum(s == c for s, c in zip(said, labels, strict=True)) / len(labels)
    assert set(said) <= {0, 1, 2, 3}
    loss, acc = evaluate(model, X, labels, loss="cross_entropy")
    assert acc == accuracy(model, X, labels)
    assert loss == pytest.approx(cross_entropy([model(x) for x in X], labels).data, rel=1e-15)


def test_fit_with_cross_entropy_compiled_makes_the_same_updates():
    X, labels = blobs(40, noise=0.5, centers=3, seed=1)
    runs = []
    for compiled in (False, True):
        model = MLP(2, [5, 3], activation="tanh", seed=2)
        h = fit(model, X, labels, loss="cross_entropy", epochs=3, batch_size=8, seed=0, compiled=compiled)
        runs.append((h.loss, [p.data for p in model.parameters()]))
    assert runs[1][0] == pytest.approx(runs[0][0], rel=1e-12)
    assert runs[1][1] == pytest.approx(runs[0][1], rel=1e-10, abs=1e-13)


@pytest.mark.parametrize(
    "labels, says",
    [
        ([0, 1, 3], "y[2] is class 3, out of range: the model has 3 outputs, classes 0..2"),
        ([0, 1, 2.0], "y[2] is 2.0, a float: a class label must be an int 0..2"),
        ([0, 1, [0.0, 1.0]], "y[2] has 2 values but the model has 3 outputs"),
    ],
)
def test_bad_class_labels_are_refused_before_any_weight_changes(labels, says):
    model = MLP(2, [3], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(InputError) as e:
        fit(model, [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], labels, loss="cross_entropy", epochs=1)
    assert says in str(e.value)
    assert [p.data for p in model.parameters()] == before


def test_class_indices_for_squared_error_say_what_to_do():
    with pytest.raises(InputError, match=r"one-hot rows \(nn.data.one_hot\), or class indices with loss='cross_entropy'"):
        fit(MLP(2, [3], seed=0), [[0.0, 1.0]], [2], epochs=1)
