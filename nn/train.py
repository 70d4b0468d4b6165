"""Training: `fit` (online, mini-batch or full batch), `predict`, `accuracy`, `evaluate`.

`batch_size=1` is online training (an update after every pattern), `None` full batch (one update per
epoch, the only choice for conjugate gradient), and k mini-batches of k patterns, reshuffled every epoch
with a seeded `random.Random`. One update is `train_step`: forward, loss, backward, check, step. Every part
of it is linear in the number of parameters.

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from autograd import Compiled, Value, compile, no_grad

from .layers import MLP, InputError, Layer, Neuron
from .losses import PER_SAMPLE, Loss, PerSample, binary_cross_entropy_with_logits, half_mse, l2_penalty
from .optim import SGD, Optimizer, Schedule

__all__ = [
    "CompiledLoss", "DivergedError", "History", "Model", "accuracy", "compile_loss", "compiled_step", "evaluate",
    "fit", "predict", "train_step",
]  # fmt: skip

Row = list[float]
Target = float | list[float]
Output = float | list[float]


class Model(Protocol):
    """What `fit` trains: called on one sample, it returns a Value or a list; it has parameters."""

    def __call__(self, x: Any) -> Value | list[Value]: ...

    def parameters(self) -> list[Value]: ...


class DivergedError(FloatingPointError):
    """The loss (or a gradient) became NaN or infinite; the parameters are as before that step.

    `epoch` and `step` are 1-based; `history` holds the epochs completed before.

    >>> issubclass(DivergedError, ArithmeticError)
    True
    """

    def __init__(self, message: str, epoch: int, step: int, history: History) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.step = step
        self.history = history


@dataclass
class History:
    """Per-epoch training record: mean loss and accuracy over the epoch's batches, and the same on the
    validation set when one was given (measured after the epoch).

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
        s += f", accuracy {self.accuracy[0]:.4g} -> {self.accuracy[-1]:.4g}"
        if self.val_loss:
            s += f", validation loss {self.val_loss[-1]:.4g}, accuracy {self.val_accuracy[-1]:.4g}"
        return s + (", stopped early)" if self.stopped_early else ")")


# ---------------------------------------------------------------------------------------------------
# Checking data once, up front, so a training step does no checks.


def _width(model: Model, attr: str) -> int | None:
    if isinstance(model, Neuron):
        return model.nin if attr == "nin" else 1
    if isinstance(model, (MLP, Layer)):
        return int(getattr(model, attr))
    return None


def _numbers(x: object, where: str, kind: str, width: int | None, has: str) -> list[float]:
    """One sample's numbers (or one target's), checked: a list of `width` real numbers, as floats."""
    if isinstance(x, (str, bytes)) or not isinstance(x, Iterable):
        raise InputError(f"{where} must be {kind}, got {type(x).__name__}: {x!r}")
    row = list(x)
    if width is not None and len(row) != width:
        raise InputError(f"{where} has {len(row)} values but the model {has}: {row!r}")
    for k, v in enumerate(row):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise InputError(f"{where}[{k}] must be a number, got {type(v).__name__}: {v!r}")
    return [float(v) for v in row]


def _rows(X: object, nin: int | None, name: str) -> list[Row]:
    if isinstance(X, (str, bytes)) or not isinstance(X, Iterable):
        raise InputError(f"{name} must be a list of samples (lists of numbers), got {type(X).__name__}")
    rows: list[Row] = []
    for i, x in enumerate(X):
        row = [x] if isinstance(x, numbers.Real) else x
        rows.append(_numbers(row, f"{name}[{i}]", "a list of numbers", nin, f"takes {nin} inputs"))
    if not rows:
        raise InputError(f"{name} is empty: training needs at least one sample")
    return rows


def _targets(y: object, n: int, nout: int | None, name: str) -> list[Target]:
    if isinstance(y, (str, bytes)) or not isinstance(y, Iterable):
        raise InputError(f"{name} must be a list of targets, got {type(y).__name__}")
    out: list[Target] = []
    for i, t in enumerate(y):
        if isinstance(t, numbers.Real) and not isinstance(t, bool):
            if nout is not None and nout != 1:
                raise InputError(f"{name}[{i}] is one number but the model has {nout} outputs")
            out.append(float(t))
            continue
        ts = _numbers(t, f"{name}[{i}]", "a number or a list of numbers", nout, f"has {nout} outputs")
        out.append(ts[0] if len(ts) == 1 else ts)
    if len(out) != n:
        raise InputError(f"{name} has {len(out)} targets but there are {n} samples; expected one each")
    return out


def _forward_fn(model: Model) -> Callable[[Row], Value | list[Value]]:
    """One sample's output: numbers wrapped into Values once per sample, then the unchecked fast path."""
    if isinstance(model, (MLP, Layer, Neuron)):
        forward = model.forward
        return lambda row: forward([Value(v) for v in row])
    return model


def _data(out: Value | list[Value]) -> Output:
    return out.data if isinstance(out, Value) else [v.data for v in out]


# ---------------------------------------------------------------------------------------------------
# Accuracy: a single output is a binary decision at a threshold; several outputs, the largest wins.


def _midpoint(targets: Sequence[Target]) -> float:
    scalars = [t for t in targets if isinstance(t, float)]
    return (min(scalars) + max(scalars)) / 2.0 if scalars else 0.5


def _correct(outputs: Sequence[Output], targets: Sequence[Target], threshold: float, label_cut: float) -> int:
    hits = 0
    for o, t in zip(outputs, targets, strict=True):
        if isinstance(o, float) and isinstance(t, float):
            hits += (o > threshold) == (t > label_cut)
        elif isinstance(o, list) and isinstance(t, list):
            hits += max(range(len(o)), key=o.__getitem__) == max(range(len(t)), key=t.__getitem__)
        else:
            raise InputError(f"an output {o!r} and its target {t!r} differ in shape")
    return hits


def _cuts(targets: Sequence[Target], loss: Loss | None, threshold: float | None) -> tuple[float, float]:
    label_cut = _midpoint(targets) if len({t for t in targets if isinstance(t, float)}) > 1 else 0.5
    if threshold is None:
        threshold = 0.0 if loss is binary_cross_entropy_with_logits else label_cut
    return threshold, label_cut


def predict(model: Model, X: Sequence[Sequence[float]]) -> list[Output]:
    """The model's outputs as numbers, one per sample, computed without recording a graph.

    >>> from nn import MLP
    >>> model = MLP(2, [1], seed=0)
    >>> [round(o, 6) for o in predict(model, [[0.0, 0.0], [1.0, 0.0]])]     # w·x + b, b = 0
    [0.0, 0.688844]
    """
    rows = _rows(X, _width(model, "nin"), "X")
    forward = _forward_fn(model)
    with no_grad():
        return [_data(forward(r)) for r in rows]


def accuracy(model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], threshold: float | None = None) -> float:
    """The fraction of samples classified right.

    One output: the sample counts as positive when output > `threshold`, its label when it is above the
    midpoint of the labels (0 for ±1 labels, 0.5 for 0/1); `threshold` defaults to that midpoint (pass 0.0
    for logits). Several outputs: the largest output must be at the largest target (one-hot labels).

    >>> from nn import MLP
    >>> model = MLP(1, [1], seed=0)            # output = 0.688…·x: positive for x > 0
    >>> accuracy(model, [[1.0], [-1.0], [2.0]], [1, -1, -1])
    0.6666666666666666
    """
    rows = _rows(X, _width(model, "nin"), "X")
    targets = _targets(y, len(rows), _width(model, "nout"), "y")
    cut, label_cut = _cuts(targets, None, threshold)
    return _correct(predict(model, rows), targets, cut, label_cut) / len(rows)


def evaluate(model: Model, X: Sequence[Sequence[float]], y: Sequence[Any], loss: Loss = half_mse) -> tuple[float, float]:
    """(loss, accuracy) over a whole data set, without recording a graph.

    >>> from nn import MLP
    >>> evaluate(MLP(1, [1], seed=0), [[0.0]], [1.0])          # output 0: ½(0 - 1)²; 0 is not > 0.5
    (0.5, 0.0)
    """
    rows = _rows(X, _width(model, "nin"), "X")
    targets = _targets(y, len(rows), _width(model, "nout"), "y")
    forward = _forward_fn(model)
    with no_grad():
        outs = [forward(r) for r in rows]
        value = loss(outs, targets).data
    threshold, label_cut = _cuts(targets, loss, None)
    return value, _correct([_data(o) for o in outs], targets, threshold, label_cut) / len(rows)


# ---------------------------------------------------------------------------------------------------
# One update.


class _NotFinite(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


def train_step(
    forward: Callable[[Row], Value | list[Value]],
    params: list[Value],
    optimizer: Optimizer,
    loss: Loss,
    xb: list[Row],
    yb: list[Target],
    l2: float = 0.0,
) -> tuple[float, list[Output]]:
    """One gradient step on a batch: forward, loss, backward, update. Returns the loss before the update
    and the outputs it was computed from (as numbers: the graph is freed on return).

    A non-finite loss or gradient raises before anything changes.

    >>> from nn import MLP, SGD, half_mse
    >>> model = MLP(1, [1], seed=0); params = model.parameters()
    >>> w = params[0].data
    >>> loss, outputs = train_step(model, params, SGD(params, lr=0.5), half_mse, [[1.0]], [1.0])
    >>> loss == (w - 1.0) ** 2 / 2, outputs == [w]                      # C = ½(w·1 + 0 - 1)²
    (True, True)
    """
    first: list[tuple[float, list[Output]]] = []

    def closure() -> Value:
        outs = [forward(x) for x in xb]
        value = loss(outs, yb)
        if l2:
            value = value + l2_penalty(params, l2)
        for p in params:
            p.grad = 0.0
        value.backward()
        if not first:
            first.append((value.data, [_data(o) for o in outs]))
        return value

    return _step(optimizer, closure, first, params)


def _step(
    optimizer: Optimizer,
    closure: Callable[[], Any],
    first: list[tuple[float, list[Output]]],
    params: list[Value],
) -> tuple[float, list[Output]]:
    """Run the closure (once, or as often as the optimizer's line search asks), check, then update.

    `first` receives the first evaluation's (loss, outputs): what the step is reported with.
    """
    if optimizer.needs_closure:
        optimizer.step(closure)  # a closure method leaves the parameters alone when the start is not finite
        _check(first[0][0], params)
    else:
        closure()
        _check(first[0][0], params)
        optimizer.step()
    return first[0]


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
    """One sample's loss as compiled code. Its inputs are the sample's features, then its target numbers.

    `probes` are zeros added to the traced loss as Σₖ uₖ·ŷₖ: they change no number, and d/duₖ = ŷₖ, so the
    backward pass also reports the model's outputs (for accuracy) without a second forward pass.
    """

    code: Compiled
    params: list[Value]
    probes: list[Value]
    reduction: Literal["mean", "sum"]

    def run(self, samples: Sequence[Sequence[float]]) -> tuple[list[float], list[Output]]:
        """Add every sample's d loss/d param into `.grad`; return each sample's loss and outputs."""
        losses: list[float] = []
        outputs: list[Output] = []
        probes, one = self.probes, len(self.probes) == 1
        for s in samples:
            for u in probes:
                u.grad = 0.0
            losses += self.code.backward_batch([s])
            outputs.append(probes[0].grad if one else [u.grad for u in probes])
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
    call = model.forward if isinstance(model, (MLP, Layer, Neuron)) else model
    probes = [Value(0.0, f"u{k}") for k in range(nout)]

    def sample_loss(*xs: Value) -> Value:
        out = call(list(xs[:nin]))
        target: Value | list[Value] = xs[nin] if nout == 1 else list(xs[nin:])
        value = form.per_sample([out], [target])
        for u, o in zip(probes, [out] if isinstance(out, Value) else out, strict=True):
            value = value + u * o  # u = 0: adds exact zeros to the loss and its gradients; d/du = o
        return value

    params = model.parameters()
    code = compile(sample_loss, [*params, *probes], samples[:3])
    return CompiledLoss(code, params, probes, form.reduction)


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
                value += l2_penalty(params, l2).data
            for p in params:
                p.grad += 2.0 * l2 * p.data  # d(l2·Σp²)/dp
        if not first:
            first.append((value, outs))
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
    with no_grad():  # the loss's own checks of every target, once (its per-sample form is traced on Values)
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


def fit(
    model: Model,
    X: Sequence[Sequence[float]],
    y: Sequence[Any],
    *,
    loss: Loss = half_mse,
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
) -> History:
    """Train `model` on samples X with targets y; return the History of loss and accuracy per epoch.

    `batch_size`: 1 is online training, None full batch, k mini-batches (shuffled each epoch with
    `random.Random(seed)` when `shuffle`). `optimizer` defaults to SGD(lr=0.1) over model.parameters().
    `schedule(epoch)` sets the learning rate before each epoch. `l2` adds l2·Σw² to the loss.
    `validation=(X_val, y_val)` is measured after every epoch. Training stops early once an epoch's loss
    is at or below `target_loss`. A NaN or infinite loss or gradient raises DivergedError naming the
    epoch and step, with the parameters as before that step.

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
    """
    rows = _rows(X, _width(model, "nin"), "X")
    targets = _targets(y, len(rows), _width(model, "nout"), "y")
    n = len(rows)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an int >= 1, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"batch_size must be an int >= 1 (1 is online training) or None (full batch), got {batch_size!r}")
    size = n if batch_size is None else min(batch_size, n)
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not (math.isfinite(l2) and l2 >= 0):
        raise ValueError(f"l2 must be a finite number >= 0, got {l2!r}")
    if target_loss is not None and (isinstance(target_loss, bool) or not isinstance(target_loss, numbers.Real)):
        raise TypeError(f"target_loss must be a number or None, got {type(target_loss).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    if not isinstance(compiled, bool):
        raise TypeError(f"compiled must be True or False, got {type(compiled).__name__}: {compiled!r}")
    params = model.parameters()
    if optimizer is None:
        optimizer = SGD(params, lr=0.1)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an nn.optim.Optimizer (SGD, Adam, ...), got {type(optimizer).__name__}")
    if optimizer.needs_closure and size < n:
        raise ValueError(f"{type(optimizer).__name__} is a full-batch method: use batch_size=None, got {batch_size}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function of the epoch, got {type(schedule).__name__}")
    val: tuple[list[Row], list[Target]] | None = None
    if validation is not None:
        if not isinstance(validation, tuple) or len(validation) != 2:
            raise InputError("validation must be a pair (X_val, y_val)")
        vrows = _rows(validation[0], _width(model, "nin"), "validation X")
        val = (vrows, _targets(validation[1], len(vrows), _width(model, "nout"), "validation y"))
    if schedule is not None:
        optimizer.lr = schedule(0)  # a bad schedule fails here, before any training

    threshold, label_cut = _cuts(targets, loss, None)
    forward = _forward_fn(model)
    code, samples = _compile_fit(model, loss, forward, rows, targets) if compiled else (None, [])
    rng = random.Random(seed)
    order = list(range(n))
    history = History()
    bar = _progress(epochs, progress)
    try:
        for epoch in range(epochs):
            if schedule is not None:
                optimizer.lr = schedule(epoch)
            if shuffle and size < n:
                rng.shuffle(order)
            total, hits = 0.0, 0
            for step, start in enumerate(range(0, n, size)):
                idx = order[start : start + size]
                yb = [targets[i] for i in idx]
                try:
                    if code is None:
                        value, outs = train_step(forward, params, optimizer, loss, [rows[i] for i in idx], yb, l2)
                    else:
                        value, outs = compiled_step(code, optimizer, [samples[i] for i in idx], l2)
                except _NotFinite as e:
                    steps = (n + size - 1) // size
                    raise DivergedError(
                        f"training diverged at epoch {epoch + 1} of {epochs}, step {step + 1} of {steps}: "
                        f"{e.what}; the parameters are as before that step (try a smaller learning rate)",
                        epoch + 1, step + 1, history,
                    ) from None  # fmt: skip
                total += value * len(idx)
                hits += _correct(outs, yb, threshold, label_cut)
                history.steps += 1
            history.loss.append(total / n)
            history.accuracy.append(hits / n)
            if val is not None:
                vl, va = evaluate(model, val[0], val[1], loss)
                history.val_loss.append(vl)
                history.val_accuracy.append(va)
            if bar is not None:
                bar.set_postfix(loss=f"{history.loss[-1]:.4g}", acc=f"{history.accuracy[-1]:.3f}", refresh=False)
                bar.update(1)
            if target_loss is not None and history.loss[-1] <= target_loss:
                history.stopped_early = True
                break
    finally:
        if bar is not None:
            bar.close()
    return history
