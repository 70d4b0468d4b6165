"""Pictures of training: `history` (loss and accuracy per epoch), `decision_boundary` (a model's classes
over the plane of 2-D data, 2 or k classes), `confusion_matrix` (true class × predicted class), and for
image data `digit_images` (a grid of small images with their classes) and `misclassified_digits` (the
images a model gets wrong). Each returns a matplotlib Figure; the command line (`chainrule train`) and the
notebooks draw with these.

matplotlib is optional (``pip install 'chainrule[plot]'``): it is imported inside the functions that draw,
never at module level, so ``import nn.plots`` and everything else in chainrule work without it and stay
fast to import. Without it, a drawing function raises ModuleNotFoundError saying what to install.
`confusion` and nn's `classify`, the numbers behind the pictures, are plain Python.

Each drawing function of one Axes draws on `ax` when given (to compose figures in a notebook), else on a
Figure of its own (the image grids always make their own: a grid is many Axes), made with `matplotlib.figure.Figure`, not pyplot: nothing is registered with pyplot, no figure is
left open, no backend or setting is changed. None of them shows the figure: Jupyter displays a returned
Figure, and ``fig.savefig("loss.png")`` writes one.

Classes follow nn.train's accuracy rule. The data's `labels` are class numbers 0, 1, ..., k-1 (ints), or
the targets `fit` takes: numbers, class 1 when > 0.5 (so 0/1 and ±1 alike), or one-hot lists (the class
of the largest). A model with one output says class 1 when the output is above the threshold that comes
from the model (0.5 for a sigmoid, relu or softplus output, else 0.0; `threshold=` overrides it); a
model with several outputs says the class of the largest.

>>> from nn import MLP
>>> model = MLP(2, [1], seed=0)                   # a linear score w·x: class 1 where it is > 0
>>> X, labels = [[-1.0, 0.0], [1.0, 0.0], [2.0, 1.0]], [0, 1, 0]
>>> classify(model, X)
[0, 1, 1]
>>> confusion(labels, classify(model, X))        # rows: true class; columns: predicted
[[1, 1], [0, 1]]
>>> fig = decision_boundary(model, X, labels, resolution=20)
>>> fig = confusion_matrix(model, X, labels)
>>> [t.get_text() for t in fig.axes[0].texts]             # the counts, row by row
['1', '1', '0', '1']
"""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from autograd.checks import flag, function, instance, integer, iterable, optional, real

from .train import History, _class_of, _threshold, classify, predict

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MARKERS", "MAX_CLASSES", "MAX_IMAGES", "PALETTE", "confusion", "confusion_matrix", "decision_boundary",
    "digit_images", "history", "misclassified_digits",
]  # fmt: skip

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
"""Class colours: Okabe and Ito's palette, told apart with every common colour-blindness (blue,
vermillion, bluish green, reddish purple, orange, sky blue, yellow, black)."""
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
"""Class markers, so classes differ by shape as well as hue (7 shapes against 8 colours: no colour and
shape pair repeats before class 56)."""

MAX_CLASSES = 1000
"""The most classes a picture or a count takes (class numbers 0 to 999): a confusion matrix of k classes
has k² cells, and a class number of 10⁹ is a mistake, not a data set."""

MAX_IMAGES = 200
"""The most images `digit_images` draws: one Axes each, and 200 take a few seconds already; more is a
picture nobody reads (give a slice)."""

NEEDS_MATPLOTLIB = "plots need matplotlib: pip install matplotlib (or pip install 'chainrule[plot]')"
DPI = 125
"""Figures are 8 inches wide: 1000 pixels, readable on a screen and in a notebook."""


@functools.cache
def _shown_figure() -> type[Figure]:
    """matplotlib's Figure that Jupyter shows as a PNG when it is a cell's value, with or without pyplot
    or ``%matplotlib inline`` first (the inline backend's own printer, when it is on, takes precedence)."""
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        def _repr_png_(self) -> bytes:
            import io

            buffer = io.BytesIO()
            self.savefig(buffer, format="png")
            return buffer.getvalue()

    ShownFigure.__name__ = ShownFigure.__qualname__ = "Figure"
    return ShownFigure


def _axes(ax: object, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """The Figure and Axes to draw on: `ax` and its figure when given, else a new Figure (not pyplot's)."""
    try:
        from matplotlib.axes import Axes
        from matplotlib.figure import Figure
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] != "matplotlib":
            raise  # matplotlib is there, but one of its own dependencies is not: let that error say which
        raise ModuleNotFoundError(NEEDS_MATPLOTLIB, name="matplotlib") from e
    if ax is None:
        fig = _shown_figure()(figsize=size, dpi=DPI, layout="constrained")
        return fig, fig.add_subplot()
    axes = instance("ax", ax, Axes, "a matplotlib Axes (fig.add_subplot(), or plt.subplots()[1])")
    root = axes.figure.figure  # a Figure's .figure is itself, a SubFigure's the Figure it is in
    return instance("ax's figure", root, Figure, "a matplotlib Figure"), axes


def _title(title: object, default: str) -> str:
    """The title to set: `title`, or `default` for None ("" for none)."""
    return default if title is None else instance("title", title, str, "a str (or None for the default)")


# ---------------------------------------------------------------------------------------------------
# Classes: plain Python, nn.train's rule.


def _classes(name: str, labels: object, n: int | None = None) -> list[int]:
    """The class of each label: an int is its class number; a number, or a one-item list of it, is class 1
    when > 0.5; a longer list is one-hot, the class of its largest item (nn.train's rule for targets)."""
    items = iterable(name, labels, "a list of class numbers (0, 1, ...) or of targets, one per sample")
    if n is not None and len(items) != n:
        raise ValueError(f"{name} has {len(items)} labels but there are {n} samples; expected one each")
    if not items:
        raise ValueError(f"{name} is empty: there is nothing to count or draw")
    whole = all(isinstance(t, numbers.Integral) and not isinstance(t, bool) and int(t) >= 0 for t in items)
    out = []
    for i, t in enumerate(items):
        if whole:
            out.append(integer(f"{name}[{i}]", t, high=MAX_CLASSES - 1))
        elif isinstance(t, numbers.Real) and not isinstance(t, bool):
            out.append(_class_of(real(f"{name}[{i}]", t), 0.5))  # 0/1 and ±1 targets alike, as nn.train
        else:
            row = iterable(f"{name}[{i}]", t, "a class number, a target number or a one-hot list")
            values = [real(f"{name}[{i}][{j}]", v) for j, v in enumerate(row)]
            if not 0 < len(values) <= MAX_CLASSES:
                one_per_class = f"a one-hot target needs one per class, 1 to {MAX_CLASSES}"
                raise ValueError(f"{name}[{i}] has {len(values)} items: {one_per_class}")
            out.append(_class_of(values, 0.5))  # [t] as the number t; longer, the place of the largest
    return out


def _predicted(predicted: object) -> list[int]:
    """`predicted` checked: class numbers 0 to MAX_CLASSES - 1, as `nn.classify` gives them."""
    said = iterable("predicted", predicted, "a list of predicted class numbers (classify(model, X))")
    return [integer(f"predicted[{i}]", c, low=0, high=MAX_CLASSES - 1) for i, c in enumerate(said)]


def confusion(labels: Sequence[Any], predicted: Sequence[int], *, k: int | None = None) -> list[list[int]]:
    """Counts of (true class, predicted class): row i, column j is how many samples of class i were said
    to be class j. The diagonal holds the right answers. `labels` as in this module's docstring;
    `predicted` class numbers (`nn.classify` gives them); `k` classes (default: as many as seen).

    >>> confusion([0, 0, 1, 1, 2], [0, 1, 1, 1, 0])
    [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    >>> confusion([-1.0, 1.0], [0, 1], k=3)                  # ±1 targets are classes 0 and 1
    [[1, 0, 0], [0, 1, 0], [0, 0, 0]]
    """
    true = _classes("labels", labels)
    said = _predicted(predicted)
    if len(said) != len(true):
        raise ValueError(f"predicted has {len(said)} classes but labels has {len(true)}; expected one each")
    seen = max(*true, *said) + 1
    k = optional(integer, "k", k, low=1, high=MAX_CLASSES)
    if k is not None and k < seen:
        raise ValueError(f"k must be at least {seen}: a class {seen - 1} is in labels or predicted; got {k}")
    size = seen if k is None else k
    counts = [[0] * size for _ in range(size)]
    for t, p in zip(true, said, strict=True):
        counts[t][p] += 1
    return counts


def _names(class_names: object, k: int) -> list[str]:
    if class_names is None:
        return [f"class {c}" for c in range(k)]
    names = iterable("class_names", class_names, "a list of names (str), one per class")
    for i, name in enumerate(names):
        instance(f"class_names[{i}]", name, str, "a str")
    if len(names) < k:
        raise ValueError(f"class_names has {len(names)} names but there are {k} classes; expected one each")
    return names


def _style(c: int) -> tuple[str, str]:
    """The colour and marker of class c."""
    return PALETTE[c % len(PALETTE)], MARKERS[c % len(MARKERS)]


# ---------------------------------------------------------------------------------------------------
# The pictures.

LOSS_COLOR, ACCURACY_COLOR = PALETTE[0], PALETTE[1]


def history(
    history: History, *, title: str | None = None, held_out: str = "validation", ax: Axes | None = None
) -> Figure:
    """Loss (left axis, a log scale when every loss is > 0) and accuracy in % (right axis) per epoch, of
    the training data (solid) and the validation data (dashed) when `fit` had some; `held_out` names that
    data in the legend ("test" when it is a test set). `title`: None for "loss and accuracy per epoch",
    "" for none.

    >>> h = History(loss=[0.8, 0.3, 0.1], accuracy=[0.5, 0.75, 1.0], val_loss=[0.9, 0.5, 0.4],
    ...             val_accuracy=[0.5, 0.5, 0.75])
    >>> fig = history(h)
    >>> loss_axes, accuracy_axes = fig.axes
    >>> [line.get_label() for line in loss_axes.lines + accuracy_axes.lines]
    ['training loss', 'validation loss', 'training accuracy', 'validation accuracy']
    >>> loss_axes.get_yscale(), [float(a) for a in accuracy_axes.lines[0].get_ydata()]
    ('log', [50.0, 75.0, 100.0])
    """
    h = instance("history", history, History, "an nn.train.History (what fit returns)")
    held_out = instance("held_out", held_out, str, "a str naming the held-out data (validation, test)")
    n = len(h.loss)
    if n == 0:
        raise ValueError("history has no epochs to draw (fit ran 0 epochs)")
    validated = bool(h.val_loss or h.val_accuracy)
    for name in ("accuracy", *(("val_loss", "val_accuracy") if validated else ())):
        if len(getattr(h, name)) != n:
            raise ValueError(f"history.{name} has {len(getattr(h, name))} epochs but history.loss has {n}")
    heading = _title(title, "loss and accuracy per epoch")
    own = ax is None
    fig, ax = _axes(ax, (8, 4.5))
    from matplotlib.ticker import MaxNLocator

    epochs = list(range(1, n + 1))
    dots: dict[str, Any] = {"marker": "o", "markersize": 3} if n <= 30 else {}  # few epochs: show each
    ax.plot(epochs, h.loss, color=LOSS_COLOR, lw=2, label="training loss", **dots)
    if validated:
        ax.plot(epochs, h.val_loss, color=LOSS_COLOR, lw=1.5, ls="--", label=f"{held_out} loss", **dots)
    if all(0 < v < math.inf for v in h.loss + h.val_loss):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (mean over the epoch)", color=LOSS_COLOR)
    ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True, min_n_ticks=1))
    ax.set_xlim(0.5 if n == 1 else 1, n + 0.5 if n == 1 else n)
    ax.grid(True, alpha=0.3)
    acc = ax.twinx()
    acc.plot(epochs, [100 * a for a in h.accuracy], color=ACCURACY_COLOR, lw=1.5, label="training accuracy",
             **dots)  # fmt: skip
    if validated:
        acc.plot(epochs, [100 * a for a in h.val_accuracy], color=ACCURACY_COLOR, lw=1.5, ls="--",
                 label=f"{held_out} accuracy", **dots)  # fmt: skip
    acc.set_ylabel("accuracy (%)", color=ACCURACY_COLOR)
    acc.set_ylim(-3, 103)
    lines = ax.get_lines() + acc.get_lines()
    labels = [str(line.get_label()) for line in lines]  # below the plot: it never covers a curve
    ax.legend(lines, labels, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(lines) if own else 2,
              frameon=False)  # fmt: skip
    ax.set_title(heading)
    return fig


def _points(X: object) -> list[tuple[float, float]]:
    rows = iterable("X", X, "a list of 2-D points [x₁, x₂]")
    if not rows:
        raise ValueError("X is empty: there are no points to draw")
    points = []
    for i, row in enumerate(rows):
        p = iterable(f"X[{i}]", row, "a 2-D point [x₁, x₂]")
        if len(p) != 2:
            raise ValueError(f"X[{i}] has {len(p)} values; decision_boundary draws 2-D points [x₁, x₂]")
        points.append((real(f"X[{i}][0]", p[0]), real(f"X[{i}][1]", p[1])))
    return points


def _span(values: list[float]) -> tuple[float, float]:
    low, high = min(values), max(values)
    pad = 0.1 * (high - low) if high > low else 1.0
    return low - pad, high + pad


def decision_boundary(
    model: Any,
    X: Sequence[Sequence[float]],
    labels: Sequence[Any],
    *,
    threshold: float | None = None,
    resolution: int = 90,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    key: bool = True,
    ax: Axes | None = None,
) -> Figure:
    """The points of `X` (2-D), coloured and shaped by class, over the classes `model` gives the plane,
    evaluated on a `resolution` × `resolution` grid. `key=False` leaves out the legend and the colour
    bar (small multiples: several models or epochs side by side, `ax=` one panel each).

    One output: the plane shaded by the output (blue below the threshold, vermillion above, white at it)
    and the decision boundary drawn where the output crosses the threshold (nn.train's, from the model,
    or `threshold`). Several outputs: each region in the colour of the class whose output is largest
    there, with black lines between regions. `labels` and the threshold as in this module's docstring;
    `class_names` name the classes in the legend. `title`: None for a default, "" for none.

    >>> from nn import MLP
    >>> from nn.data import blobs
    >>> X, labels = blobs(30, noise=0.3, centers=3, seed=0)
    >>> fig = decision_boundary(MLP(2, [3], seed=0), X, labels, resolution=30)
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['class 0', 'class 1', 'class 2', 'boundaries']
    """
    model = function("model", model, "an MLP, Layer or Neuron, or a callable on one sample")
    nin = getattr(model, "nin", 2)
    if nin != 2:
        raise ValueError(f"decision_boundary draws a model of 2 inputs (the plane), got one of {nin} inputs")
    points = _points(X)
    true = _classes("labels", labels, len(points))
    cut = _threshold(model, None, threshold)
    steps = integer("resolution", resolution, low=2, high=1000)
    (x0, x1), (y0, y1) = _span([p[0] for p in points]), _span([p[1] for p in points])
    gx = [x0 + (x1 - x0) * i / (steps - 1) for i in range(steps)]
    gy = [y0 + (y1 - y0) * j / (steps - 1) for j in range(steps)]
    outs = predict(model, [[a, b] for b in gy for a in gx])
    one = all(isinstance(o, float) or len(o) == 1 for o in outs)
    nout = 1 if one else max(len(o) for o in outs if isinstance(o, list))
    k = max(max(true) + 1, 2 if one else nout)
    names = _names(class_names, k)
    default = "the model's output and its decision boundary" if one else "where each output is largest"
    heading = _title(title, default)
    # An own figure 8 inches wide, as tall as the plane at equal scale needs (7 inches at most), with room
    # below it for the axis label, the legend and the colour bar. Below, not beside: a fixed aspect leaves
    # the height free, and the width is then the layout's to keep.
    key = flag("key", key)
    entries = len({*true}) + 1
    below = 0.8 + (0.4 * math.ceil(entries / 5) + (0.9 if one else 0.0) if key else 0.0)
    height = min(max(6.6 * (y1 - y0) / (x1 - x0), 2.5), 7.0)  # the plane is about 6.6 inches wide
    fig, ax = _axes(ax, (8.0, height + below + 0.4))
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.lines import Line2D
    from matplotlib.transforms import offset_copy

    boundary: list[Any] = []
    if one:  # shade the output; the boundary is where it crosses the threshold
        # drawn as output - threshold: 0 at the boundary, whatever the threshold
        above = [[_scalar(outs[j * steps + i]) - cut for i in range(steps)] for j in range(steps)]
        far = sorted(abs(v) for row in above for v in row if math.isfinite(v))
        top = (far[int(0.95 * (len(far) - 1))] if far else 0.0) or 1.0  # the shading saturates beyond
        top = min(top, 1e200)  # matplotlib marks "beyond the scale" (extend) at ±1e250: stay well inside
        levels = [top * (i / 10 - 1) for i in range(21)]  # 0, the threshold, is the middle edge
        clipped = [[min(max(v, -2 * top), 2 * top) for v in row] for row in above]  # beyond: the end colours
        shade = LinearSegmentedColormap.from_list("chainrule", [PALETTE[0], "#ffffff", PALETTE[1]])
        filled = ax.contourf(gx, gy, clipped, levels=levels, cmap=shade, norm=Normalize(-top, top),
                             alpha=0.55, extend="both")  # fmt: skip
        bar = None
        if key:
            bar = ax.figure.colorbar(filled, ax=ax, location="bottom", shrink=0.6, aspect=40, pad=0.01)
            ticks = [-top, -top / 2, 0.0, top / 2, top]
            bar.set_ticks(ticks, labels=[f"{cut + d:.3g}" for d in ticks])  # labelled with the output itself
            bar.set_label(f"model output (class 1 above {cut:g})")
        if far and min(v for row in above for v in row) < 0.0 < max(v for row in above for v in row):
            line = ax.contour(gx, gy, above, levels=[0.0], colors="black", linewidths=1.5)
            if bar is not None:
                bar.add_lines(line)
            boundary = [Line2D([], [], color="black", lw=1.5, label=f"boundary: output = {cut:g}")]
    else:  # each region in the colour of its class: where that output is largest
        rows = [[_outputs(outs[j * steps + i]) for i in range(steps)] for j in range(steps)]
        for c in range(nout):
            # the margin o_c - max of the others: > 0 where class c wins; 0 on its boundary, a smooth line
            margin = [[o[c] - max(o[:c] + o[c + 1 :]) for o in row] for row in rows]
            values = [v for row in margin for v in row if math.isfinite(v)]
            if values and max(values) > 0:
                ax.contourf(gx, gy, margin, levels=[0.0, max(values) + 1.0], colors=[_style(c)[0]], alpha=0.3)
            if values and min(values) < 0 < max(values):
                ax.contour(gx, gy, margin, levels=[0.0], colors="black", linewidths=1.0)
                boundary = [Line2D([], [], color="black", lw=1.0, label="boundaries")]
    handles: list[Any] = []
    for c in range(k):
        pts = [p for p, t in zip(points, true, strict=True) if t == c]
        if pts:
            color, marker = _style(c)
            dots = ax.scatter([p[0] for p in pts], [p[1] for p in pts], color=color, marker=marker, s=36,
                              edgecolors="black", linewidths=0.6, label=names[c], zorder=3)  # fmt: skip
            handles.append(dots)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_aspect("equal", adjustable="box")
    if key:
        under = offset_copy(ax.transAxes, fig=fig, y=-32, units="points")  # below the x axis and its label
        ax.legend(handles=[*handles, *boundary], loc="upper center", bbox_to_anchor=(0.5, 0.0),
                  bbox_transform=under, ncol=min(len(handles) + len(boundary), 5), frameon=False)  # fmt: skip
    ax.set_title(heading)
    return fig


def _scalar(o: float | list[float]) -> float:
    return o if isinstance(o, float) else o[0]


def _outputs(o: float | list[float]) -> list[float]:
    return [o] if isinstance(o, float) else o


def confusion_matrix(
    model: Any = None,
    X: Sequence[Sequence[float]] | None = None,
    labels: Sequence[Any] | None = None,
    *,
    predicted: Sequence[int] | None = None,
    threshold: float | None = None,
    k: int | None = None,
    class_names: Sequence[str] | None = None,
    title: str | None = None,
    ax: Axes | None = None,
) -> Figure:
    """The `confusion` counts as a grid: rows the true class, columns the predicted class, each count
    written in its cell, darker for more. Give a model and its data (``confusion_matrix(model, X,
    labels)``), or the classes predicted already (``confusion_matrix(labels=y, predicted=classes)``).
    `title`: None for how many are right, "" for none.

    >>> fig = confusion_matrix(labels=[0, 0, 1, 1, 2], predicted=[0, 1, 1, 1, 0])
    >>> [t.get_text() for t in fig.axes[0].texts]
    ['1', '1', '0', '0', '2', '0', '1', '0', '0']
    >>> fig.axes[0].get_title()
    '3 of 5 right (60%)'
    """
    if labels is None:
        raise TypeError("confusion_matrix needs labels: the true class of each sample")
    if predicted is None:
        if model is None or X is None:
            raise TypeError(
                "confusion_matrix needs a model and X (its samples), or predicted= (their classes)"
            )
        predicted = classify(model, X, threshold=threshold)
    elif model is not None or X is not None or threshold is not None:
        raise TypeError("confusion_matrix takes a model and X, or predicted=, not both")
    counts = confusion(labels, predicted, k=k)
    size = len(counts)
    names = _names(class_names, size)
    right, total = sum(counts[i][i] for i in range(size)), sum(map(sum, counts))
    heading = _title(title, f"{right} of {total} right ({100 * right / total:.3g}%)")
    # 1.1 inches a cell, the grid at most 6.5 inches: never wider than the 8-inch (1000-pixel) figures; the
    # counts' type shrinks with the cells beyond 6 classes (12 points in a 0.65-inch cell, 10 classes)
    grid = min(1.1 * max(size, 3), 6.5)
    fig, ax = _axes(ax, (1.5 + grid, 1.2 + grid))
    type_size = max(5.0, min(12.0, 72 * grid / size / 3.5))
    largest = max(max(row) for row in counts)
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(largest, 1))
    for i, row in enumerate(counts):
        for j, count in enumerate(row):
            dark = count > largest / 2
            ax.text(j, i, str(count), ha="center", va="center", fontsize=type_size,
                    color="white" if dark else "black", fontweight="bold" if i == j else "normal")
    ax.set_xticks(range(size), names)
    ax.set_yticks(range(size), names)
    if max(len(name) for name in names[:size]) * 0.09 > grid / size:  # about 0.09 inch a character at 10 points
        ax.tick_params(axis="x", labelrotation=90)  # names wider than their column: upright, never overlapping
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(heading)
    return fig


# ---------------------------------------------------------------------------------------------------
# Images: the digits, and the ones a model gets wrong.

CELL = 0.78
"""Inches per image in a grid: 10 to a row and a margin fill the 8-inch (1000-pixel) width."""


def _images(images: object) -> tuple[list[list[float]], int]:
    """The images as lists of floats, and their side: each a square number of pixels, all the same."""
    rows = iterable("images", images, "a list of images, each a list of side² pixel values (64 for 8×8)")
    if not rows:
        raise ValueError("images is empty: there are no images to draw")
    if len(rows) > MAX_IMAGES:
        raise ValueError(f"images has {len(rows)} images; digit_images draws at most {MAX_IMAGES} (give a slice)")
    out = []
    for i, row in enumerate(rows):
        pixels = [real(f"images[{i}][{j}]", v) for j, v in enumerate(iterable(f"images[{i}]", row, "an image"))]
        out.append(pixels)
    size = len(out[0])
    side = math.isqrt(size)
    if side == 0 or side * side != size:
        raise ValueError(f"images[0] has {size} pixels; an image is a square of side² pixels (64 for 8×8)")
    for i, pixels in enumerate(out):
        if len(pixels) != size:
            raise ValueError(f"images[{i}] has {len(pixels)} pixels but images[0] has {size}; expected all alike")
    return out, side


def digit_images(
    images: Sequence[Sequence[float]],
    labels: Sequence[Any] | None = None,
    predicted: Sequence[int] | None = None,
    *,
    columns: int = 10,
    title: str | None = None,
) -> Figure:
    """Small images in a grid, `columns` to a row, each captioned with its class: "3" for a label, "→ 8"
    for a prediction, "3 → 8" for both (in bold vermillion where they differ). An image is a row of side²
    pixel values in reading order (`nn.data.digits` gives 64, 8×8), drawn dark for ink on white, all on
    one scale from the smallest pixel value given to the largest. `labels` as in this module's docstring,
    `predicted` class numbers (`nn.classify` gives them). `title`: None for a caption's key, "" for none.
    Always a Figure of its own, one Axes per image.

    >>> fig = digit_images([[0.0, 1.0, 1.0, 0.0]] * 3, labels=[1, 1, 7], predicted=[1, 4, 7])
    >>> [ax.get_title() for ax in fig.axes]
    ['1 → 1', '1 → 4', '7 → 7']
    >>> fig.axes[0].images[0].get_array().shape       # 4 pixels: 2×2
    (2, 2)
    """
    pictures, side = _images(images)
    n = len(pictures)
    true = None if labels is None else _classes("labels", labels, n)
    said = None
    if predicted is not None:
        said = _predicted(predicted)
        if len(said) != n:
            raise ValueError(f"predicted has {len(said)} classes but there are {n} images; expected one each")
    columns = integer("columns", columns, low=1, high=MAX_IMAGES)
    keys = {(True, True): "true → predicted", (True, False): "true class", (False, True): "→ predicted"}
    heading = _title(title, keys.get((true is not None, said is not None), ""))
    fig, _ = _axes(None, (1.0, 1.0))  # matplotlib, or the error saying what to install
    wide, high = min(columns, n), math.ceil(n / columns)
    room = 0.11 * len(heading) + 0.4  # the title's width at its 12 points: about 0.11 inch a character
    fig.set_size_inches(max(wide * CELL + 0.2, room), high * (CELL + 0.3) + (0.45 if heading else 0.1))
    fig.clear()
    low = min(min(p) for p in pictures)
    top = max(max(p) for p in pictures)
    for i, pixels in enumerate(pictures):
        ax = fig.add_subplot(high, wide, i + 1)
        ax.imshow([pixels[r * side : (r + 1) * side] for r in range(side)], cmap="gray_r", vmin=low,
                  vmax=top if top > low else low + 1.0, interpolation="nearest")  # fmt: skip
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_color("#999999")
        t, p = (None if true is None else true[i]), (None if said is None else said[i])
        caption = f"{'' if t is None else t}{'' if p is None else f' → {p}'}".strip()
        wrong = t is not None and p is not None and t != p
        ax.set_title(caption, fontsize=11, pad=3, color=PALETTE[1] if wrong else "black",
                     fontweight="bold" if wrong else "normal")  # fmt: skip
    if heading:
        fig.suptitle(heading)
    return fig


def misclassified_digits(
    model: Any,
    X: Sequence[Sequence[float]],
    labels: Sequence[Any],
    *,
    predicted: Sequence[int] | None = None,
    limit: int = 40,
    columns: int = 10,
    threshold: float | None = None,
    title: str | None = None,
) -> Figure:
    """The images of `X` that `model` classifies wrong (`nn.classify`), up to `limit` of them in the order
    of X, each captioned "true → predicted" (`digit_images`). `labels` as in this module's docstring.
    With none wrong, a figure that says so. `title`: None for how many are wrong, "" for none.
    (`X` holds images as `digit_images` takes them; any model of as many inputs as pixels will do.)
    Classes predicted already may be given instead of the model: ``misclassified_digits(None, X, labels,
    predicted=classes)``.

    >>> from nn import MLP
    >>> model = MLP(4, [2], seed=0)     # 2×2 images; made to say 0 or 1 by the ink top left or bottom right
    >>> for neuron, weights in zip(model.layers[0].neurons, [[1, 0, 0, 0], [0, 0, 0, 1]]):
    ...     for w, value in zip(neuron.w, weights):
    ...         w.data = value
    >>> images = [[1.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 0.5]]
    >>> fig = misclassified_digits(model, images, [0, 1, 1])
    >>> fig.get_suptitle(), [ax.get_title() for ax in fig.axes]
    ('1 of 3 misclassified (true → predicted)', ['1 → 0'])
    >>> misclassified_digits(None, images, [0, 1, 1], predicted=[0, 1, 0]).get_suptitle()
    '1 of 3 misclassified (true → predicted)'
    """
    if predicted is None:
        said = classify(model, X, threshold=threshold)
    elif model is not None or threshold is not None:
        raise TypeError("misclassified_digits takes a model, or predicted=, not both")
    else:
        said = _predicted(predicted)
        n = len(iterable("X", X, "a list of images"))
        if len(said) != n:
            raise ValueError(f"predicted has {len(said)} classes but X has {n} images; expected one each")
    true = _classes("labels", labels, len(said))
    limit = integer("limit", limit, low=1, high=MAX_IMAGES)
    columns = integer("columns", columns, low=1, high=MAX_IMAGES)
    wrong = [i for i, (t, p) in enumerate(zip(true, said, strict=True)) if t != p]
    first = f", the first {limit}" if len(wrong) > limit else ""
    heading = _title(title, f"{len(wrong)} of {len(said)} misclassified (true → predicted{first})" if wrong else "")
    if not wrong:
        fig, ax = _axes(None, (8.0, 1.2))
        ax.set_axis_off()
        ax.text(0.5, 0.5, f"0 of {len(said)} misclassified: every one classified right", ha="center",
                va="center", fontsize=12)  # fmt: skip
        if heading:
            fig.suptitle(heading)
        return fig
    rows = iterable("X", X, "a list of images")
    shown = wrong[:limit]
    return digit_images([rows[i] for i in shown], [true[i] for i in shown], [said[i] for i in shown],
                        columns=columns, title=heading)  # fmt: skip
