"""nn.plots: the classes and counts behind the pictures (worked by hand), and the pictures themselves:
the artists each figure holds, for 2-class and 3-class data, on its own Figure or on a given Axes, with no
pyplot figure left open and no setting changed."""

import io
import math
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from nn import MLP, SGD, History, Layer, Neuron, accuracy, classify, fit, plots
from nn.data import blobs, moons, one_hot, signed

from .conftest import require
from .probe import Call, ids, refused, sweep

matplotlib = require("matplotlib")
plt = require("matplotlib.pyplot")
from matplotlib.contour import ContourSet  # after require: without matplotlib, the module is skipped
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_figure_left_open_and_no_setting_changed():
    settings = dict(matplotlib.rcParams)
    assert plt.get_fignums() == []
    yield
    assert plt.get_fignums() == []  # nn.plots makes Figures without pyplot: nothing to close
    assert dict(matplotlib.rcParams) == settings


def _linear(w, b=0.0):
    """MLP(2, [1]) with a linear output w·x + b."""
    model = MLP(2, [1], seed=0)
    (n,) = model.layers[0].neurons
    n.w[0].data, n.w[1].data, n.b.data = w[0], w[1], b
    return model


def _three():
    """MLP(2, [3]), linear: o₀ = x₁, o₁ = x₂, o₂ = -x₁ - x₂."""
    model = MLP(2, [3], seed=0)
    for n, (a, b) in zip(model.layers[0].neurons, [(1.0, 0.0), (0.0, 1.0), (-1.0, -1.0)], strict=True):
        n.w[0].data, n.w[1].data, n.b.data = a, b, 0.0
    return model


# ---------------------------------------------------------------------------------------------------
# Classes and counts: plain Python, nn.train's rule.


def test_one_output_is_class_1_above_the_models_threshold():
    model = _linear((1.0, -1.0))  # output x₁ - x₂; linear: the threshold is 0.0, and 0 is not above it
    assert classify(model, [[2.0, 1.0], [0.0, 1.0], [1.0, 1.0]]) == [1, 0, 0]
    assert classify(model, [[1.0, 1.0], [0.0, 1.0]], threshold=-1.5) == [1, 1]
    sigmoid = MLP(2, [1], output_activation="sigmoid", seed=0)
    for p in sigmoid.parameters():
        p.data = 0.0  # σ(0) = 0.5: not above the sigmoid's threshold 0.5
    assert classify(sigmoid, [[3.0, 4.0]]) == [0]
    assert classify(sigmoid, [[3.0, 4.0]], threshold=0.49) == [1]


def test_several_outputs_are_the_class_of_the_largest():
    # o = (x₁, x₂, -x₁ - x₂): (2, 0, -2) -> 0; (0, 2, -2) -> 1; (-1, -1, 2) -> 2
    assert classify(_three(), [[2.0, 0.0], [0.0, 2.0], [-1.0, -1.0]]) == [0, 1, 2]
    layer = Layer(2, 1, activation="linear", seed=0)  # a Layer returns a list even for one output
    layer.neurons[0].w[0].data, layer.neurons[0].w[1].data, layer.neurons[0].b.data = 1.0, 0.0, 0.0
    assert classify(layer, [[1.0, 5.0], [-1.0, 5.0]]) == [1, 0]


def test_confusion_counts_true_rows_and_predicted_columns():
    # pairs (true, predicted): (0,0) (0,1) (1,1) (1,1) (2,2) (2,0)
    assert plots.confusion([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 2, 0]) == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert plots.confusion([1, 1], [1, 1]) == [[0, 0], [0, 2]]  # as many classes as seen: 0 and 1
    assert plots.confusion([0], [0], k=3) == [[1, 0, 0], [0, 0, 0], [0, 0, 0]]


def test_labels_may_be_the_targets_fit_takes():
    predicted = [0, 1, 1]
    expected = [[1, 1], [0, 1]]  # true classes 0, 0, 1
    assert plots.confusion([0, 0, 1], predicted) == expected
    assert plots.confusion(signed([0, 0, 1]), predicted) == expected  # -1/+1: class 1 when > 0.5
    assert plots.confusion([0.0, 0.2, 0.9], predicted) == expected
    assert plots.confusion(one_hot([0, 0, 1], off=-1.0), predicted) == expected
    np = require("numpy")
    assert plots.confusion(np.array([0, 0, 1]), np.array([0, 1, 1])) == expected


def test_one_item_list_targets_are_the_class_accuracy_counts():
    # [t] is the number t, as fit, accuracy and classify take it: [1.0] and [0.9] are class 1, [-1.0] class 0
    model = _linear((1.0, -1.0))  # output x₁ - x₂; linear: class 1 when > 0
    X, y = [[2.0, 1.0], [0.0, 1.0], [3.0, 0.0]], [[1.0], [-1.0], [0.9]]  # all three right
    assert plots.confusion(y, classify(model, X)) == [[1, 0], [0, 2]]
    assert accuracy(model, X, y) == 1.0
    fig = plots.confusion_matrix(model, X, y)
    assert fig.axes[0].images[0].get_array().tolist() == [[1, 0], [0, 2]]
    assert fig.axes[0].get_title() == "3 of 3 right (100%)"


# ---------------------------------------------------------------------------------------------------
# The pictures.


def _history(data, targets, model, epochs=3, validation=None):
    return fit(model, data, targets, optimizer=SGD(model.parameters(), lr=0.05), epochs=epochs, batch_size=None,
               progress=False, validation=validation)  # fmt: skip


@pytest.mark.parametrize("classes", [2, 3])
def test_history_draws_loss_and_accuracy_per_epoch(classes):
    X, labels = blobs(12, noise=0.3, centers=classes, seed=0)
    y = signed(labels) if classes == 2 else one_hot(labels, off=-1.0)
    model = MLP(2, [4, 1 if classes == 2 else 3], seed=0)
    h = _history(X[:8], y[:8], model, validation=(X[8:], y[8:]))
    fig = plots.history(h, title="t")
    assert isinstance(fig, Figure)
    loss_axes, accuracy_axes = fig.axes
    lines = {line.get_label(): line for line in loss_axes.lines + accuracy_axes.lines}
    assert list(lines) == ["training loss", "validation loss", "training accuracy", "validation accuracy"]
    epochs = [1.0, 2.0, 3.0]
    assert [list(map(float, line.get_xdata())) for line in lines.values()] == [epochs] * 4
    assert list(map(float, lines["training loss"].get_ydata())) == h.loss
    assert list(map(float, lines["validation loss"].get_ydata())) == h.val_loss
    assert list(map(float, lines["training accuracy"].get_ydata())) == [100 * a for a in h.accuracy]
    assert list(map(float, lines["validation accuracy"].get_ydata())) == [100 * a for a in h.val_accuracy]
    assert lines["validation loss"].get_linestyle() == "--" and lines["training loss"].get_linestyle() == "-"
    assert loss_axes.get_yscale() == "log" and loss_axes.get_title() == "t"
    assert [t.get_text() for t in loss_axes.get_legend().get_texts()] == list(lines)


def test_history_without_validation_and_with_a_zero_loss():
    fig = plots.history(History(loss=[0.5, 0.0], accuracy=[0.5, 1.0]))
    loss_axes, accuracy_axes = fig.axes
    assert [line.get_label() for line in loss_axes.lines + accuracy_axes.lines] == [
        "training loss",
        "training accuracy",
    ]
    assert loss_axes.get_yscale() == "linear"  # 0 has no place on a log scale
    assert loss_axes.get_title() == "loss and accuracy per epoch"
    assert plots.history(History(loss=[0.5], accuracy=[1.0]), title="").axes[0].get_title() == ""


def _contours(ax, filled):
    return [c for c in ax.collections if isinstance(c, ContourSet) and c.filled == filled]


def _scatters(ax):
    return [c for c in ax.collections if not isinstance(c, ContourSet)]


def test_one_output_the_boundary_is_where_the_output_crosses_the_threshold():
    model = _linear((1.0, -1.0), b=0.5)  # output x₁ - x₂ + 0.5: the boundary is the line x₂ = x₁ + 0.5
    X, labels = [[0.0, 0.0], [0.0, 1.0], [1.0, 2.0], [2.0, 1.0]], [1, 0, 0, 1]
    fig = plots.decision_boundary(model, X, labels, resolution=21)
    ax = fig.axes[0]
    assert _boundary(ax) == 0.0  # linear output: the threshold 0.0
    (line,) = _contours(ax, filled=False)
    vertices = [v for path in line.get_paths() for v in path.vertices]
    assert len(vertices) >= 2 and all(
        abs(x2 - x1 - 0.5) < 1e-9 for x1, x2 in vertices
    )  # exact: a linear field
    (shade,) = _contours(
        ax, filled=True
    )  # drawn as output - threshold, so that a huge threshold cannot overflow
    assert list(line.levels) == [0.0] and 0.0 in list(
        shade.levels
    )  # the colour changes exactly at the boundary
    class0, class1 = _scatters(ax)
    assert class0.get_offsets().tolist() == [[0.0, 1.0], [1.0, 2.0]]
    assert class1.get_offsets().tolist() == [[0.0, 0.0], [2.0, 1.0]]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "class 0",
        "class 1",
        "boundary: output = 0",
    ]
    assert len(fig.axes) == 2 and "class 1 above 0" in fig.axes[1].get_xlabel()  # the colour bar
    assert fig.axes[1].lines or fig.axes[1].collections  # the threshold marked on it


def test_a_sigmoid_output_is_cut_at_one_half_unless_told():
    model = MLP(2, [1], output_activation="sigmoid", seed=0)
    X, labels = moons(10, seed=0)
    assert _boundary(plots.decision_boundary(model, X, labels, resolution=10).axes[0]) == 0.5
    assert _boundary(plots.decision_boundary(model, X, labels, resolution=10, threshold=0.45).axes[0]) == 0.45


def _boundary(ax):
    """The output value the boundary is drawn at, from the legend ("boundary: output = 0.5")."""
    (text,) = [t.get_text() for t in ax.get_legend().get_texts() if t.get_text().startswith("boundary")]
    return float(text.split("= ")[1])


def test_an_output_that_never_crosses_the_threshold_draws_no_boundary():
    model = _linear((0.0, 0.0), b=1.0)  # always 1 > 0: class 1 everywhere
    fig = plots.decision_boundary(model, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=5)
    assert _contours(fig.axes[0], filled=False) == []
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["class 0", "class 1"]


def test_several_outputs_each_region_is_where_its_output_is_largest():
    # o = (x₁, x₂, -x₁ - x₂): class 0 and 1 meet on x₁ = x₂, 0 and 2 on 2x₁ + x₂ = 0, 1 and 2 on x₁ + 2x₂ = 0
    X, labels = [[2.0, 0.0], [0.0, 2.0], [-1.0, -1.0], [1.5, -0.5]], [0, 1, 2, 0]
    steps = 41
    fig = plots.decision_boundary(_three(), X, labels, resolution=steps, class_names=["a", "b", "c"])
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # no colour bar: the colours are the classes
    regions = _contours(ax, filled=True)
    assert [r.get_facecolor()[0][:3].tolist() for r in regions] == [
        list(matplotlib.colors.to_rgb(c)) for c in plots.PALETTE[:3]
    ]
    spacing = (2.0 - -1.0) * 1.2 / (steps - 1)  # the grid's step: the data span and 10% each side
    lines = [(1.0, -1.0, 0.0), (2.0, 1.0, 0.0), (1.0, 2.0, 0.0)]
    vertices = [v for c in _contours(ax, filled=False) for path in c.get_paths() for v in path.vertices]
    assert vertices
    for x1, x2 in vertices:  # each on a boundary line, up to a grid step near the point where all three meet
        distance = min(abs(a * x1 + b * x2) / math.hypot(a, b) for a, b, _ in lines)
        assert distance < spacing
    scatters = _scatters(ax)
    assert [s.get_offsets().tolist() for s in scatters] == [
        [[2.0, 0.0], [1.5, -0.5]],
        [[0.0, 2.0]],
        [[-1.0, -1.0]],
    ]
    assert [s.get_facecolor()[0][:3].tolist() for s in scatters] == [
        list(matplotlib.colors.to_rgb(c)) for c in plots.PALETTE[:3]
    ]
    shapes = [s.get_paths()[0].vertices.tolist() for s in scatters]
    assert len({str(shape) for shape in shapes}) == 3  # each class its own marker, not only its own colour
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c", "boundaries"]


@pytest.mark.parametrize("classes", [2, 3])
def test_confusion_matrix_writes_each_count_in_its_cell(classes):
    if classes == 2:  # output x₁ - x₂ > 0: [2, 1] -> 1, [0, 1] -> 0, [1, 1] -> 0 (0 is not above 0)
        model, X, labels = _linear((1.0, -1.0)), [[2.0, 1.0], [0.0, 1.0], [1.0, 1.0]], [1, 0, 1]
        counts, title = [[1, 0], [1, 1]], "2 of 3 right (66.7%)"
    else:  # classes [0, 1, 2, 2, 0] predicted for these points (see test_several_outputs...)
        model, X = _three(), [[2.0, 0.0], [0.0, 2.0], [-1.0, -1.0], [-2.0, -2.0], [0.0, 2.0]]
        labels = [0, 1, 2, 0, 0]
        counts, title = [[1, 1, 1], [0, 1, 0], [0, 0, 1]], "3 of 5 right (60%)"
    fig = plots.confusion_matrix(model, X, labels)
    ax = fig.axes[0]
    texts = {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text() for t in ax.texts}
    assert texts == {(i, j): str(n) for i, row in enumerate(counts) for j, n in enumerate(row)}
    assert ax.images[0].get_array().tolist() == counts
    assert [t.get_text() for t in ax.get_xticklabels()] == [f"class {c}" for c in range(classes)]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title() == title
    again = plots.confusion_matrix(labels=labels, predicted=classify(model, X))
    assert [t.get_text() for t in again.axes[0].texts] == [t.get_text() for t in ax.texts]


# ---------------------------------------------------------------------------------------------------
# Images: one Axes per image, captioned with its classes.


def _captions(fig):
    return [ax.get_title() for ax in fig.axes]


def test_digit_images_draws_each_image_row_by_row_on_one_scale():
    nine = [float(v) for v in range(9)]  # a 3×3 image: row r holds 3r, 3r + 1, 3r + 2
    fig = plots.digit_images([nine, [4.0] * 9], labels=[3, 1], predicted=[3, 7])
    assert len(fig.axes) == 2 and all(len(ax.images) == 1 for ax in fig.axes)
    assert fig.axes[0].images[0].get_array().tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]]
    assert all(ax.images[0].get_clim() == (0.0, 8.0) for ax in fig.axes)  # one scale: the smallest to the largest
    assert fig.axes[0].images[0].get_cmap().name == "gray_r"  # ink (the larger value) dark on white
    assert _captions(fig) == ["3 → 3", "1 → 7"]
    right, wrong = (ax.title for ax in fig.axes)
    assert right.get_color() == "black" and right.get_fontweight() == "normal"
    assert wrong.get_color() == plots.PALETTE[1] and wrong.get_fontweight() == "bold"
    assert fig.get_suptitle() == "true → predicted"
    assert _captions(plots.digit_images([nine], labels=[5])) == ["5"]
    assert _captions(plots.digit_images([nine], predicted=[5])) == ["→ 5"]
    assert plots.digit_images([nine], labels=[[0.0, 1.0]]).axes[0].get_title() == "1"  # a one-hot label
    bare = plots.digit_images([nine, nine], title="")
    assert _captions(bare) == ["", ""] and bare.get_suptitle() == ""
    flat = plots.digit_images([[2.0] * 4])  # every pixel alike: still a scale, not a division by zero
    assert flat.axes[0].images[0].get_clim() == (2.0, 3.0)


def test_digit_images_fill_rows_of_columns():
    images = [[0.0, 1.0, 1.0, 0.0]] * 23
    fig = plots.digit_images(images, labels=[c % 10 for c in range(23)])
    assert len(fig.axes) == 23  # no empty Axes in the last row
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {(3, 10)}  # ⌈23/10⌉ rows of 10
    assert [ax.get_subplotspec().num1 for ax in fig.axes] == list(range(23))  # in order, row by row
    fig = plots.digit_images(images[:6], columns=4)
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {(2, 4)}
    fig = plots.digit_images(images[:3])  # fewer than a row: as many columns as images
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes} == {(1, 3)}


def _corner_model():
    """MLP(4, [2]) on 2×2 images: o₀ = the top left pixel, o₁ = the bottom right one (class of the larger)."""
    model = MLP(4, [2], seed=0)
    for neuron, weights in zip(model.layers[0].neurons, [[1.0, 0, 0, 0], [0, 0, 0, 1.0]], strict=True):
        for w, value in zip(neuron.w, weights, strict=True):
            w.data = value
        neuron.b.data = 0.0
    return model


def test_misclassified_digits_shows_the_wrong_ones_in_order():
    model = _corner_model()
    says_0, says_1 = [1.0, 0.0, 0.0, 0.25], [0.0, 0.5, 0.5, 1.0]
    X = [says_0, says_1, says_1, says_0, says_0, says_1]
    labels = [0, 0, 1, 1, 0, 0]  # wrong: 1 (true 0, said 1), 3 (true 1, said 0), 5 (true 0, said 1)
    fig = plots.misclassified_digits(model, X, labels)
    assert _captions(fig) == ["0 → 1", "1 → 0", "0 → 1"]
    assert [ax.images[0].get_array().tolist() for ax in fig.axes] == [[[0.0, 0.5], [0.5, 1.0]],
                                                                       [[1.0, 0.0], [0.0, 0.25]],
                                                                       [[0.0, 0.5], [0.5, 1.0]]]  # fmt: skip
    assert fig.get_suptitle() == "3 of 6 misclassified (true → predicted)"
    fig = plots.misclassified_digits(model, X, labels, limit=2)
    assert _captions(fig) == ["0 → 1", "1 → 0"]
    assert fig.get_suptitle() == "3 of 6 misclassified (true → predicted, the first 2)"
    targets = one_hot(labels, 2)  # the targets fit takes say the same
    assert _captions(plots.misclassified_digits(model, X, targets)) == ["0 → 1", "1 → 0", "0 → 1"]
    fine = plots.misclassified_digits(model, X[:3], [0, 1, 1])
    assert not any(ax.images for ax in fine.axes)
    assert [t.get_text() for t in fine.axes[0].texts] == ["0 of 3 misclassified: every one classified right"]
    assert plots.misclassified_digits(model, X, labels, title="test set").get_suptitle() == "test set"
    given = plots.misclassified_digits(None, X, labels, predicted=classify(model, X), limit=2)
    assert _captions(given) == ["0 → 1", "1 → 0"]  # the classes predicted already: the same pictures
    assert given.get_suptitle() == "3 of 6 misclassified (true → predicted, the first 2)"


def test_misclassified_digits_of_a_trained_model_on_the_digits():
    from nn.data import digits

    X_train, X_test, y_train, y_test = digits(100, seed=0)
    model = MLP(64, [10], seed=0)
    fit(model, X_train, y_train, loss="cross_entropy", epochs=2, batch_size=20, progress=False)
    said = classify(model, X_test)
    wrong = [(t, p) for t, p in zip(y_test, said, strict=True) if t != p]
    fig = plots.misclassified_digits(model, X_test, y_test)
    assert _captions(fig) == [f"{t} → {p}" for t, p in wrong]
    assert all(ax.images[0].get_array().shape == (8, 8) for ax in fig.axes)


def test_figures_compose_on_given_axes():
    fig = Figure(layout="constrained")
    left, middle, right = fig.subplots(1, 3)
    X, labels = moons(10, seed=0)
    model = MLP(2, [1], seed=0)
    assert plots.history(History(loss=[1.0, 0.5], accuracy=[0.5, 1.0]), ax=left) is fig
    assert plots.decision_boundary(model, X, labels, resolution=5, ax=middle) is fig
    assert plots.confusion_matrix(model, X, labels, ax=right) is fig
    assert middle.collections and right.texts
    sub = Figure().subfigures(1, 2)[1]  # a SubFigure's Axes: the Figure it is in comes back
    ax = sub.add_subplot()
    assert plots.confusion_matrix(labels=[0, 1], predicted=[0, 1], ax=ax) is sub.figure


def test_a_wrong_argument_leaves_a_given_axes_untouched():
    ax = Figure().add_subplot()
    X, labels = moons(6, seed=0)
    with pytest.raises(TypeError, match="title must be a str"):
        plots.decision_boundary(MLP(2, [1], seed=0), X, labels, resolution=3, ax=ax, title=3)
    with pytest.raises(ValueError, match="class_names has 1 names but there are 2 classes"):
        plots.confusion_matrix(labels=[0, 1], predicted=[0, 1], ax=ax, class_names=["a"])
    with pytest.raises(TypeError, match="title must be a str"):
        plots.history(History(loss=[1.0], accuracy=[1.0]), ax=ax, title=b"t")
    assert not (ax.collections or ax.lines or ax.texts or ax.images or ax.get_legend() or ax.get_title())
    assert len(ax.figure.axes) == 1  # no colour bar, no twin axes


def test_each_figure_is_a_1000_pixel_png(tmp_path):
    X, labels = blobs(12, noise=0.3, centers=3, seed=0)
    figures = {
        "history": plots.history(History(loss=[1.0, 0.5], accuracy=[0.5, 1.0])),
        "boundary": plots.decision_boundary(MLP(2, [3], seed=0), X, labels, resolution=5),
        "digits": plots.digit_images([[0.0, 1.0, 1.0, 0.0]] * 12, labels=[1] * 12),  # 10 to a row
    }
    for name, fig in figures.items():
        fig.savefig(tmp_path / f"{name}.png")
        head = (tmp_path / f"{name}.png").read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">I", head[16:20])[0] == 1000  # width: 8 inches at 125 dpi


def _inside(fig):
    """Everything drawn lies within the figure (a pixel of rounding allowed): no title or legend cut off."""
    fig.savefig(io.BytesIO(), format="png")  # laid out as when written (a bare canvas.draw() can differ)
    renderer = fig._get_renderer()
    boxes = [ax.get_tightbbox(renderer) for ax in fig.axes]
    return min(b.y0 for b in boxes) >= -1 and max(b.y1 for b in boxes) <= fig.bbox.y1 + 1 and \
        min(b.x0 for b in boxes) >= -1 and max(b.x1 for b in boxes) <= fig.bbox.x1 + 1


def test_ten_classes_fit_the_figure():
    X, labels = blobs(200, noise=0.1, centers=10, seed=0)
    fig = plots.decision_boundary(MLP(2, [10], seed=0), X, labels, resolution=20, title="ten blobs")
    assert len(fig.axes[0].get_legend().get_texts()) == 11 and _inside(fig)  # three rows of legend below
    fig = plots.confusion_matrix(labels=labels, predicted=labels)
    assert fig.get_size_inches()[0] * fig.dpi <= 1000 and _inside(fig)  # not wider than the other figures
    assert fig.axes[0].get_xticklabels()[0].get_rotation() == 0.0  # "class 9" fits its column
    many = list(range(30))
    fig = plots.confusion_matrix(labels=many, predicted=many)
    assert fig.get_size_inches()[0] * fig.dpi <= 1000 and _inside(fig)
    assert fig.axes[0].get_xticklabels()[0].get_rotation() == 90.0  # 30 names upright, not overlapping
    sizes = {t.get_fontsize() for t in fig.axes[0].texts}
    assert len(sizes) == 1 and 5 <= sizes.pop() < 12  # smaller counts for smaller cells


def test_without_matplotlib_drawing_says_what_to_install(monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ModuleNotFoundError, match=r"plots need matplotlib: pip install matplotlib \(or pip install "
                       r"'chainrule\[plot\]'\)"):  # fmt: skip
        plots.history(History(loss=[1.0], accuracy=[1.0]))
    assert plots.confusion([0, 1], classify(_linear((1.0, 0.0)), [[-1.0, 0], [1.0, 0]])) == [
        [1, 0], [0, 1],
    ]  # fmt: skip


def test_import_nn_plots_loads_no_matplotlib():
    code = "import sys, nn.plots; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------------
# Wrong arguments: refused by name, never a raw error from inside (tests/probe.py)

_h = History(loss=[1.0, 0.5], accuracy=[0.5, 1.0])


def _history_of(loss, accuracy, **validation):
    """plots.history of a History built by hand (whose repr cannot show lists of unequal length)."""
    return plots.history(History(loss=loss, accuracy=accuracy, **validation))


_m, _X, _y = MLP(2, [1], seed=0), [[0.0, 0.0], [1.0, 1.0]], [0, 1]
BAD_ARGUMENTS = [
    (Call(plots.history, None), TypeError, "history must be an nn.train.History (what fit returns), got NoneType"),
    (Call(plots.history, [1.0]), TypeError, "history must be an nn.train.History"),
    (Call(plots.history, History()), ValueError, "history has no epochs to draw"),
    (Call(_history_of, [1.0], []), ValueError, "history.accuracy has 0 epochs but history.loss has 1"),
    (Call(_history_of, [1.0], [1.0], val_loss=[1.0]), ValueError, "history.val_accuracy has 0 epochs"),
    (Call(plots.history, _h, title=3), TypeError, "title must be a str (or None for the default), got int"),
    (Call(plots.history, _h, ax="left"), TypeError, "ax must be a matplotlib Axes"),
    (Call(plots.decision_boundary, None, _X, _y), TypeError, "model must be an MLP, Layer or Neuron, or a callable"),
    (Call(plots.decision_boundary, MLP(3, [1], seed=0), _X, _y), ValueError,
     "decision_boundary draws a model of 2 inputs (the plane), got one of 3 inputs"),
    (Call(plots.decision_boundary, Neuron(1, seed=0), _X, _y), ValueError, "got one of 1 inputs"),
    (Call(plots.decision_boundary, _m, [[1.0, 2.0, 3.0]], [0]), ValueError,
     "X[0] has 3 values; decision_boundary draws 2-D points"),
    (Call(plots.decision_boundary, _m, [], []), ValueError, "X is empty"),
    (Call(plots.decision_boundary, _m, [[math.nan, 0.0]], [0]), ValueError, "X[0][0] must be a finite number"),
    (Call(plots.decision_boundary, _m, "ab", _y), TypeError, "X must be a list of 2-D points"),
    (Call(plots.decision_boundary, _m, _X, [0]), ValueError, "labels has 1 labels but there are 2 samples"),
    (Call(plots.decision_boundary, _m, _X, ["a", "b"]), TypeError,
     "labels[0] must be a class number, a target number or a one-hot list, got str"),
    (Call(plots.decision_boundary, _m, _X, [0, [1.0, "x"]]), TypeError, "labels[1][1] must be a real number"),
    (Call(plots.decision_boundary, _m, _X, [[], [1.0]]), ValueError,
     "labels[0] has 0 items: a one-hot target needs one per class, 1 to 1000"),
    (Call(plots.decision_boundary, _m, _X, [0, 10**9]), ValueError, "labels[1] must be <= 999, got 1000000000"),
    (Call(plots.decision_boundary, _m, _X, _y, resolution=1), ValueError, "resolution must be >= 2 and <= 1000, got 1"),
    (Call(plots.decision_boundary, _m, _X, _y, resolution=2.5), TypeError, "resolution must be an int"),
    (Call(plots.decision_boundary, _m, _X, _y, threshold="0.5"), TypeError, "threshold must be a real number"),
    (Call(plots.decision_boundary, _m, _X, _y, class_names=["a"]), ValueError,
     "class_names has 1 names but there are 2 classes"),
    (Call(plots.decision_boundary, _m, _X, _y, class_names=["a", 2]), TypeError, "class_names[1] must be a str"),
    (Call(classify, 3, _X), TypeError, "model must be an MLP, Layer or Neuron, or a callable"),
    (Call(plots.confusion, [0, 1], [0]), ValueError, "predicted has 1 classes but labels has 2; expected one each"),
    (Call(plots.confusion, [0], [0.7]), TypeError, "predicted[0] must be an int, got float: 0.7"),
    (Call(plots.confusion, [0], [-1]), ValueError, "predicted[0] must be >= 0 and <= 999, got -1"),
    (Call(plots.confusion, [0], [1000]), ValueError, "predicted[0] must be >= 0 and <= 999, got 1000"),
    (Call(plots.confusion, [0], [0], k=1001), ValueError, "k must be >= 1 and <= 1000, got 1001"),
    (Call(plots.confusion, [0, 2], [0, 0], k=2), ValueError, "k must be at least 3: a class 2 is in labels or predicted"),
    (Call(plots.confusion, [], []), ValueError, "labels is empty"),
    (Call(plots.confusion, [True], [1]), TypeError, "labels[0] must be a class number, a target number or a one-hot list, got bool"),
    (Call(plots.confusion_matrix, _m, _X), TypeError, "confusion_matrix needs labels"),
    (Call(plots.confusion_matrix, labels=_y), TypeError, "needs a model and X (its samples), or predicted="),
    (Call(plots.confusion_matrix, _m, _X, _y, predicted=[0, 1]), TypeError, "a model and X, or predicted=, not both"),
    (Call(plots.digit_images, None), TypeError, "images must be a list of images, each a list of side² pixel values"),
    (Call(plots.digit_images, []), ValueError, "images is empty: there are no images to draw"),
    (Call(plots.digit_images, [[0.0] * 5]), ValueError, "images[0] has 5 pixels; an image is a square of side² pixels"),
    (Call(plots.digit_images, [[]]), ValueError, "images[0] has 0 pixels; an image is a square"),
    (Call(plots.digit_images, [[0.0] * 4, [0.0] * 9]), ValueError, "images[1] has 9 pixels but images[0] has 4"),
    (Call(plots.digit_images, [[0.0, math.nan, 0.0, 0.0]]), ValueError, "images[0][1] must be a finite number"),
    (Call(plots.digit_images, [[0.0] * 4] * 201), ValueError, "images has 201 images; digit_images draws at most 200"),
    (Call(plots.digit_images, [[0.0] * 4], labels=[1, 2]), ValueError, "labels has 2 labels but there are 1 samples"),
    (Call(plots.digit_images, [[0.0] * 4], predicted=[1, 2]), ValueError,
     "predicted has 2 classes but there are 1 images; expected one each"),
    (Call(plots.digit_images, [[0.0] * 4], predicted=[1.0]), TypeError, "predicted[0] must be an int, got float"),
    (Call(plots.digit_images, [[0.0] * 4], columns=0), ValueError, "columns must be >= 1 and <= 200, got 0"),
    (Call(plots.digit_images, [[0.0] * 4], title=1), TypeError, "title must be a str"),
    (Call(plots.misclassified_digits, MLP(4, [2], seed=0), [[0.0] * 9], [0]), ValueError, "X[0] has 9"),
    (Call(plots.misclassified_digits, MLP(4, [2], seed=0), [[0.0] * 4], [0, 1]), ValueError,
     "labels has 2 labels but there are 1 samples"),
    (Call(plots.misclassified_digits, MLP(4, [2], seed=0), [[0.0] * 4], [0], limit=0), ValueError,
     "limit must be >= 1 and <= 200, got 0"),
    (Call(plots.misclassified_digits, None, [[0.0] * 4], [0]), TypeError, "model must be an MLP, Layer or Neuron"),
    (Call(plots.misclassified_digits, _m, [[0.0] * 4], [0], predicted=[0]), TypeError,
     "misclassified_digits takes a model, or predicted=, not both"),
    (Call(plots.misclassified_digits, None, [[0.0] * 4], [0], predicted=[0, 1]), ValueError,
     "predicted has 2 classes but X has 1 images; expected one each"),
    (Call(plots.misclassified_digits, None, [[0.0] * 4], [0], predicted=[0.5]), TypeError,
     "predicted[0] must be an int, got float"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "says"), BAD_ARGUMENTS, ids=ids(BAD_ARGUMENTS))
def test_wrong_arguments_are_refused_by_name(call, error, says):
    refused(call, error, says)


def test_sweep_of_wrong_values_finds_no_raw_error():
    assert (
        sweep(plots.history, (_h,), {"title": None, "ax": None}, {0: "history", "title": "title", "ax": "ax"})
        == []
    )
    options = {"threshold": None, "resolution": 3, "class_names": None, "title": None}
    names = {0: "model", 1: "X", 2: "labels", **{k: k for k in options}}
    assert sweep(plots.decision_boundary, (_m, _X, _y), options, names) == []
    assert sweep(plots.confusion, (_y, [1, 1]), {"k": None}, {0: "labels", 1: "predicted", "k": "k"}) == []
    options = {"class_names": None, "title": None}
    names = {"labels": "labels", "predicted": "predicted", **{k: k for k in options}}
    assert sweep(plots.confusion_matrix, (), {"labels": _y, "predicted": [1, 1], **options}, names) == []
    assert sweep(plots.digit_images, ([[0.0, 1.0, 1.0, 0.0]],), {"labels": [1], "predicted": [1], "columns": 3,
                 "title": None}, {0: "images", **{k: k for k in ("labels", "predicted", "columns", "title")}}) == []
    names = {0: "model", 1: "X", 2: "labels", **{k: k for k in ("limit", "columns", "threshold", "title")}}
    options = {"limit": 3, "columns": 3, "threshold": None, "title": None}
    assert sweep(plots.misclassified_digits, (_corner_model(), [[0.0, 0.0, 0.0, 1.0]], [0]), options, names) == []


def test_a_figure_shows_itself_in_jupyter_without_pyplot():
    """A Figure as a cell's value: its PNG, even when no pyplot or %matplotlib inline ran first."""
    fig = plots.decision_boundary(MLP(2, [1], seed=0), [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=10)
    png = fig._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure) and type(fig).__name__ == "Figure"


def test_decision_boundary_without_its_key_for_small_multiples():
    from matplotlib.figure import Figure

    X, labels = blobs(30, noise=0.3, centers=3, seed=0)
    fig = Figure()
    panels = fig.subplots(1, 2)
    for ax in panels:
        plots.decision_boundary(MLP(2, [1], seed=0), X, [int(c == 0) for c in labels], ax=ax, key=False, resolution=10)
    assert len(fig.axes) == 2 and all(ax.get_legend() is None for ax in fig.axes)  # no colour bar axes either
    with pytest.raises(TypeError, match="key must be"):
        plots.decision_boundary(MLP(2, [1], seed=0), X, labels, key="no")


def test_history_names_its_held_out_data():
    h = History(loss=[0.5, 0.2], accuracy=[0.5, 1.0], val_loss=[0.6, 0.3], val_accuracy=[0.5, 0.5])
    fig = plots.history(h, held_out="test")
    assert [line.get_label() for ax in fig.axes for line in ax.lines] == [
        "training loss", "test loss", "training accuracy", "test accuracy",
    ]  # fmt: skip
