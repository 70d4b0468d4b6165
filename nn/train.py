"""Training: `fit` (online, mini-batch or full batch), `predict`, `accuracy`, `evaluate`.

`batch_size=1` is online training (an update after every pattern), `None` full batch (one update per
epoch, the only choice for conjugate gradient), and k mini-batches of k patterns, reshuffled every epoch
with a seeded `random.Random`. One update is `train_step`: forward, loss, backward, check, step. Every part
of it is linear in the number of parameters.

`fit` checks everything before the first update: its arguments, every sample and target (shapes, and the
loss's own checks of the targets), the learning rate of every epoch. An update is all or nothing (the
optimizer's `step`): a diverging step raises `DivergedError`, Ctrl-C stops at a step boundary with
`TrainingInterrupted`, and in both cases the parameters are those of the last completed update and the
exception carries the History so far.

Accuracy, one rule everywhere (`fit`'s History, `evaluate`, `accuracy`): with one output, a target is
class 1 when it is > 0.5 (so 0/1 and ±1 labels both work) and the output says class 1 when it is above a
threshold that comes from the model, never from the data: 0.5 for a sigmoid, relu or softplus output
(trained towards 0/1), 0.0 for outputs that can be negative (linear, tanh, leaky_relu) and for logits
(loss=binary_cross_entropy_with_logits), and 0.0 for a model that is not an nn MLP, Layer or Neuron unless
`threshold=` says otherwise. With several outputs, the largest output must be at the largest target.

`fit(..., compiled=True)` traces one sample's loss once (`autograd.compile`) and runs every update as
`compiled_step`: the straight-line code's gradients, summed over the batch's samples, then scaled to the
loss's batch convention (`nn.losses.PER_SAMPLE`). The same updates, to rounding, several times faster.

The progress bar is tqdm's (`tqdm.auto`, so it also draws in notebooks); without tqdm, training runs the
same without a bar.
"""

from __future__ import annotations

import math
import numbers
import random
import signal
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any, Literal, Protocol

from autograd import Compiled, Value, compile, is_grad_enabled, no_grad
from autograd.checks import flag, function, instance, integer, iterable, optional, real, shown

from .layers import MLP, InputError, Layer, Neuron
from .losses import (
    CLASS_TARGETS,
    LOSSES,
    PER_SAMPLE,
    Loss,
    PerSample,
    _penalty,
    binary_cross_entropy_with_logits,
    half_mse,
)
from .optim import SGD, Optimizer, Schedule

__all__ = [
    "CompiledLoss", "DivergedError", "History", "Model", "TrainingInterrupted", "accuracy", "classify", "compile_loss",
    "compiled_step", "evaluate", "fit", "predict", "train_step",
]  # fmt: skip

Row = list[float]
Target = float | list[float]
Output = float | list[float]


class Model(Protocol):
    """What `fit` trains: called on one sample, it returns a Value or a list; it has parameters."""

    def __call__(self, x: Any) -> Value | list[Value]: ...

    def parameters(self) -> list[Value]: ...


class DivergedError(FloatingPointError):
    """Training diverged: the step named was not taken, and the parameters and the optimizer's state are
    as before it.

    A step diverges when its loss or a gradient is NaN or infinite, or when its update would leave a
    parameter NaN, infinite or beyond ±√(max float) ≈ 1.34e154, where its square overflows (a rate so
    large that the loss stays finite, as hinge's can, is caught there). `epoch` and `step` are 1-based;
    `history` holds the epochs completed before; `reason` says what was not finite.

    >>> issubclass(DivergedError, ArithmeticError)
    True
    """

    def __init__(self, message: str, epoch: int, step: int, history: History, reason: str = "") -> None:
        super().__init__(message)
        self.epoch = epoch
        self.step = step
        self.history = history
        self.reason = reason


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped `fit` at a step boundary; what was learned so far is kept.

    The parameters are those after the last completed update, `epoch` and `step` (1-based; 0 and 0 if
    there was none); `history` holds every completed epoch, and `history.steps` counts every completed
    update. The first Ctrl-C lets the running update finish (if it ends an epoch, the epoch is recorded);
    a second one stops at once, and still no update is half-applied. A KeyboardInterrupt, so code that
    catches Ctrl-C still does.

    >>> issubclass(TrainingInterrupted, KeyboardInterrupt)
    True
    """

    def __init__(self, history: History, epoch: int, step: int) -> None:
        super().__init__(
            f"training interrupted after epoch {epoch}, step {step}: {history.epochs} complete epochs in "
            "its .history; the parameters are those of the last completed update"
        )
        self.history = history
        self.epoch = epoch
        self.step = step


@dataclass
class History:
    """Per-epoch training record: mean loss and accuracy over the epoch's batches (each batch's loss and
    outputs from before its update), and the same on the validation set when one was given (measured
    after the epoch). Accuracy follows the rule in this module's docstring (targets > 0.5 are class 1;
    the output threshold comes from the model). `steps` counts completed updates.

    >>> h = History(loss=[0.5, 0.1], accuracy=[0.5, 1.0])
    >>> h
    History(2 epochs: loss 0.5 -> 0.1, accuracy 0.5 -> 1)
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    steps: int = 0
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.loss)

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        s = f"History({self.epochs} epochs: loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}"
        if self.accuracy:
            s += f", accuracy {self.accuracy[0]:.4g} -> {self.accuracy[-1]:.4g}"
        if self.val_loss:
            s += f", validation loss {self.val_loss[-1]:.4g}"
            s += f", accuracy {self.val_accuracy[-1]:.4g}" if self.val_accuracy else ""
        return s + (", stopped early)" if self.stopped_early else ")")

    def _repr_html_(self) -> str:
        """In Jupyter: the loss per epoch as a small line (an inline SVG: no plotting library needed) and
        the first and last epochs' numbers; `nn.plots.history(h)` draws the full figure."""
        from html import escape

        if not self.loss:
            return "<p>History: no epoch yet</p>"
        return f"<div><p>{escape(repr(self))}</p>{_sparkline(self.loss)}</div>"

    def _trim(self, validated: bool) -> None:
        """Drop a half-recorded epoch (a second Ctrl-C can land between the appends)."""
        n = min(
            len(self.loss),
            len(self.accuracy),
            *((len(self.val_loss), len(self.val_accuracy)) if validated else ()),
        )
        for lst in (self.loss, self.accuracy, self.val_loss, self.val_accuracy):
            del lst[n:]


def _sparkline(values: Sequence[float], width: int = 360, height: int = 60) -> str:
    """A line of `values` as inline SVG, log-scaled when every value is positive (losses), labelled at both ends."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return ""
    log = all(v > 0 for v in finite)
    ys = [math.log10(v) if log else v for v in finite]
    lo, hi = min(ys), max(ys)
    span = (hi - lo) or 1.0
    n = max(len(ys) - 1, 1)
    points = " ".join(f"{8 + (width - 16) * i / n:.1f},{6 + (height - 20) * (1 - (y - lo) / span):.1f}" for i, y in enumerate(ys))
    scale = "log scale" if log else "linear scale"
    return (
        f'<svg width="{width}" height="{height}" role="img" aria-label="loss per epoch ({scale})">'
        f'<polyline points="{points}" fill="none" stroke="#1f77b4" stroke-width="2"/>'
        f'<text x="8" y="{height - 2}" font-size="10" fill="#444">epoch 1: {finite[0]:.4g}</text>'
        f'<text x="{width - 8}" y="{height - 2}" font-size="10" fill="#444" text-anchor="end">'
        f"epoch {len(finite)}: {finite[-1]:.4g} (loss, {scale})</text></svg>"
    )


# ---------------------------------------------------------------------------------------------------
# Checking arguments and data once, up front, so a training step does no checks.

_MODEL = "an MLP, Layer or Neuron, or a callable on one sample with a parameters() method"
_FUNCTION = "an MLP, Layer or Neuron, or a callable on one sample"


def _trainable(model: object) -> Model:
    if not (callable(model) and callable(getattr(model, "parameters", None))):
        raise TypeError(f"model must be {_MODEL}, got {type(model).__name__}: {shown(model)}")
    return model  # type: ignore[return-value]  # checked: callable with parameters()


def _callable(model: object) -> Model:
    return function("model", model, _FUNCTION)  # type: ignore[return-value]  # predict needs only a call


def _loss_fn(loss: object) -> Loss:
    """A loss function, or one named by its key in nn.losses.LOSSES."""
    names = ", ".join(repr(k) for k in LOSSES)
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"loss must be a loss function or one of {names}; got {shown(loss)}")
        return LOSSES[loss]
    return function("loss", loss, f"a loss function (outputs, targets) -> Value or one of {names}")


def _width(model: object, attr: str) -> int | None:
    if isinstance(model, Neuron):
        return model.nin if attr == "nin" else 1
    if isinstance(model, (MLP, Layer)):
        return int(getattr(model, attr))
    return None


def _lists(model: object) -> bool:
    """True for a model that returns a list even for one output (a Layer)."""
    return isinstance(model, Layer)


def _numbers(x: object, where: str, kind: str) -> list[float]:
    """One sample's numbers (or one target's), checked: a list of real numbers, as floats."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise InputError(f"{where} must be {kind}, got {type(x).__name__}: {shown(x)}")
    row = list(x)
    for k, v in enumerate(row):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise InputError(f"{where}[{k}] must be a number, got {type(v).__name__}: {shown(v)}")
    return [float(v) for v in row]


def _rows(X: object, nin: int | None, name: str, has: str = "") -> list[Row]:
    """Every sample as a list of floats, all of one width: `nin` (the model's), or else the first's."""
    if isinstance(X, (str, bytes)) or not isinstance(X, Iterable):
        raise InputError(
            f"{name} must be a list of samples (lists of numbers), got {type(X).__name__}: {shown(X)}"
        )
    has = has or f"the model takes {nin} inputs"
    rows: list[Row] = []
    for i, x in enumerate(X):
        row = _numbers([x] if isinstance(x, numbers.Real) else x, f"{name}[{i}]", "a list of numbers")
        if nin is None:  # a model of unknown width: every sample as wide as the first
            nin, has = len(row), f"{name}[0] has {len(row)}; every sample needs as many"
        if len(row) != nin:
            raise InputError(f"{name}[{i}] has {len(row)} values but {has}: {shown(row)}")
        rows.append(row)
    if not rows:
        raise InputError(f"{name} is empty: training needs at least one sample")
    return rows


def _targets(
    y: object, n: int, nout: int | None, name: str, lists: bool = False, has: str = "", classes: bool = False
) -> list[Target]:
    """One target per sample: a float for one output (a list of one for a Layer, which returns lists),
    a list of `nout` floats for several; all of one width, `nout` or else the first target's. With
    `classes` and several outputs, a label may be a class index (an int 0..nout-1), made a one-hot row;
    a label that is a float is then an error (a class is not 2.7, and 3.0 is a float by mistake)."""
    if isinstance(y, (str, bytes)) or not isinstance(y, Iterable):
        raise InputError(f"{name} must be a list of targets, got {type(y).__name__}: {shown(y)}")
    has = has or f"the model has {nout} outputs"
    out: list[Target] = []
    for i, t in enumerate(y):
        one = isinstance(t, numbers.Real) and not isinstance(t, bool)
        if one and classes and nout is not None and nout > 1:
            if not isinstance(t, numbers.Integral):
                raise InputError(
                    f"{name}[{i}] is {shown(t)}, a float: a class label must be an int 0..{nout - 1} (or give a "
                    f"row of {nout} probabilities)"
                )
            if not 0 <= int(t) < nout:
                raise InputError(f"{name}[{i}] is class {int(t)}, out of range: the model has {nout} outputs, "
                                 f"classes 0..{nout - 1}")  # fmt: skip
            t, one = [float(k == int(t)) for k in range(nout)], False
        ts = [float(t)] if one else _numbers(t, f"{name}[{i}]", "a number or a list of numbers")
        if nout is None:  # a model of unknown width: every target as wide as the first
            nout, has = len(ts), f"{name}[0] has {len(ts)}; every target needs as many"
        if len(ts) != nout:
            what = "is one number" if one else f"has {len(ts)} values"
            hint = ""
            if one and nout is not None and nout > 1 and not classes:
                hint = ": give one-hot rows (nn.data.one_hot), or class indices with loss='cross_entropy'"
            raise InputError(f"{name}[{i}] {what} but {has}{hint}")
        out.append(ts if lists or len(ts) != 1 else ts[0])
    if len(out) != n:
        raise InputError(f"{name} has {len(out)} targets but there are {n} samples; expected one each")
    return out


def _check_targets(loss: Loss, targets: list[Target], name: str) -> None:
    """Run the loss once on every target with stand-in outputs (0.5 each, no graph), so that its own
    checks of the targets (hinge's ±1, BCE's [0, 1], shapes) fail before the first update, not at it."""
    with no_grad():
        stand_ins = [[Value(0.5) for _ in t] if isinstance(t, list) else Value(0.5) for t in targets]
        try:
            value = loss(stand_ins, targets)
        except Exception as e:
            e.add_note(f"(fit runs the loss once on every target of {name} before training, to check them)")
            raise
    instance("loss(outputs, targets)", value, Value, "a Value (to call backward() on)")


def _forward_fn(model: Model) -> Callable[[Row], Value | list[Value]]:
    """One sample's output: numbers wrapped into Values once per sample, then the unchecked fast path."""
    if isinstance(model, (MLP, Layer, Neuron)):
        forward = model.forward
        return lambda row: forward([Value(v) for v in row])
    return model


def _data(out: object) -> Output:
    if isinstance(out, Value):
        return out.data
    if isinstance(out, (list, tuple)) and all(isinstance(v, Value) for v in out):
        return [v.data for v in out]
    raise TypeError(
        f"the model must return a Value or a list of Values, got {type(out).__name__}: {shown(out)}"
    )


# ---------------------------------------------------------------------------------------------------
# Accuracy: one rule for fit, evaluate and accuracy (see the module docstring).

_NONNEGATIVE = ("sigmoid", "relu", "softplus")
"""Output activations that cannot go negative: trained towards 0/1 targets, so the cut is at 0.5."""


def _threshold(model: object, loss: Loss | None, threshold: object) -> float:
    """The output above which a one-output sample counts as class 1: `threshold` if given, else 0.0 for
    logits and outputs that can be negative, 0.5 for sigmoid, relu and softplus outputs."""
    if threshold is not None:
        return real("threshold", threshold)
    if loss is binary_cross_entropy_with_logits:
        return 0.0
    act = model.output_activation if isinstance(model, MLP) else getattr(model, "activation", None)
    return 0.5 if isinstance(model, (MLP, Layer, Neuron)) and act in _NONNEGATIVE else 0.0


def _correct(outputs: Sequence[Output], targets: Sequence[Target], threshold: float) -> int:
    """How many outputs are right: one output, (o > threshold) == (t > 0.5); several, argmax o == argmax t."""
    hits = 0
    for o, t in zip(outputs, targets, strict=True):
        if (len(o) if isinstance(o, list) else 1) != (len(t) if isinstance(t, list) else 1):
            raise InputError(f"an output {shown(o)} and its target {shown(t)} differ in shape")
        hits += _class_of(o, threshold) == _class_of(t, 0.5)
    return hits


def predict(model: Model, X: Sequence[Sequence[float]]) -> list[Output]:
    """The model's outputs as numbers, one per sample, computed without recording a graph.

    >>> from nn import MLP
    >>> model = MLP(2, [1], seed=0)
    >>> [round(o, 6) for o in predict(model, [[0.0, 0.0], [1.0, 0.0]])]     # w·x + b, b = 0
    [0.0, 0.688844]
    >>> predict(None, [[0.0]])
    Traceback (most recent call last):
      ...
    TypeError: model must be an MLP, Layer or Neuron, or a callable on one sample, got NoneType: None
    """
    model = _callable(model)
    rows = _rows(X, _width(model, "nin"), "X")
    forward = _forward_fn(model)
    with no_grad():
        return [_data(forward(r)) for r in rows]


def classify(model: Model, X: Sequence[Sequence[float]], *, threshold: float | None = None) -> list[int]:
    """The class `model` says for each sample of `X` (`predict` gives its outputs): with one output, 1 when
    the output is above the threshold (from the model, as `accuracy`: 0.5 for sigmoid, relu, softplus
    outputs, else 0.0), else 0; with several outputs (k classes), the position of the largest.

    >>> from nn import MLP
    >>> model = MLP(2, [1], output_activation="sigmoid", seed=0)     # σ(0) = 0.5 is not above 0.5
    >>> classify(model, [[0.0, 0.0], [5.0, 0.0]])
    [0, 1]
    >>> classify(model, [[0.0, 0.0]], threshold=0.4)
    [1]
    """
    model = _callable(model)
    cut = _threshold(model, None, threshold)
    return [_class_of(o, cut) for o in predict(model, X)]


def _class_of(output: Output, cut: float) -> int:
    """The one rule for a class: a number (or a one-item list) is 1 when > cut, else 0; a longer list is
    the place of its largest item. Targets use cut 0.5 (0/1 and ±1 labels alike), outputs the threshold."""
    if isinstance(output, list) and len(output) == 1:
        output = output[0]
    if isinstance(output, list):
        return max(range(len(output)), key=output.__getitem__)
    return int(output > cut)


def accuracy(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], threshold: float | None = None
) -> float:
    """The fraction of samples classified right.

    One output: a label counts as class 1 when it is > 0.5 (0/1 and ±1 labels alike), the output when it
    is > `threshold`, which defaults from the model, never from the data: 0.5 for a sigmoid, relu or
    softplus output, 0.0 for linear, tanh and leaky_relu outputs and for any other kind of model. Several
    outputs: the largest output must be at the largest target (one-hot labels).

    >>> from nn import MLP
    >>> model = MLP(1, [1], seed=0)            # output = 0.688…·x, linear: class 1 for x > 0
    >>> accuracy(model, [[1.0], [-1.0], [2.0]], [1, -1, -1])
    0.6666666666666666
    >>> accuracy(model, [[0.5]], [1]), accuracy(model, [[0.5], [0.0]], [1, 0])   # the same rule for both
    (1.0, 1.0)
    """
    model = _callable(model)
    rows = _rows(X, _width(model, "nin"), "X")
    targets = _targets(y, len(rows), _width(model, "nout"), "y", _lists(model), classes=True)
    cut = _threshold(model, None, threshold)
    return _correct(predict(model, rows), targets, cut) / len(rows)


def evaluate(
    model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], loss: Loss | str = half_mse,
    threshold: float | None = None,
) -> tuple[float, float]:  # fmt: skip
    """(loss, accuracy) over a whole data set, without recording a graph. `loss` is a loss function or
    its name in nn.losses.LOSSES; accuracy as `accuracy` (with loss=binary_cross_entropy_with_logits the
    outputs are logits: threshold 0.0).

    >>> from nn import MLP
    >>> evaluate(MLP(1, [1], seed=0), [[0.0]], [1.0])          # output 0: ½(0 - 1)²; 0 is not > 0
    (0.5, 0.0)
    """
    model = _callable(model)
    loss = _loss_fn(loss)
    rows = _rows(X, _width(model, "nin"), "X")
    targets = _targets(y, len(rows), _width(model, "nout"), "y", _lists(model), classes=loss in CLASS_TARGETS)
    cut = _threshold(model, loss, threshold)
    forward = _forward_fn(model)
    with no_grad():
        outs = [forward(r) for r in rows]
        value = loss(outs, targets)
    instance("loss(outputs, targets)", value, Value, "a Value")
    return value.data, _correct([_data(o) for o in outs], targets, cut) / len(rows)


# ---------------------------------------------------------------------------------------------------
# One update.


class _NotFinite(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


def train_step(
    forward: Callable[[Row], Value | list[Value]],
    params: list[Value],
    optimizer: Optimizer,
    loss: Loss | str,
    xb: list[Row],
    yb: list[Target],
    l2: float = 0.0,
) -> tuple[float, list[Output]]:
    """One gradient step on a batch: forward, loss, backward, update. Returns the loss before the update
    and the outputs it was computed from (as numbers: the graph is freed on return).

    A non-finite loss or gradient raises before anything changes; the update itself is all or nothing
    (`Optimizer.step`). Needs gradients: not inside `no_grad()`.

    >>> from nn import MLP, SGD, half_mse
    >>> model = MLP(1, [1], seed=0); params = model.parameters()
    >>> w = params[0].data
    >>> loss, outputs = train_step(model, params, SGD(params, lr=0.5), half_mse, [[1.0]], [1.0])
    >>> loss == (w - 1.0) ** 2 / 2, outputs == [w]                      # C = ½(w·1 + 0 - 1)²
    (True, True)
    """
    _needs_grad("train_step")
    forward = function("forward", forward, "a model or a function of one sample")
    params = iterable("params", params, "a list of Values (model.parameters())")
    for i, p in enumerate(params):
        instance(f"params[{i}]", p, Value, "a Value")
    instance("optimizer", optimizer, Optimizer, "an nn.optim.Optimizer (SGD, Adam, ...)")
    loss = _loss_fn(loss)
    rows = _rows(xb, _width(forward, "nin"), "xb")
    targets = _targets(yb, len(rows), _width(forward, "nout"), "yb", _lists(forward), classes=loss in CLASS_TARGETS)
    l2 = real("l2", l2, low=0.0)
    if isinstance(forward, (MLP, Layer, Neuron)):
        forward = _forward_fn(forward)
    return _train_step(forward, params, optimizer, loss, rows, targets, l2)


def _needs_grad(what: str) -> None:
    if not is_grad_enabled():
        raise RuntimeError(
            f"{what} needs gradients and was called inside no_grad(): call it outside the `with no_grad():` block"
        )


def _train_step(
    forward: Callable[[Row], Value | list[Value]],
    params: list[Value],
    optimizer: Optimizer,
    loss: Loss,
    xb: list[Row],
    yb: list[Target],
    l2: float = 0.0,
) -> tuple[float, list[Output]]:
    evaluations: list[tuple[float, list[Output]]] = []

    def closure() -> Value:
        outs = [forward(x) for x in xb]
        value = loss(outs, yb)
        if l2:
            value = value + _penalty(params, l2)
        for p in params:
            p.grad = 0.0
        value.backward()
        evaluations.append((value.data, [_data(o) for o in outs]))
        return value

    return _step(optimizer, closure, evaluations, params)


_START: weakref.WeakKeyDictionary[Optimizer, tuple[list[float], tuple[float, list[Output]]]] = (
    weakref.WeakKeyDictionary()
)
"""For each closure method: the point its last step left the parameters at, and the (loss, outputs) the
closure gave there. Conjugate gradient does not evaluate its start point again (it is where the previous
step ended), so this is how that step is reported: with the loss and outputs at its start, as every step."""


def _step(
    optimizer: Optimizer,
    closure: Callable[[], Any],
    evaluations: list[tuple[float, list[Output]]],
    params: list[Value],
) -> tuple[float, list[Output]]:
    """Run the closure (once, or as often as the optimizer's line search asks), check, then update.

    `evaluations` receives every closure call's (loss, outputs); the step is reported with those at its
    start point, before the update. A non-finite loss or gradient there raises _NotFinite before any
    update (inside a closure method's step, which then puts back everything it changed; a trial point of
    a line search that is not finite is the method's business); the optimizer refuses an update that
    would leave a parameter unsafe.
    """
    if not optimizer.needs_closure:
        closure()
        _check(evaluations[0][0], params)
        optimizer.step()
        return evaluations[0]
    start = [p.data for p in params]
    known = _START.get(optimizer)
    if known is None or known[0] != start:
        optimizer._forget()  # its start is not one we saw evaluated: evaluate it afresh
        known = None
    points: list[list[float]] = []

    def checked() -> Any:
        points.append([p.data for p in params])
        value = closure()
        if len(points) == 1 and points[0] == start:  # the start point: non-finite there is divergence
            _check(evaluations[0][0], params)
        return value

    optimizer.step(checked)
    end = [p.data for p in params]
    at = next((k for k in range(len(points) - 1, -1, -1) if points[k] == end), None)
    if at is not None:
        _START[optimizer] = (end, evaluations[at])
    elif end != start:
        _START.pop(optimizer, None)
    if points and points[0] == start:
        return evaluations[0]
    return known[1] if known is not None else evaluations[0]


def _check(loss: float, params: list[Value]) -> None:
    if not math.isfinite(loss):
        raise _NotFinite(f"the loss is {loss!r}")
    total = 0.0
    for p in params:
        total += abs(p.grad)  # one pass; inf or nan anywhere makes the total inf or nan
    if not math.isfinite(total):
        bad = next((p for p in params if not math.isfinite(p.grad)), None)
        if bad is not None:
            raise _NotFinite(f"a gradient is {bad.grad!r}")


# ---------------------------------------------------------------------------------------------------
# One update, compiled: one sample's loss traced once, replayed as straight-line code for every sample.


@dataclass
class CompiledLoss:
    """One sample's loss as compiled code (`autograd.compile`, with the model's output as its aux value).
    Its inputs are the sample's features, then its target numbers."""

    code: Compiled
    params: list[Value]
    reduction: Literal["mean", "sum"]

    def run(self, samples: Sequence[Sequence[float]]) -> tuple[list[float], list[Output]]:
        """Add every sample's d loss/d param into `.grad`; return each sample's loss and outputs."""
        losses, outputs = self.code.backward_batch(samples)
        return losses, outputs


def _per_sample(loss: Loss) -> PerSample:
    form = PER_SAMPLE.get(loss)
    if form is None:
        name = getattr(loss, "__name__", "my_loss")
        raise ValueError(
            f"compiled=True needs to know how the loss {name} is made of per-sample losses: is {name}(batch) the "
            f"mean or the sum of {name}([output], [target]) over the samples? Say so with "
            f'nn.losses.PER_SAMPLE[{name}] = nn.losses.PerSample({name}, "mean") (or "sum"), or train uncompiled'
        )
    return form


def compile_loss(model: Model, loss: Loss, samples: list[tuple[float, ...]], nin: int, nout: int) -> CompiledLoss:
    """Trace `loss(model(x), y)` for one sample and compile it; `samples` are (x..., y...) tuples, the first
    few the examples it is traced on. A model whose graph depends on the data raises DataDependentError.

    >>> from nn import MLP, squared_error
    >>> model = MLP(1, [1], seed=0); w = model.parameters()[0]
    >>> c = compile_loss(model, squared_error, [(1.0, 0.0), (2.0, 1.0)], nin=1, nout=1)
    >>> losses, outputs = c.run([(2.0, 1.0)])         # E = ½(w·2 - 1)², dE/dw = (w·2 - 1)·2
    >>> outputs == [2 * w.data], w.grad == (2 * w.data - 1) * 2
    (True, True)
    """
    form = _per_sample(loss)
    call = getattr(model, "forward", model)  # an nn module's unchecked fast path, or the model itself

    def sample_loss(*xs: Value) -> tuple[Value, Value | list[Value]]:
        out = call(list(xs[:nin]))
        target: Value | list[Value] = xs[nin] if nout == 1 else list(xs[nin:])
        return form.per_sample([out], [target]), out  # the output is reported beside the loss (accuracy)

    params = model.parameters()
    code = compile(sample_loss, params, samples[:3], has_aux=True)
    return CompiledLoss(code, params, form.reduction)


def compiled_step(
    loss: CompiledLoss, optimizer: Optimizer, samples: list[tuple[float, ...]], l2: float = 0.0
) -> tuple[float, list[Output]]:
    """`train_step` with compiled code: per-sample gradients summed, then scaled as the batch loss is (÷N
    for a mean). Returns the loss before the update and the outputs it came from. A non-finite loss or
    gradient raises before anything changes.

    >>> from nn import MLP, SGD, half_mse
    >>> model = MLP(1, [1], seed=0); params = model.parameters()
    >>> c = compile_loss(model, half_mse, [(1.0, 1.0), (2.0, 0.0)], nin=1, nout=1)
    >>> w = params[0].data
    >>> value, outputs = compiled_step(c, SGD(params, lr=0.5), [(1.0, 1.0), (2.0, 0.0)])
    >>> value == ((w - 1.0) ** 2 / 2 + (2 * w) ** 2 / 2) / 2, outputs == [w, 2 * w]   # the mean of ½(ŷ - y)²
    (True, True)
    """
    return _compiled_step(loss, optimizer, samples, real("l2", l2, low=0.0))


def _compiled_step(
    loss: CompiledLoss, optimizer: Optimizer, samples: list[tuple[float, ...]], l2: float
) -> tuple[float, list[Output]]:
    """`compiled_step` with `l2` checked already (fit checks it once)."""
    params, m = loss.params, len(samples)
    first: list[tuple[float, list[Output]]] = []

    def closure() -> float:
        for p in params:
            p.grad = 0.0
        losses, outs = loss.run(samples)
        value = sum(losses)
        if loss.reduction == "mean" and m > 1:
            value /= m
            for p in params:
                p.grad /= m
        if l2:
            with no_grad():
                value += _penalty(params, l2).data
            for p in params:
                p.grad += 2.0 * l2 * p.data  # d(l2·Σp²)/dp
        first.append((value, outs))  # every evaluation: _step picks the one it reports
        return value

    return _step(optimizer, closure, first, params)


# ---------------------------------------------------------------------------------------------------
# The loop.


def _compile_fit(
    model: Model, loss: Loss, forward: Callable[[Row], Value | list[Value]], rows: list[Row], targets: list[Target]
) -> tuple[CompiledLoss, list[tuple[float, ...]]]:
    """The compiled loss for `fit(compiled=True)`, and every sample as one tuple (features, then targets)."""
    _per_sample(loss)  # an unknown loss is refused first, before any tracing
    samples = [(*x, t) if isinstance(t, float) else (*x, *t) for x, t in zip(rows, targets, strict=True)]
    if len({len(s) for s in samples}) != 1:
        raise InputError("compiled=True needs every sample to have as many features and targets as the first")
    # fit ran the loss on every target already (_check_targets), with outputs as wide as the targets: an nn
    # module's outputs are (_targets checked the widths). Another model's may not be, on a sample the trace
    # never sees, so its outputs go through the loss once here.
    if not isinstance(model, (MLP, Layer, Neuron)):
        with no_grad():
            loss([forward(x) for x in rows], targets)
    nout = 1 if isinstance(targets[0], float) else len(targets[0])
    return compile_loss(model, loss, samples, len(rows[0]), nout), samples


def _progress(epochs: int, enabled: bool) -> Any:
    if enabled:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped]  # optional: chainrule[progress]
        except ImportError:
            return None
        return tqdm(total=epochs, unit="epoch", dynamic_ncols=True, leave=True)
    return None


class _CtrlC:
    """Ctrl-C while `fit` runs: the first press asks to stop at the next step boundary, later ones stop now."""

    def __init__(self) -> None:
        self.presses = 0

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.presses += 1
        if self.presses > 1:
            raise KeyboardInterrupt


@contextmanager
def _ctrl_c() -> Iterator[_CtrlC]:
    """Catch SIGINT as `_CtrlC` while inside, if this is the main thread and Ctrl-C would otherwise raise
    KeyboardInterrupt (Python's default handler); else (another thread, your own SIGINT handler, Ctrl-C
    ignored) leave it alone. The previous handler is always put back."""
    stop = _CtrlC()
    main = threading.current_thread() is threading.main_thread()
    if not (main and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
        yield stop
        return
    signal.signal(signal.SIGINT, stop)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def fit(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: Loss | str = half_mse,
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: int = 0,
    schedule: Schedule | None = None,
    l2: float = 0.0,
    validation: tuple[Sequence[Sequence[float]], Sequence[Any]] | None = None,
    target_loss: float | None = None,
    progress: bool = True,
    compiled: bool = False,
    threshold: float | None = None,
) -> History:
    """Train `model` on samples X with targets y; return the History of loss and accuracy per epoch.

    `loss` is a loss function or its name in nn.losses.LOSSES ("squared_error", "mse", "hinge", "bce").
    `batch_size`: 1 is online training, None full batch, k mini-batches (shuffled each epoch with
    `random.Random(seed)` when `shuffle`). `optimizer` defaults to SGD(lr=0.1) over model.parameters().
    `schedule(epoch)` sets the learning rate before each epoch. `l2` adds l2·Σw² to the loss.
    `validation=(X_val, y_val)` is measured after every epoch. Training stops early once an epoch's loss
    is at or below `target_loss`. Accuracy follows this module's rule (`threshold` overrides the model's).

    Before the first update everything is checked: the arguments (TypeError or ValueError naming the one
    at fault), every sample and target (shapes, and the loss run once on all targets with stand-in
    outputs, so hinge's ±1 or BCE's [0, 1] fail now), the rate `schedule` gives for every epoch (finite,
    > 0), and that gradients are on (not inside `no_grad()`: RuntimeError).

    While it runs, an update is all or nothing. A step whose loss or gradient is NaN or infinite, or whose
    update would put a parameter beyond ±√(max float) ≈ 1.34e154, raises DivergedError naming the epoch
    and step, with the parameters and the optimizer's state as before that step. Ctrl-C raises
    TrainingInterrupted (a KeyboardInterrupt) at the end of the running update, with the parameters of
    that update and the History so far attached (`.history`); a second Ctrl-C stops at once, still with
    no update half-applied. fit catches Ctrl-C this way only while it runs in the main thread with
    Python's default SIGINT handler in place (it puts that back when it returns); in another thread, or
    with your own handler (or Ctrl-C ignored), it leaves SIGINT alone.

    `compiled=True` traces one sample's loss once and trains with its compiled straight-line code
    (`autograd.compile`): the same updates up to rounding (per-sample gradients are summed, then scaled to
    the batch convention, where the batch graph rounds in another order), several times faster. The loss
    must be in `nn.losses.PER_SAMPLE`; a model whose graph depends on the data raises DataDependentError.

    >>> from nn import MLP, Adam, fit
    >>> X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [-1, 1, 1, -1]          # xor
    >>> model = MLP(2, [8, 1], activation="tanh", seed=1)
    >>> h = fit(model, X, y, optimizer=Adam(model.parameters(), lr=0.05), epochs=200, progress=False)
    >>> h.accuracy[-1], h.loss[-1] < 0.01
    (1.0, True)
    >>> model = MLP(2, [8, 1], activation="tanh", seed=1)
    >>> hc = fit(model, X, y, optimizer=Adam(model.parameters(), lr=0.05), epochs=200, progress=False,
    ...          compiled=True)
    >>> hc.accuracy == h.accuracy, max(abs(a - b) for a, b in zip(hc.loss, h.loss)) < 1e-9
    (True, True)
    >>> fit(model, X, y, loss="hinge", epochs=1, progress=False).epochs
    1
    """
    _needs_grad("fit")
    model = _trainable(model)
    loss = _loss_fn(loss)
    epochs = integer("epochs", epochs, low=1)
    batch_size = optional(integer, "batch_size", batch_size, low=1)
    shuffle = flag("shuffle", shuffle)
    seed = integer("seed", seed)
    l2 = real("l2", l2, low=0.0)
    target_loss = optional(real, "target_loss", target_loss)
    progress = flag("progress", progress)
    compiled = flag("compiled", compiled)
    schedule = optional(
        function, "schedule", schedule, expected="a function of the epoch (0, 1, ...) giving the rate"
    )
    cut = _threshold(model, loss, threshold)

    rows = _rows(X, _width(model, "nin"), "X")
    classes = loss in CLASS_TARGETS
    targets = _targets(y, len(rows), _width(model, "nout"), "y", _lists(model), classes=classes)
    n = len(rows)
    size = n if batch_size is None else min(batch_size, n)
    params = iterable("model.parameters()", model.parameters(), "a list of Values")
    for i, p in enumerate(params):
        instance(f"model.parameters()[{i}]", p, Value, "a Value")
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)
    else:
        instance("optimizer", optimizer, Optimizer, "an nn.optim.Optimizer (SGD, Adam, ...)")
        mine = set(params)
        if not any(p in mine for p in optimizer.params):
            raise ValueError(
                f"optimizer holds none of the model's parameters: make it with {type(optimizer).__name__}"
                "(model.parameters(), ...) for this model"
            )
    if optimizer.needs_closure and size < n:
        raise ValueError(
            f"{type(optimizer).__name__} is a full-batch method: use batch_size=None, got {batch_size}"
        )
    val: tuple[list[Row], list[Target]] | None = None
    if validation is not None:
        pair = iterable("validation", validation, "a pair (X_val, y_val)")
        if len(pair) != 2:
            raise InputError(f"validation must be a pair (X_val, y_val), got {len(pair)} items")
        known = _width(model, "nin") is not None  # else: as wide as the training samples and targets
        nin, nout = len(rows[0]), len(targets[0]) if isinstance(targets[0], list) else 1
        vrows = _rows(pair[0], nin, "validation X", "" if known else f"the samples in X have {nin}")
        vtargets = _targets(
            pair[1],
            len(vrows),
            nout,
            "validation y",
            _lists(model),
            "" if known else f"the targets in y have {nout}",
            classes,
        )
        val = (vrows, vtargets)
    rates = None
    if schedule is not None:  # every epoch's rate, checked now rather than when that epoch comes
        rates = [real(f"schedule({e})", schedule(e), low=0.0, low_open=True) for e in range(epochs)]
    _check_targets(loss, targets, "y")
    if val is not None:
        _check_targets(loss, val[1], "validation y")

    forward = _forward_fn(model)
    code, samples = _compile_fit(model, loss, forward, rows, targets) if compiled else (None, [])
    if optimizer.needs_closure:  # this data may not be what it saw before: with no start known, the first
        _START.pop(optimizer, None)  # step makes the optimizer forget what it remembers (_step)
    rng = random.Random(seed)
    order = list(range(n))
    steps = (n + size - 1) // size
    history = History()
    done = running = (0, 0)  # (epoch, step) of the last completed update and of the one running, 1-based
    updates = getattr(optimizer, "_updates", 0)
    bar = _progress(epochs, progress)
    try:
        with _ctrl_c() as stop:
            for epoch in range(epochs):
                if rates is not None:
                    optimizer.lr = rates[epoch]
                if shuffle and size < n:
                    rng.shuffle(order)
                total, hits = 0.0, 0
                for step, start in enumerate(range(0, n, size)):
                    idx = order[start : start + size]
                    yb = [targets[i] for i in idx]
                    running = (epoch + 1, step + 1)
                    try:
                        if code is None:
                            value, outs = _train_step(
                                forward, params, optimizer, loss, [rows[i] for i in idx], yb, l2
                            )
                        else:
                            value, outs = _compiled_step(code, optimizer, [samples[i] for i in idx], l2)
                    except (_NotFinite, FloatingPointError) as e:
                        what = e.what if isinstance(e, _NotFinite) else getattr(e, "reason", str(e))
                        raise DivergedError(
                            f"training diverged at epoch {epoch + 1} of {epochs}, step {step + 1} of {steps}: "
                            f"{what}; the parameters are as before that step (try a smaller learning rate)",
                            epoch + 1, step + 1, history, what,
                        ) from None  # fmt: skip
                    done = (epoch + 1, step + 1)
                    history.steps += 1
                    total += value * len(idx)
                    hits += _correct(outs, yb, cut)
                    if stop.presses and step + 1 < steps:
                        raise TrainingInterrupted(history, *done)
                epoch_loss, epoch_accuracy = total / n, hits / n
                if val is not None:
                    vl, va = evaluate(model, val[0], val[1], loss, cut)
                    history.val_loss.append(vl)
                    history.val_accuracy.append(va)
                history.loss.append(epoch_loss)
                history.accuracy.append(epoch_accuracy)
                if bar is not None:
                    bar.set_postfix(
                        loss=f"{history.loss[-1]:.4g}", acc=f"{history.accuracy[-1]:.3f}", refresh=False
                    )
                    bar.update(1)
                if stop.presses:
                    raise TrainingInterrupted(history, *done)
                if target_loss is not None and history.loss[-1] <= target_loss:
                    history.stopped_early = True
                    break
    except KeyboardInterrupt as e:
        if isinstance(e, TrainingInterrupted):
            raise
        history._trim(val is not None)  # a second Ctrl-C: at once, wherever it landed
        stood = getattr(optimizer, "_updates", 0) - updates
        if stood > history.steps:  # it landed after an update stood, before it was counted
            history.steps, done = stood, running
        raise TrainingInterrupted(history, *done) from e
    finally:
        if bar is not None:
            bar.close()
    return history
