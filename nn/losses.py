"""Loss functions: each returns one Value to call `.backward()` on, and states its convention.

Shapes, as PyTorch's: the first axis is the batch. `predictions` is a Value (one sample, one output), a
list of Values (N samples, one output each) or a list of lists (N samples, K outputs each); `targets`
has the same shape with numbers. A single pattern with K outputs is a batch of one: `[outputs]`.
Mismatched shapes are an InputError (a ValueError) saying what came and what was expected.

Each loss is a handful of nodes whatever N: the squares are one `dot` node (d·d = Σ dᵢ²), the hinge
terms one `sum` node.

`PER_SAMPLE` states how each batch loss is made of per-sample losses, for compiled training
(`fit(..., compiled=True)`), which traces one sample's loss and combines the samples itself.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, NamedTuple, Union

import autograd
from autograd import Value, dot
from autograd.checks import instance, iterable, real, shown
from autograd.modes import is_tracing

from .layers import InputError

__all__ = [
    "CLASS_TARGETS", "LOSSES", "PER_SAMPLE", "Loss", "PerSample", "binary_cross_entropy_with_logits",
    "cross_entropy", "half_mse", "hinge", "l2_penalty", "mse", "squared_error",
]  # fmt: skip

Predictions = Union[Value, Sequence[Union[Value, Sequence[Value]]]]  # noqa: UP007 -- a runtime alias
Targets = Union[float, Value, Sequence[Union[float, Value, Sequence[Union[float, Value]]]]]  # noqa: UP007
Loss = Callable[[Predictions, Targets], Value]
"""A loss: (predictions, targets) -> a scalar Value."""


def _number(t: object, name: str, where: str) -> float | Value:
    """A target: a Value as it is (compiled mode traces targets; a drawing names them: `nn.step_through`),
    a number as a float, which the engine makes a constant leaf (no node built or checked here)."""
    if isinstance(t, Value):
        return t
    if isinstance(t, numbers.Real) and not isinstance(t, bool):
        try:
            return float(t)
        except OverflowError:  # an int beyond float range
            raise InputError(f"{name}: target {where} is too large for a float, got {shown(t)}") from None
    raise InputError(f"{name}: target {where} must be a number, got {type(t).__name__}: {shown(t)}")


def _row(t: object) -> list[object] | None:
    """`t` as a list if it is a row of targets (a list, tuple, numpy array: any iterable but a string or a
    Value), else None."""
    if type(t) is list:
        return t
    if isinstance(t, (str, bytes, Value)) or not isinstance(t, Iterable):
        return None
    try:
        return list(t)
    except TypeError:  # iterable in type only, as a 0-d numpy array
        return None


def _flatten(predictions: Predictions, targets: Targets, name: str) -> tuple[list[Value], list[float | Value], int]:
    """Predictions and targets as two flat parallel lists, and the number of samples N."""
    if isinstance(predictions, Value):
        row = _row(targets)
        if row is not None:
            if len(row) != 1:
                raise InputError(f"{name}: one prediction (a Value) but {len(row)} targets")
            return [predictions], [_number(row[0], name, "0")], 1
        return [predictions], [_number(targets, name, "0")], 1
    if isinstance(predictions, (str, bytes)) or not isinstance(predictions, Iterable):
        raise InputError(f"{name}: predictions must be a Value or a list of Values, got {type(predictions).__name__}")
    preds = list(predictions)
    targs = _row(targets)
    if targs is None:
        raise InputError(f"{name}: {len(preds)} predictions need a list of {len(preds)} targets, "
                         f"got {shown(targets)}")  # fmt: skip
    if len(preds) != len(targs):
        raise InputError(f"{name}: {len(preds)} predictions but {len(targs)} targets; expected one target each")
    if not preds:
        raise InputError(f"{name}: no predictions: a loss needs at least one sample")
    flat_p: list[Value] = []
    flat_t: list[float | Value] = []
    for i, (p, t) in enumerate(zip(preds, targs, strict=True)):
        row = _row(t)
        if isinstance(p, Value):
            if row is not None:
                if len(row) != 1:
                    raise InputError(f"{name}: sample {i} has 1 output but {len(row)} targets")
                t = row[0]
            flat_p.append(p)
            flat_t.append(_number(t, name, str(i)))
        elif isinstance(p, Sequence) and not isinstance(p, str):
            if row is None:
                raise InputError(f"{name}: sample {i} has {len(p)} outputs but one target {shown(t)}")
            if len(p) != len(row):
                raise InputError(f"{name}: sample {i} has {len(p)} outputs but {len(row)} targets")
            for k, (pk, tk) in enumerate(zip(p, row, strict=True)):
                if not isinstance(pk, Value):
                    raise InputError(f"{name}: prediction [{i}][{k}] must be a Value, got {type(pk).__name__}")
                flat_p.append(pk)
                flat_t.append(_number(tk, name, f"[{i}][{k}]"))
        else:
            raise InputError(f"{name}: prediction {i} must be a Value or a list of Values, got {type(p).__name__}")
    return flat_p, flat_t, len(preds)


def _numbers(targets: list[float | Value]) -> list[float | None]:
    """Each target's number, to check: a float as it is, a Value's data, or None for a Value while compiled
    mode traces (its targets are inputs then, whose numbers may not decide anything; fit checks them first)."""
    tracing = is_tracing()
    return [t if not isinstance(t, Value) else None if tracing else t.data for t in targets]


def _squares(predictions: Predictions, targets: Targets, name: str) -> tuple[Value, int, int]:
    """Σ (a - t)² as one dot node, with N samples and the count of terms."""
    flat_p, flat_t, n = _flatten(predictions, targets, name)
    diffs = [p - t for p, t in zip(flat_p, flat_t, strict=True)]
    return dot(diffs, diffs), n, len(diffs)  # d·d = Σ dᵢ²: d/d(dᵢ) = 2dᵢ, by the two += of the dot rule


def squared_error(outputs: Predictions, targets: Targets) -> Value:
    """E = ½ Σₖ (tₖ - aₖ)²: the error of one pattern, as the delta-rule derivations write it.

    Summed over everything given (for several patterns, their total). dE/daₖ = -(tₖ - aₖ) = aₖ - tₖ:
    the ½ cancels the 2 of the square.

    >>> a = [Value(0.75), Value(0.25)]
    >>> E = squared_error([a], [[1.0, 0.0]]); E.backward()
    >>> E.data, [ak.grad for ak in a]             # ½(0.25² + 0.25²); aₖ - tₖ
    (0.0625, [-0.25, 0.25])
    """
    total, _, _ = _squares(outputs, targets, "squared_error")
    return total * 0.5


def half_mse(predictions: Predictions, targets: Targets) -> Value:
    """C = 1/(2N) Σᵢ (ŷᵢ - yᵢ)²: the batch mean of squared error, N samples (summed over K outputs).

    The default loss everywhere in nn. dC/dŷᵢ = (ŷᵢ - yᵢ)/N. For one sample it is `squared_error`.

    >>> yhat = [Value(3.0), Value(1.0)]
    >>> C = half_mse(yhat, [1.0, 1.0]); C.backward()
    >>> C.data, [p.grad for p in yhat]            # (2² + 0²)/4; (ŷ - y)/N
    (1.0, [1.0, 0.0])
    """
    total, n, _ = _squares(predictions, targets, "half_mse")
    return total / (2.0 * n)


def mse(predictions: Predictions, targets: Targets) -> Value:
    """PyTorch's MSELoss: 1/(NK) Σ (ŷ - y)², the mean over every element, no ½.

    d/dŷ = 2(ŷ - y)/(NK).

    >>> yhat = [Value(3.0), Value(1.0)]
    >>> L = mse(yhat, [1.0, 1.0]); L.backward()
    >>> L.data, [p.grad for p in yhat]
    (2.0, [2.0, 0.0])
    """
    total, _, count = _squares(predictions, targets, "mse")
    return total / float(count)


def hinge(scores: Predictions, targets: Targets) -> Value:
    """Max-margin loss, as micrograd's demo: 1/(NK) Σ max(0, 1 - y·s), targets y ∈ {-1, +1}.

    d/ds = -y/(NK) where y·s < 1 (inside the margin), else 0. A score beyond the margin costs nothing.

    >>> s = [Value(2.0), Value(0.5)]
    >>> L = hinge(s, [1.0, 1.0]); L.backward()
    >>> L.data, [si.grad for si in s]             # (0 + 0.5)/2
    (0.25, [0.0, -0.5])
    """
    flat_p, flat_t, _ = _flatten(scores, targets, "hinge")
    for i, t in enumerate(_numbers(flat_t)):
        if t is not None and t not in (-1.0, 1.0):
            raise ValueError(f"hinge: targets must be -1 or +1, got {t!r} at {i}; map 0/1 labels with 2y - 1")
    margins = [(1.0 - s * t).relu() for s, t in zip(flat_p, flat_t, strict=True)]
    return autograd.sum(margins) / float(len(margins))


def binary_cross_entropy_with_logits(logits: Predictions, targets: Targets) -> Value:
    """Binary cross-entropy from logits z (no sigmoid on the output), targets y ∈ [0, 1].

    Per element: -[y log σ(z) + (1 - y) log(1 - σ(z))] = softplus(z) - y·z, which never takes the log
    of 0 however large |z| is (PyTorch's BCEWithLogitsLoss). The mean over every element.
    d/dz = σ(z) - y, divided by the count. (Above z = 20 softplus is z itself, as PyTorch's Softplus, so
    there σ(z) is taken as 1: the gradient is off by σ(-z) < 2.1e-9. No branch on the data, so the same
    graph serves every input.)

    >>> import math
    >>> z = Value(0.0)
    >>> L = binary_cross_entropy_with_logits(z, 1.0); L.backward()
    >>> round(L.data, 12) == round(math.log(2), 12), z.grad          # σ(0) - 1
    (True, -0.5)
    >>> binary_cross_entropy_with_logits(Value(1000.0), 0.0).data     # stable: no overflow
    1000.0
    """
    flat_p, flat_t, _ = _flatten(logits, targets, "binary_cross_entropy_with_logits")
    for i, t in enumerate(_numbers(flat_t)):
        if t is not None and not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy_with_logits: targets must be in [0, 1], got {t!r} at {i}")
    terms = [z.softplus() - z * t for z, t in zip(flat_p, flat_t, strict=True)]
    return autograd.sum(terms) / float(len(terms))


def _class_index(t: object, k: int, where: str) -> int | None:
    """`t` as a class index in 0..k-1 if it is one (an int, a numpy integer), None if it is a row."""
    if isinstance(t, bool):
        raise InputError(f"cross_entropy: target {where} must be a class index (an int 0..{k - 1}), got a bool: {t!r}")
    if isinstance(t, numbers.Integral):
        if not 0 <= int(t) < k:
            raise InputError(f"cross_entropy: target {where} is class {int(t)}, out of range for {k} outputs: "
                             f"expected 0..{k - 1}")  # fmt: skip
        return int(t)
    if isinstance(t, (numbers.Real, Value)):
        shown_t = t.data if isinstance(t, Value) else t
        raise InputError(
            f"cross_entropy: target {where} is {shown_t!r}, a single number but not an int: give the class index "
            f"as an int (0..{k - 1}), or a row of {k} probabilities (one-hot or soft)"
        )
    return None


def _sample_cross_entropy(logits: list[Value], t: object, where: str, per_class: bool) -> Value:
    """One sample's -Σₖ tₖ log softmax(z)ₖ: one `cross_entropy` node for a class index (or a one-hot row);
    a soft row (or, with per_class, any row: compiled mode's targets are traced) weighs one node per class."""
    k = len(logits)
    c = _class_index(t, k, where)
    if c is not None:
        return autograd.logsumexp(logits, minus=logits[c])
    row = _row(t)
    if row is None:
        raise InputError(f"cross_entropy: target {where} must be a class index or a row of {k} numbers, "
                         f"got {type(t).__name__}: {shown(t)}")  # fmt: skip
    if len(row) != k:
        raise InputError(f"cross_entropy: target {where} has {len(row)} numbers but there are {k} outputs")
    ts = [_number(tk, "cross_entropy", f"{where}[{j}]") for j, tk in enumerate(row)]
    if not per_class:
        datas = [tk.data if isinstance(tk, Value) else tk for tk in ts]
        for j, d in enumerate(datas):
            if not 0.0 <= d <= 1.0:
                raise InputError(f"cross_entropy: target {where}[{j}] is {d!r}; probabilities are in [0, 1]")
        ones = [j for j, d in enumerate(datas) if d == 1.0]
        if len(ones) == 1 and datas.count(0.0) == k - 1:  # one-hot: the class index's one node
            return autograd.logsumexp(logits, minus=logits[ones[0]])
    # Σₖ tₖ (logsumexp(z) - zₖ), each term one node computed without cancellation
    return dot(ts, [autograd.logsumexp(logits, minus=z) for z in logits])


def cross_entropy(logits: Predictions, targets: Targets) -> Value:
    """Softmax cross-entropy from logits z (no softmax on the outputs), as PyTorch's CrossEntropyLoss:
    the mean over N samples of -Σₖ tₖ log softmax(z)ₖ.

    `logits`: one sample's list of K Values, or a list of N such lists. A target per sample: its class
    index (an int 0..K-1), or a row of K probabilities (one-hot, or soft). For class c the loss is
    logsumexp(z) - z_c, one node (`autograd.logsumexp(z, minus=z[c])`), stable for logits of any size,
    and its gradient is the whole story: d/dzₖ = softmax(z)ₖ - [k = c], divided by N.

    >>> import math
    >>> z = [Value(0.0), Value(math.log(3.0))]            # softmax(z) = (¼, ¾)
    >>> L = cross_entropy(z, 1); L.backward()
    >>> round(L.data, 15) == round(math.log(4 / 3), 15), [round(v.grad, 15) for v in z]   # -log ¾; p - one_hot
    (True, [0.25, -0.25])
    >>> cross_entropy([Value(1000.0), Value(-1000.0)], 0).data    # no overflow: -log(1 - e^-2000)
    0.0
    """
    return _cross_entropy(logits, targets, per_class=False)


def _cross_entropy(logits: Predictions, targets: Targets, per_class: bool) -> Value:
    if isinstance(logits, (Value, str, bytes)) or not isinstance(logits, Iterable):
        raise InputError(f"cross_entropy: logits must be a list of Values (one sample) or a list of such lists, "
                         f"got {type(logits).__name__}: {shown(logits)}")  # fmt: skip
    rows = list(logits)
    if not rows:
        raise InputError("cross_entropy: no logits: a loss needs at least one sample")
    samples: list[object]
    targs: list[object]
    if all(isinstance(z, Value) for z in rows):  # one sample
        samples, targs = [rows], [targets]
    else:
        samples = [list(r) if isinstance(r, Sequence) and not isinstance(r, str) else r for r in rows]
        targs_row = _row(targets)
        if targs_row is None or len(targs_row) != len(samples):
            got = "one target" if targs_row is None else f"{len(targs_row)} targets"
            raise InputError(f"cross_entropy: {len(samples)} samples of logits need {len(samples)} targets, got {got}")
        targs = targs_row
    losses = []
    for i, (z, t) in enumerate(zip(samples, targs, strict=True)):
        if not isinstance(z, list) or not all(isinstance(v, Value) for v in z):
            raise InputError(f"cross_entropy: sample {i}'s logits must be a list of Values, got {shown(z)}")
        if len(z) < 2:
            raise InputError(f"cross_entropy: sample {i} has {len(z)} logit; classes need at least 2 (for one "
                             "output, use binary_cross_entropy_with_logits)")  # fmt: skip
        losses.append(_sample_cross_entropy(z, t, str(i), per_class))
    if len(losses) == 1:
        return losses[0]
    return autograd.sum(losses) / float(len(losses))


def cross_entropy_per_class(logits: Predictions, targets: Targets) -> Value:
    """`cross_entropy` with every target row weighed class by class (Σₖ tₖ (logsumexp(z) - zₖ), one node per
    class), never shortened to one node for a one-hot row: the same numbers, one graph for every target,
    as compiled mode needs (it traces the targets as inputs)."""
    return _cross_entropy(logits, targets, per_class=True)


def l2_penalty(params: Iterable[Value], alpha: float) -> Value:
    """alpha · Σ p², weight decay to add to a loss (micrograd's demo uses alpha = 1e-4). d/dp = 2·alpha·p.

    >>> w = [Value(1.0), Value(-2.0)]
    >>> R = l2_penalty(w, 0.5); R.backward()
    >>> R.data, [p.grad for p in w]
    (2.5, [1.0, -2.0])
    """
    alpha = real("alpha", alpha, low=0.0)
    ps = iterable("params", params, "a list of Values")
    for i, p in enumerate(ps):
        instance(f"params[{i}]", p, Value, "a Value")
    return _penalty(ps, alpha)


def _penalty(ps: list[Value], alpha: float) -> Value:
    """`l2_penalty` unchecked, for training loops that checked `ps` and `alpha` once, before the first step."""
    return dot(ps, ps) * alpha


LOSSES: dict[str, Loss] = {
    "squared_error": half_mse,  # the batch mean C = 1/(2N) Σ (ŷ - y)²
    "mse": mse,
    "hinge": hinge,
    "bce": binary_cross_entropy_with_logits,
    "cross_entropy": cross_entropy,
}
"""Losses by the names the command line uses."""


# ---------------------------------------------------------------------------------------------------
# Batch conventions: a batch loss as a mean or a sum of per-sample losses.


class PerSample(NamedTuple):
    """How a batch loss is made of per-sample losses: `loss(batch) = reduction over i of per_sample([ŷᵢ], [yᵢ])`.

    `per_sample` must accept targets that are Values (compiled mode traces them as inputs).

    >>> PER_SAMPLE[half_mse]                     # C = 1/(2N) Σᵢ (ŷᵢ - yᵢ)² = the mean of ½(ŷᵢ - yᵢ)²
    PerSample(per_sample=half_mse, reduction='mean')
    """

    per_sample: Loss
    reduction: Literal["mean", "sum"]

    def __repr__(self) -> str:
        return f"PerSample(per_sample={self.per_sample.__name__}, reduction={self.reduction!r})"


PER_SAMPLE: dict[Loss, PerSample] = {
    squared_error: PerSample(squared_error, "sum"),  # E = Σᵢ ½ Σₖ (tₖ - aₖ)², the total
    half_mse: PerSample(half_mse, "mean"),  # 1/(2N) Σᵢ Σₖ (ŷ - y)²: the mean of ½ Σₖ (ŷ - y)²
    mse: PerSample(mse, "mean"),  # 1/(NK) Σ (ŷ - y)²: the mean over samples of 1/K Σₖ (ŷ - y)²
    hinge: PerSample(hinge, "mean"),  # 1/(NK) Σ max(0, 1 - y·s), likewise
    binary_cross_entropy_with_logits: PerSample(binary_cross_entropy_with_logits, "mean"),  # likewise
    cross_entropy: PerSample(cross_entropy_per_class, "mean"),  # 1/N Σᵢ -Σₖ tₖ log softmax(zᵢ)ₖ
}
"""Each loss of this module with its per-sample form and batch reduction. For your own loss, add one:
`PER_SAMPLE[my_loss] = PerSample(my_loss, "mean")` if my_loss(batch) is the mean of my_loss([ŷᵢ], [yᵢ])."""

CLASS_TARGETS: set[Loss] = {cross_entropy}
"""Losses whose target for K outputs may be a class index: `fit` turns an int label into a one-hot row (a
float label is an error), so a data set's labels 0..K-1 train as they are."""
