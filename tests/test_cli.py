"""`chainrule train`: the demo's defaults reach 100% training accuracy; a test set held out and its accuracy
true; k classes and the digits; files written; and no mistake of a user's ends in a traceback: usage
errors exit 2 with argparse's usage line, failures while running exit 1 with one line on stderr, Ctrl-C
exits 130."""

import builtins
import errno
import io
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nn import accuracy, classify, load
from nn import data as nn_data
from nn.cli import main
from nn.data import blobs, digits, train_test_split

from .conftest import require

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--no-progress", "--no-plots", "--epochs", "1", "--samples", "20"]


def test_the_demo_defaults_reach_100_percent_and_write_every_file(tmp_path, capsys):
    out = tmp_path / "demo-output"
    assert main(["train", "--out", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "moons: 100 points, noise 0.1, 2 classes; 80 to train, 20 held out to test\n" in text
    assert "MLP(2 -> 16 -> 16 -> 1, relu / linear), 337 parameters" in text  # 3·16 + 17·16 + 17
    assert "squared_error loss" in text
    assert "training accuracy 100.0%; test loss " in text
    assert sorted(p.name for p in out.iterdir()) == ["confusion_matrix.png", "decision_boundary.png", "loss.png",
                                                     "model.json", "neuron.svg"]  # fmt: skip
    for png in ("loss.png", "confusion_matrix.png", "decision_boundary.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "neuron.svg").read_text()
    assert "<svg" in svg and "dot" in svg and "relu" in svg
    assert repr(load(out / "model.json")) == "MLP(2 -> 16 -> 16 -> 1, relu / linear)"


def test_the_plots_are_nn_plots(tmp_path, monkeypatch):
    require("matplotlib")
    from nn import plots

    calls = []

    def spy(name):
        real = getattr(plots, name)

        def drawn(*args, **kwargs):
            calls.append((name, args, kwargs))
            return real(*args, **kwargs)

        monkeypatch.setattr(plots, name, drawn)

    for name in ("history", "confusion_matrix", "decision_boundary", "misclassified_digits"):
        spy(name)
    assert main(["train", "--out", str(tmp_path), "--no-progress", "--epochs", "2", "--samples", "20",
                 "--dataset", "blobs"]) == 0  # fmt: skip
    assert [name for name, _, _ in calls] == ["history", "confusion_matrix", "decision_boundary"]
    (_, (history,), loss_options), (_, _, counts), (_, (model, X, labels), boundary_options) = calls
    assert history.epochs == 2 and len(history.val_loss) == 2  # the held-out points, measured each epoch
    assert len(X) == len(labels) == 16 and repr(model).startswith("MLP(2 -> 16")  # the training points
    assert len(counts["labels"]) == len(counts["predicted"]) == 4 and counts["class_names"] is None  # the test
    assert loss_options["title"] == f"{model} on blobs (dashed: the 4 held out to test)"
    assert counts["title"].startswith("blobs, the 4 held out: ")
    assert boundary_options["title"].startswith("blobs, the 16 training points: accuracy ")


def test_without_matplotlib_the_plots_are_skipped_with_a_note(tmp_path, capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")] or ["matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    assert main(["train", "--out", str(tmp_path), "--no-progress", "--epochs", "1", "--samples", "20"]) == 0
    assert capsys.readouterr().err == "note: matplotlib is not installed, so no plots (pip install 'chainrule[plot]')\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "neuron.svg"]


# ---------------------------------------------------------------------------------------------------
# A test set held out; k classes; the digits.


def _fit_spy(monkeypatch):
    """Record fit's arguments (and run it)."""
    import nn.cli

    seen = {}
    real = nn.cli.fit

    def fit(model, X, y, **options):
        seen.update(model=model, X=X, y=y, **options)
        return real(model, X, y, **options)

    monkeypatch.setattr(nn.cli, "fit", fit)
    return seen


def _accuracies(text):
    found = re.search(r"training accuracy ([\d.]+)%; test loss [\d.]+, test accuracy ([\d.]+)%", text)
    assert found, text
    return float(found[1]), float(found[2])


def test_a_stratified_test_set_is_held_out_and_its_accuracy_is_true(tmp_path, capsys, monkeypatch):
    seen = _fit_spy(monkeypatch)
    argv = ["train", "--out", str(tmp_path), "--no-progress", "--no-plots", "--epochs", "3", "--samples", "60",
            "--dataset", "blobs", "--classes", "3", "--noise", "0.8", "--test-size", "0.25", "--seed", "2"]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "blobs: 60 points, noise 0.8, 3 classes; 45 to train, 15 held out to test" in text
    # the split is nn.data's, stratified and seeded as documented: training on one part, testing on the other
    X, labels = blobs(60, noise=0.8, centers=3, seed=2)
    X_train, X_test, y_train, y_test = train_test_split(X, labels, test_size=0.25, seed=2, stratify=True)
    assert seen["X"] == X_train and seen["validation"][0] == X_test
    assert sorted(y_test) == [0] * 5 + [1] * 5 + [2] * 5  # 20 of each class, a quarter of each held out
    model = load(tmp_path / "model.json")  # the accuracies printed are the saved model's on those parts
    training, test = _accuracies(text)
    assert training == round(100 * accuracy(model, X_train, y_train), 1)
    assert test == round(100 * accuracy(model, X_test, y_test), 1)


@pytest.mark.parametrize(
    ("flags", "shape", "targets"),
    [
        (["--dataset", "blobs", "--classes", "4", "--loss", "cross_entropy"], "MLP(2 -> 16 -> 16 -> 4", "labels"),
        (["--dataset", "spirals", "--classes", "3"], "MLP(2 -> 16 -> 16 -> 3", "one-hot ±1"),
        (["--dataset", "spirals", "--classes", "3", "--loss", "bce"], "MLP(2 -> 16 -> 16 -> 3", "one-hot 0/1"),
        (["--loss", "cross_entropy"], "MLP(2 -> 16 -> 16 -> 2", "labels"),  # two classes, two logits
        (["--dataset", "blobs", "--classes", "2"], "MLP(2 -> 16 -> 16 -> 1", "±1"),
        (["--dataset", "blobs", "--classes", "10", "--loss", "cross_entropy", "--compiled"], "-> 10", "labels"),
    ],
)
def test_k_classes_have_k_outputs_and_the_targets_the_loss_wants(tmp_path, capsys, monkeypatch, flags, shape, targets):
    seen = _fit_spy(monkeypatch)
    assert main(["train", "--out", str(tmp_path), *FAST, "--samples", "30", *flags]) == 0
    assert shape in capsys.readouterr().out
    k = int(flags[flags.index("--classes") + 1]) if "--classes" in flags else 2
    labels = [c for c in range(k)]
    y = seen["y"]
    if targets == "labels":  # cross_entropy takes the class numbers
        assert sorted(set(y)) == labels and all(type(c) is int for c in y)
    elif targets == "±1":
        assert sorted(set(y)) == [-1.0, 1.0]
    else:
        low = -1.0 if "±1" in targets else 0.0
        assert all(sorted(t) == [low] * (k - 1) + [1.0] for t in y)
        assert sorted({t.index(1.0) for t in y}) == labels


@pytest.mark.parametrize("loss", ["squared_error", "mse", "bce", "hinge"])
def test_targets_are_signed_exactly_where_fit_cuts_the_output_at_0(loss):
    # ±1 targets where accuracy's threshold is 0.0, 0/1 where it is 0.5: every output activation, one rule;
    # hinge takes ±1 and BCE 0/1 whatever the output (BCE's outputs are logits, cut at 0)
    from nn import MLP, cli, train
    from nn.layers import ACTIVATIONS
    from nn.losses import LOSSES

    for act in ACTIVATIONS:
        low = cli._targets([0, 1], loss, act, 2)[0]
        cut = train._threshold(MLP(2, [1], output_activation=act, seed=0), LOSSES[loss], None)
        signed = loss == "hinge" or (loss != "bce" and cut == 0.0)
        assert low == (-1.0 if signed else 0.0), act


def test_the_parameter_bound_is_the_model_files(tmp_path, capsys):
    # every run saves model.json, so a network persist could not save is refused before training
    from nn import persist

    hidden = (persist.MAX_PARAMETERS - 3) // 4  # 2 -> h -> 1: 3h + h + 1 parameters
    assert 4 * hidden + 1 <= persist.MAX_PARAMETERS < 4 * (hidden + 1) + 1
    with pytest.raises(SystemExit):
        main(["train", "--out", str(tmp_path), "--hidden", str(hidden + 1)])
    assert f"makes {4 * (hidden + 1) + 1:,} parameters" in capsys.readouterr().err


@pytest.mark.parametrize("stop", [[], ["--target-loss", "1.0"]])  # all epochs, or stopped at the first
def test_the_test_numbers_are_fits_last_validation_of_the_saved_model(tmp_path, capsys, monkeypatch, stop):
    import nn.cli
    from nn import evaluate, half_mse

    seen = _fit_spy(monkeypatch)
    rows = []
    real = nn.cli.evaluate
    monkeypatch.setattr(nn.cli, "evaluate", lambda model, X, *rest: rows.append(X) or real(model, X, *rest))
    assert main(["train", "--out", str(tmp_path), *FAST, "--epochs", "3", *stop]) == 0
    text = capsys.readouterr().out
    X_test, y_test = seen["validation"]
    assert rows == [seen["X"]]  # the training set only: fit evaluated the test set after the last epoch
    loss, accuracy = evaluate(load(tmp_path / "model.json"), X_test, y_test, half_mse)
    assert f"test loss {loss:.6f}, test accuracy {100 * accuracy:.1f}%" in text
    assert f"trained {1 if stop else 3} epochs" in text


def test_digits_classify_the_test_set_once(tmp_path, monkeypatch):
    require("sklearn")
    require("matplotlib")
    import nn.cli
    from nn import plots

    counted = []
    for module in (nn.cli, plots):
        monkeypatch.setattr(module, "classify", lambda model, X, _real=module.classify, **kw: counted.append(len(X))
                            or _real(model, X, **kw))  # fmt: skip
    argv = ["train", "--out", str(tmp_path), "--no-progress", "--dataset", "digits", "--loss", "cross_entropy",
            "--samples", "60", "--hidden", "4", "--epochs", "1"]  # fmt: skip
    assert main(argv) == 0
    assert counted == [12]  # the 12 held out, once: the confusion matrix and the misclassified share them


def test_digits_train_with_a_test_set_and_write_their_pictures(tmp_path, capsys, monkeypatch):
    require("sklearn")
    require("matplotlib")
    from nn import plots

    calls = {}
    for name in ("confusion_matrix", "misclassified_digits", "decision_boundary"):
        real = getattr(plots, name)

        def drawn(*args, _name=name, _real=real, **kwargs):
            calls[_name] = (args, kwargs)
            return _real(*args, **kwargs)

        monkeypatch.setattr(plots, name, drawn)
    argv = ["train", "--out", str(tmp_path), "--no-progress", "--dataset", "digits", "--loss", "cross_entropy",
            "--samples", "100", "--hidden", "8", "--epochs", "2", "--batch-size", "20"]  # fmt: skip
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "digits: 100 images of 8×8 pixels, 10 classes; 80 to train, 20 held out to test" in text
    assert "MLP(64 -> 8 -> 10, relu / linear), 610 parameters" in text  # 65·8 + 9·10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["confusion_matrix.png", "loss.png", "misclassified.png",
                                                          "model.json"]  # fmt: skip
    assert "no neuron.svg: a neuron of 64 inputs" in text  # a strip thousands of points long: not drawn
    X_train, X_test, y_train, y_test = digits(100, test_size=0.2, seed=0)
    model = load(tmp_path / "model.json")
    training, test = _accuracies(text)
    assert training == round(100 * accuracy(model, X_train, y_train), 1)
    assert test == round(100 * accuracy(model, X_test, y_test), 1)
    assert "decision_boundary" not in calls  # 64 inputs: no plane to draw
    (_, options) = calls["confusion_matrix"]
    assert options["labels"] == y_test and options["predicted"] == classify(model, X_test)
    assert options["class_names"] == [str(c) for c in range(10)]
    (_, X, labels), _ = calls["misclassified_digits"]
    assert X == X_test and labels == y_test


def test_digits_without_scikit_learn_is_one_line_saying_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(nn_data, "_digit_images", nn_data._digit_images.__wrapped__)  # not the cached images
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")] or ["sklearn"]:
        monkeypatch.setitem(sys.modules, name, None)
    assert main(["train", "--out", str(tmp_path / "out"), *FAST, "--dataset", "digits"]) == 1
    out, err = capsys.readouterr()
    assert err == ("chainrule train: digits needs scikit-learn (it bundles the images): pip install "
                   "'chainrule[data]' (or pip install scikit-learn)\n")  # fmt: skip
    assert out == "" and not (tmp_path / "out" / "model.json").exists()


@pytest.mark.parametrize(
    "flags",
    [
        ["--dataset", "xor", "--optimizer", "sgd", "--loss", "hinge", "--batch-size", "1"],
        ["--dataset", "circles", "--optimizer", "cg", "--batch-size", "full", "--hidden", "4"],
        ["--dataset", "blobs", "--loss", "bce", "--output-activation", "linear", "--schedule", "linear"],
        ["--dataset", "spirals", "--optimizer", "nesterov", "--activation", "tanh", "--schedule", "step"],
        ["--dataset", "xor", "--loss", "hinge", "--batch-size", "1", "--l2", "0.001", "--compiled"],
        ["--dataset", "circles", "--optimizer", "cg", "--batch-size", "full", "--hidden", "4", "--compiled"],
        ["--dataset", "blobs", "--loss", "bce", "--compiled"],
        ["--dataset", "spirals", "--classes", "3", "--loss", "cross_entropy", "--compiled"],
        ["--dataset", "blobs", "--classes", "4", "--loss", "cross_entropy", "--optimizer", "cg", "--batch-size",
         "full", "--compiled"],
        ["--dataset", "blobs", "--classes", "5", "--loss", "hinge"],
    ],
)
def test_other_flags_run(tmp_path, capsys, flags):
    args = ["train", "--out", str(tmp_path), "--no-progress", "--no-plots", "--epochs", "2", "--samples", "20"]
    assert main(args + flags) == 0
    text = capsys.readouterr().out
    assert "training accuracy" in text
    assert (", compiled" in text) == ("--compiled" in flags)
    assert json.loads((tmp_path / "model.json").read_text())["format"] == "chainrule.nn.MLP"


# ---------------------------------------------------------------------------------------------------
# Bad command lines, scripted. Each row: the flags after `chainrule train` (the FAST flags and --out come
# first, so a row's own flag wins), the exit status, and words the message must contain. Exit 0 rows are
# edge cases that are fine and must stay fine. The draw table is in test_cli_draw.py.

TRAIN_TABLE = [
    # --samples: both classes need a point (moons/circles/... have two classes); a cap keeps memory sane
    (["--samples", "1"], 2, "--samples: expected a number >= 2 (two classes need a point each), got 1"),
    (["--samples", "1", "--dataset", "xor"], 2, "expected a number >= 2"),
    (["--samples", "0"], 2, "expected a number >= 2"),
    (["--samples", "-5"], 2, "expected a number >= 2"),
    (["--samples", "abc"], 2, "expected a whole number, got 'abc'"),
    (["--samples", "2.5"], 2, "expected a whole number, got '2.5'"),
    (["--samples", "1e9"], 2, "expected a whole number"),
    (["--samples", "1000000000"], 2, "expected at most 1,000,000, got 1,000,000,000"),
    (["--samples", "2"], 0, ""),
    (["--samples", "2", "--dataset", "circles"], 0, ""),
    (["--samples", "2", "--dataset", "spirals"], 0, ""),
    (["--samples", "3", "--dataset", "blobs"], 0, ""),
    (["--samples", "2", "--optimizer", "cg", "--batch-size", "full"], 0, ""),
    # --noise: a documented range, 0 to 10
    (["--noise", "1e300"], 2, "--noise: expected a number from 0 to 10, got 1e300"),
    (["--noise", "100"], 2, "from 0 to 10"),
    (["--noise", "-0.1"], 2, "from 0 to 10"),
    (["--noise", "inf"], 2, "from 0 to 10"),
    (["--noise", "nan"], 2, "from 0 to 10"),
    (["--noise", "lots"], 2, "expected a number, got 'lots'"),
    (["--noise", "0"], 0, ""),
    (["--noise", "10"], 0, ""),
    # --lr: finite and > 0 before running; too large shows while running (diverged, exit 1)
    (["--lr", "0"], 2, "--lr: expected a finite number > 0, got 0"),
    (["--lr", "-1"], 2, "expected a finite number > 0, got -1"),
    (["--lr", "nan"], 2, "expected a finite number > 0"),
    (["--lr", "inf"], 2, "expected a finite number > 0"),
    (["--lr", "1e400"], 2, "expected a finite number > 0"),
    (["--lr", "1e-400"], 2, "expected a finite number > 0"),  # rounds to 0
    (["--lr", "0x1"], 2, "expected a number, got '0x1'"),
    (["--lr"], 2, "--lr: expected one argument"),
    (["--lr", "1e300"], 1, "training diverged at epoch 1, step 1: the update would make"),
    (["--lr", "1e300", "--optimizer", "sgd"], 1, "try a smaller --lr (this run used 1e+300)"),
    (["--lr", "1e300", "--optimizer", "momentum"], 1, "training diverged"),
    (["--lr", "1e300", "--optimizer", "sgd", "--compiled"], 1, "training diverged"),
    (["--lr", "1e300", "--optimizer", "sgd", "--loss", "hinge"], 1, "training diverged"),
    (["--lr", "1e-300"], 0, ""),
    # --hidden: widths, "16,16" or "16 16"; none for no hidden layer; nothing silently merged
    (["--hidden", ""], 2, "--hidden: expected layer widths such as 16,16 (or none for no hidden layer), got ''"),
    (["--hidden", ","], 2, "expected layer widths such as 16,16"),
    (["--hidden", "16,,16"], 2, "expected layer widths such as 16,16"),
    (["--hidden", "16,"], 2, "expected layer widths such as 16,16"),
    (["--hidden", "0"], 2, "layer widths must be >= 1, got '0'"),
    (["--hidden", "16,-1"], 2, "layer widths must be >= 1"),
    (["--hidden", "16.0"], 2, "expected layer widths such as 16,16, got '16.0'"),
    (["--hidden", "1e3"], 2, "expected layer widths"),
    (["--hidden", "x"], 2, "expected layer widths"),
    (["--hidden", "2000,2000"], 2, "makes 4,010,001 parameters; this scalar engine is for small networks"),  # 3·2000 + 2001·2000 + 2001
    (["--hidden", "16 16"], 0, "MLP(2 -> 16 -> 16 -> 1"),
    (["--hidden", " 4 , 4 "], 0, "MLP(2 -> 4 -> 4 -> 1"),
    (["--hidden", "none"], 0, "MLP(2 -> 1"),
    # --classes: spirals and blobs only, 2 to 10, with a point for each
    (["--classes", "3"], 2, "--classes: moons has 2 classes by nature; only spirals and blobs take --classes"),
    (["--classes", "3", "--dataset", "circles"], 2, "circles has 2 classes by nature"),
    (["--classes", "2", "--dataset", "xor"], 2, "xor has 2 classes by nature"),
    (["--classes", "10", "--dataset", "digits"], 2, "--classes: digits has its 10 classes, one per digit"),
    (["--classes", "1", "--dataset", "blobs"], 2, "--classes: expected a number >= 2, got 1"),
    (["--classes", "11", "--dataset", "spirals"], 2, "--classes: expected at most 10, got 11"),
    (["--classes", "three", "--dataset", "spirals"], 2, "--classes: expected a whole number, got 'three'"),
    (["--classes", "3", "--dataset", "blobs", "--samples", "2"], 2,
     "--samples 2 is too few for 3 classes: each class needs a point"),
    (["--classes", "10", "--dataset", "spirals", "--samples", "10"], 0, "10 classes; 8 to train, 2 held out"),
    (["--classes", "4", "--dataset", "blobs"], 0, "MLP(2 -> 16 -> 16 -> 4"),
    # --test-size: a fraction that leaves both parts a sample
    (["--test-size", "0"], 2, "--test-size: expected a fraction > 0 and < 1, got 0"),
    (["--test-size", "1"], 2, "expected a fraction > 0 and < 1, got 1"),
    (["--test-size", "nan"], 2, "expected a fraction > 0 and < 1, got nan"),
    (["--test-size", "-0.2"], 2, "expected a fraction > 0 and < 1"),
    (["--test-size", "20%"], 2, "expected a fraction such as 0.2, got '20%'"),
    (["--test-size", "0.9", "--samples", "2"], 2, "--test-size 0.9 of 2 samples holds out all 2: none is left"),
    (["--test-size", "0.5", "--samples", "2"], 0, "1 to train, 1 held out"),
    (["--test-size", "0.01"], 0, "19 to train, 1 held out"),  # ⌈0.2⌉: one sample at least
    # cross_entropy: logits, one per class
    (["--loss", "cross_entropy", "--output-activation", "sigmoid"], 2,
     "--loss cross_entropy needs --output-activation linear, got sigmoid: softmax cross-entropy applies the softmax"),
    (["--loss", "cross_entropy", "--output-activation", "tanh"], 2, "needs --output-activation linear"),
    (["--loss", "cross_entropy"], 0, "MLP(2 -> 16 -> 16 -> 2, relu / linear)"),
    (["--lr", "1e300", "--optimizer", "sgd", "--loss", "cross_entropy"], 1, "training diverged"),
    # the digits: 64 inputs, 10 classes, images without noise
    (["--dataset", "digits"], 0, "MLP(64 -> 16 -> 16 -> 10, relu / linear)"),
    (["--dataset", "digits", "--loss", "cross_entropy", "--compiled"], 0, "digits: 20 images of 8×8 pixels"),
    (["--dataset", "digits", "--loss", "cross_entropy", "--optimizer", "cg", "--batch-size", "full"], 0, ""),
    (["--dataset", "digits", "--noise", "0.1"], 2, "--noise: the digits are images as drawn; only the toy data"),
    (["--dataset", "digits", "--samples", "1798"], 2, "--samples: digits has 1,797 images, got 1,798"),
    (["--dataset", "digits", "--samples", "9"], 2, "--samples 9 is too few for 10 classes"),
    (["--dataset", "digits", "--hidden", "15000"], 2, "makes 1,125,010 parameters"),  # 65·15000 + 15001·10
    # --epochs, --batch-size, --seed, --l2, --target-loss
    (["--epochs", "0"], 2, "--epochs: expected a number >= 1, got 0"),
    (["--epochs", "-1"], 2, "expected a number >= 1, got -1"),
    (["--epochs", "1.5"], 2, "expected a whole number, got '1.5'"),
    (["--epochs", "1e3"], 2, "expected a whole number, got '1e3'"),
    (["--batch-size", "0"], 2, "--batch-size: expected a number >= 1, got 0"),
    (["--batch-size", "zero"], 2, "expected a whole number, got 'zero'"),
    (["--batch-size", "1.0"], 2, "expected a whole number"),
    (["--batch-size", "1000"], 0, ""),  # larger than the data: full batch
    (["--batch-size", "FULL"], 0, "full batch"),
    (["--seed", "1.5"], 2, "--seed: invalid int value: '1.5'"),
    (["--seed", "-5"], 0, "seed -5"),
    (["--seed", "123456789012345678901234567890"], 0, ""),
    (["--l2", "-1"], 2, "--l2: expected a finite number >= 0, got -1"),
    (["--l2", "inf"], 2, "expected a finite number >= 0"),
    (["--target-loss", "-1"], 2, "--target-loss: expected a finite number >= 0, got -1"),
    (["--target-loss", "nan"], 2, "expected a finite number >= 0"),
    (["--target-loss", "1e300"], 0, ""),
    # choices, and combinations that cannot work
    (["--dataset", "mnist"], 2, "invalid choice: 'mnist'"),
    (["--dataset", "MOONS"], 2, "invalid choice: 'MOONS'"),
    (["--activation", "gelu"], 2, "invalid choice: 'gelu'"),
    (["--loss", "softmax"], 2, "invalid choice: 'softmax'"),
    (["--optimizer", "rmsprop"], 2, "invalid choice: 'rmsprop'"),
    (["--schedule", "cosine"], 2, "invalid choice: 'cosine'"),
    (["--init", "zeros"], 2, "invalid choice: 'zeros'"),
    (["--optimizer", "cg"], 2, "full-batch method: add --batch-size full"),
    (["--optimizer", "cg", "--batch-size", "5"], 2, "full-batch method"),
    (["--loss", "bce", "--output-activation", "sigmoid"], 2,
     "--loss bce needs --output-activation linear, got sigmoid: binary cross-entropy with logits applies the sigmoid"),
    (["--loss", "bce", "--output-activation", "relu"], 2, "--loss bce needs --output-activation linear"),
    (["--loss", "bce", "--output-activation", "tanh"], 2, "--loss bce needs --output-activation linear"),
    (["--loss", "bce", "--output-activation", "softplus"], 2, "--loss bce needs --output-activation linear"),
    (["--loss", "hinge", "--output-activation", "sigmoid"], 2,
     "--loss hinge needs --output-activation linear or tanh, got sigmoid"),
    (["--loss", "hinge", "--output-activation", "relu"], 2, "never negative"),
    (["--loss", "hinge", "--output-activation", "leaky_relu"], 2, "needs --output-activation linear or tanh"),
    (["--loss", "hinge", "--output-activation", "tanh"], 0, ""),
    (["--loss", "mse", "--output-activation", "sigmoid"], 0, ""),
    (["--loss", "squared_error", "--output-activation", "relu"], 0, ""),
    (["--schedule", "step", "--epochs", "1"], 0, ""),
    (["--schedule", "linear", "--epochs", "1"], 0, ""),
    # unknown arguments get argparse's error from `chainrule train`, with the flag probably meant
    (["extra"], 2, "unrecognized arguments: extra"),
    (["--outt", "x"], 2, "unrecognized arguments: --outt x (--outt: did you mean --out?)"),
    (["--learning-rate", "0.1"], 2, "unrecognized arguments"),
    (["--no-plot"], 0, ""),  # an unambiguous prefix of --no-plots, as argparse allows
]


def _train_argv(tmp_path, flags):
    return ["train", "--out", str(tmp_path / "out"), *FAST, *flags]


def _status(argv):
    try:
        return main(argv)
    except SystemExit as e:
        return e.code


@pytest.mark.parametrize(("flags", "status", "words"), TRAIN_TABLE, ids=[" ".join(r[0]) for r in TRAIN_TABLE])
def test_bad_train_command_lines(tmp_path, capsys, flags, status, words):
    assert _status(_train_argv(tmp_path, flags)) == status  # an exception here is the traceback we forbid
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    if status == 2:
        last = err.splitlines()[-1]
        assert err.startswith("usage: chainrule train ") and last.startswith("chainrule train: error: ")
        assert words in last, last
        assert "moons:" not in out  # refused before anything ran
    elif status == 1:
        assert err.count("\n") == 1 and err.startswith("chainrule train: ") and words in err, err
        assert not (tmp_path / "out" / "model.json").exists()
    else:
        assert err == "" and words in out
        assert (tmp_path / "out" / "model.json").exists()


def test_the_table_tries_over_a_hundred_command_lines():
    from .test_cli_draw import DRAW_TABLE

    assert len(TRAIN_TABLE) + len(DRAW_TABLE) + len(TOP_TABLE) >= 100


TOP_TABLE = [
    ([], 2, "the following arguments are required: COMMAND"),
    (["fit"], 2, "invalid choice: 'fit'"),
    (["--verbose"], 2, "chainrule: error:"),
    (["train", "--help-me"], 2, "unrecognized arguments: --help-me"),
]


@pytest.mark.parametrize(("argv", "status", "words"), TOP_TABLE)
def test_bad_top_level_command_lines(capsys, argv, status, words):
    assert _status(argv) == status
    err = capsys.readouterr().err
    assert err.startswith("usage: chainrule") and words in err and "Traceback" not in err


def test_version_comes_from_the_package_metadata(capsys):
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert _status(["--version"]) == 0
    assert capsys.readouterr().out == f"chainrule {expected}\n"


def test_an_unwritable_output_folder_fails_before_training(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for out, reason in ((blocker / "sub", "Not a directory"), (blocker, "it is a file, not a folder")):
        with pytest.raises(SystemExit) as info:
            main(["train", "--out", str(out), "--epochs", "1"])
        assert info.value.code == 2
        err = capsys.readouterr()
        assert f"--out {out}: cannot write there ({reason})" in err.err
        assert "moons:" not in err.out  # nothing was trained


# ---------------------------------------------------------------------------------------------------
# Failures while running: one line on stderr naming what failed, exit 1, nothing half-written.


class _FullDisk:
    """A file that takes half of the first write, then fails as a full disk does."""

    def __init__(self, real):
        self._real = real

    def write(self, data):
        self._real.write(data[: len(data) // 2])
        self._real.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._real.close()

    def __getattr__(self, name):
        return getattr(self._real, name)


def _fill_disk_for(monkeypatch, stem):
    """Every file opened for writing whose name contains `stem` (its temporary names too) fills the disk,
    whether it is written through open() or through os.open() and os.write() (as nn.save writes)."""
    real_open, real_os_open, real_write = builtins.open, os.open, os.write
    full: set[int] = set()

    def full_open(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        if not isinstance(file, int) and any(m in mode for m in "wax") and stem in os.path.basename(file):
            return _FullDisk(f)
        return f

    def full_os_open(path, flags, *args, **kwargs):
        fd = real_os_open(path, flags, *args, **kwargs)
        if flags & (os.O_WRONLY | os.O_RDWR) and stem in os.path.basename(os.fspath(path)):
            full.add(fd)
        return fd

    def full_write(fd, data):
        if fd in full:
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(builtins, "open", full_open)
    monkeypatch.setattr(io, "open", full_open)
    monkeypatch.setattr(os, "open", full_os_open)
    monkeypatch.setattr(os, "write", full_write)


@pytest.mark.parametrize(
    ("stem", "before"),
    [
        ("model", []),
        ("loss", ["model.json"]),
        ("confusion_matrix", ["loss.png", "model.json"]),
        ("decision_boundary", ["confusion_matrix.png", "loss.png", "model.json"]),
        ("neuron", ["confusion_matrix.png", "decision_boundary.png", "loss.png", "model.json"]),
    ],
)
def test_a_full_disk_is_one_line_naming_the_file_and_leaves_no_partial_file(tmp_path, capsys, monkeypatch, stem, before):
    require("matplotlib")
    out = tmp_path / "out"
    _fill_disk_for(monkeypatch, stem)
    status = main(["train", "--out", str(out), "--no-progress", "--epochs", "1", "--samples", "20"])
    monkeypatch.undo()
    assert status == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    name = {"model": "model.json", "neuron": "neuron"}.get(stem, f"{stem}.png")
    assert err.startswith(f"chainrule train: cannot write {out / name}") and "No space left on device" in err
    if before:
        order = ["model.json", "loss.png", "confusion_matrix.png", "decision_boundary.png"]
        assert f"(written: {', '.join(sorted(before, key=order.index))})" in err
    assert sorted(p.name for p in out.iterdir()) == before  # no partial file, no temporary left


def test_a_full_disk_keeps_the_previous_model_file(tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.json").write_text("the previous model\n")
    _fill_disk_for(monkeypatch, "model")
    status = main(["train", "--out", str(out), *FAST])
    monkeypatch.undo()
    assert status == 1 and "No space left on device" in capsys.readouterr().err
    assert (out / "model.json").read_text() == "the previous model\n"
    assert [p.name for p in out.iterdir()] == ["model.json"]


def test_an_output_that_is_a_folder_is_exit_1_naming_it(tmp_path, capsys):
    out = tmp_path / "out"
    (out / "model.json").mkdir(parents=True)
    assert main(["train", "--out", str(out), *FAST]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"chainrule train: cannot write {out / 'model.json'}: Is a directory")
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (KeyboardInterrupt(), 130, "chainrule train: interrupted\n"),
        (MemoryError(), 1, "chainrule train: out of memory; try fewer --samples or narrower --hidden layers\n"),
    ],
)
def test_ctrl_c_and_out_of_memory_are_one_line(tmp_path, capsys, monkeypatch, error, status, message):
    def fit(*args, **kwargs):
        raise error

    monkeypatch.setattr("nn.cli.fit", fit)
    assert main(["train", "--out", str(tmp_path), *FAST]) == status
    assert capsys.readouterr().err == message


# ---------------------------------------------------------------------------------------------------
# Help text: no "(default: None)", no Python reprs.


@pytest.mark.parametrize("command", ["train", "draw"])
def test_help_shows_defaults_as_typed(capsys, command):
    assert _status([command, "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    for noise in ("default: None", "default: False", "default: []", "[16, 16]", "PosixPath(", "['"):
        assert noise not in text
    assert not re.search(r"\w- \w", text)  # no line broken at a hyphen (--batch- size, chainrule- output)
    if command == "train":
        for shown in ("(default: 16,16)", "(default: moons)", "(default: chainrule-output)", "(default: sgd 0.1,"):
            assert shown in text
        assert text.count("(default:") == 14 + 4  # 14 flags with a value; --samples, --classes, --noise, --lr
        # say their own (their default depends on the data set or the optimizer)
    else:
        assert "graph.svg unless only --html is given" in text and "(default: auto)" in text


# ---------------------------------------------------------------------------------------------------
# The real command, in a subprocess: exit codes and no traceback.


def _run(*args, env=None, cwd=None):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "nn", *args], capture_output=True, text=True, check=False,
                          env=environment, cwd=cwd)  # fmt: skip


def test_python_dash_m_nn_is_the_same_command():
    result = _run("train", "--help")
    assert result.returncode == 0
    for flag in ("--dataset", "--classes", "--test-size", "--hidden", "--activation", "--loss", "--optimizer",
                 "--lr", "--epochs", "--batch-size", "--seed", "--compiled", "--out"):  # fmt: skip
        assert flag in result.stdout


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["train", "--samples", "1"], 2, "chainrule train: error: argument --samples"),
        (["train", "--noise", "1e300"], 2, "chainrule train: error: argument --noise"),
        (["train", "--lr", "1e300", "--optimizer", "sgd", *FAST], 1, "chainrule train: training diverged at epoch 1"),
        (["draw", "(-8)**0.5 * x", "x=1", "-o", "g.dot"], 2, "(-8)**0.5 in '(-8)**0.5 * x' has no real value"),
        (["draw", "x", "x=1", "-o", "a-file/g.dot"], 1, "chainrule draw: cannot write 'a-file/g.dot'"),
        (["--version"], 0, ""),
    ],
)
def test_the_real_command_exits_cleanly(tmp_path, args, status, words):
    (tmp_path / "a-file").write_text("")
    result = _run(*args, cwd=tmp_path)
    assert result.returncode == status
    assert "Traceback" not in result.stderr and words in result.stderr
    if status == 1:
        assert result.stderr.count("\n") == 1


def test_an_ascii_terminal_gets_escapes_not_a_traceback(tmp_path):
    result = _run("train", "--help", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "\\u03a3" in result.stdout  # the Σ of the squared error's help


def test_a_closed_pipe_ends_quietly(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "nn", "draw", "x * y", "x=1", "y=2", "-o", "g.dot", "--steps"],
                               cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    process.stdout.close()  # the reader left (as `| head` does) before anything was printed
    err = process.stderr.read().decode()
    process.stderr.close()
    assert process.wait() == 1
    assert err == ""
