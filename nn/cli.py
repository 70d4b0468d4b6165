"""The `chainrule` command (also `python -m nn`). `chainrule train` trains an MLP on a built-in data set.

Each subcommand is a function `add_<name>_parser(subparsers)` that registers its flags and sets
`func`, the function `main` calls with the parsed arguments: adding a subcommand is one line in `main`.

`chainrule train` holds out `--test-size` of the data (stratified: each class in proportion, seeded),
trains on the rest, and reports the training and the test accuracy. The data: a 2-D toy set
(`nn.data.DATASETS`; spirals and blobs with `--classes k`), or the 8×8 handwritten digits
(`nn.data.digits`, 64 inputs, 10 classes, which needs scikit-learn). The model has as many inputs as the
data and one output for two classes, else one per class; with `--loss cross_entropy` always one per
class, whose raw scores (logits) the loss turns into probabilities. It writes into `--out`: loss.png
(the loss and accuracy per epoch, the held-out data dashed), confusion_matrix.png (true × predicted class
on the held-out data), decision_boundary.png for 2-D data (the model's regions over the training points),
misclassified.png for the digits (the held-out images it gets wrong), model.json (`nn.load` reads it)
and neuron.svg (the computation graph of one neuron on one sample, with its gradients, for data of at most
8 inputs); the plots are
drawn by `nn.plots`. matplotlib and tqdm are optional and imported lazily: without them the plots are
skipped (with a note) and there is no progress bar.

Exit status: 0 done; 2 a usage error, with argparse's usage line (anything that can be checked before
running: a bad flag value, a sample count too small for the data set, a loss that cannot work with the
output activation, --classes for a data set of two classes by nature, an expression that cannot be
evaluated); 1 a failure while running, as one line on stderr starting with the command's name (training
diverged, a file could not be written, Graphviz or scikit-learn is missing, out of memory); 130
interrupted by Ctrl-C. A user's mistake never ends in a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import itertools
import math
import os
import re
import secrets
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from autograd import Value

from . import plots
from .data import DATASETS, DIGITS, digits, one_hot, train_test_split
from .layers import ACTIVATIONS, INITS, MLP, Neuron
from .losses import LOSSES
from .optim import SGD, Adam, ConjugateGradient, ConstantLR, LinearDecay, Optimizer, Schedule, StepDecay
from .persist import MAX_PARAMETERS, save  # every run saves model.json: as many parameters as it holds
from .train import _NONNEGATIVE, DivergedError, classify, evaluate, fit

__all__ = ["HelpFormatter", "add_train_parser", "fail", "main", "train_command", "version", "write_atomically"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "cg")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.01, "cg": 1.0}
SCHEDULES = ("constant", "linear", "step")
MIN_SAMPLES = 2
"""Every data set has at least two classes, so it needs at least one point of each (and --classes k, k)."""
MAX_SAMPLES = 1_000_000
DEFAULT_SAMPLES = 100
DEFAULT_NOISE = 0.1
MAX_CLASSES = 10
"""spirals and blobs take --classes 2 to 10: as many as the digits have; the pictures tell them apart by
colour and marker."""
KINDS_OF_CLASSES = ("spirals", "blobs")
"""The data sets that take --classes (spirals' arms, blobs' clusters); the others have two by nature."""
MAX_NOISE = 10.0
"""The data sets span a few units; noise beyond this hides them entirely (and 1e300 overflows)."""


def version() -> str:
    """The installed distribution's version (its metadata), as `chainrule --version` prints it.

    >>> version().count(".") >= 1
    True
    """
    from importlib import metadata

    try:
        return metadata.version("chainrule")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed: pip install -e .)"


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help, with each flag's default shown as a user would type it: "(default: 16,16)" for a
    list, nothing for a flag that is off or a default of None (the help says what happens then)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        default = action.default
        if "default" in text or default is None or default is False or default == argparse.SUPPRESS:
            return text  # (`is`: 0 == False, and --seed 0 is a value to show)
        if isinstance(default, (list, tuple)) and not default:
            return text
        if not action.option_strings and action.nargs in ("*", "?"):
            return text
        shown = ",".join(map(str, default)) if isinstance(default, (list, tuple)) else str(default)
        return f"{text} (default: {shown.replace('%', '%%')})"

    def _split_lines(self, text: str, width: int) -> list[str]:  # never wrap inside --batch-size or a path
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)

    def _fill_text(self, text: str, width: int, indent: str) -> str:  # descriptions: keep their line breaks
        return "\n".join(textwrap.fill(" ".join(line.split()), width, initial_indent=indent,
                                        subsequent_indent=indent, break_on_hyphens=False)
                          for line in text.splitlines())  # fmt: skip


def _hidden(text: str) -> list[int]:
    """Layer widths: 16,16 or "16 16"; none for no hidden layer."""
    if text.strip().lower() == "none":
        return []
    parts = re.split(r"\s*,\s*|\s+", text.strip())
    if "" in parts:
        raise argparse.ArgumentTypeError(
            f"expected layer widths such as 16,16 (or none for no hidden layer), got {text!r}"
        )
    try:
        sizes = [int(s) for s in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer widths such as 16,16, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be >= 1, got {text!r}")
    return sizes


def _count(least: int = 1, what: str = "", most: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"expected a number >= {least}{what}, got {n}")
        if most is not None and n > most:
            raise argparse.ArgumentTypeError(f"expected at most {most:,}, got {n:,}")
        return n

    return parse


_positive_int = _count(1)


def _batch_size(text: str) -> int | None:
    if text.lower() in ("full", "none", "all"):
        return None
    return _positive_int(text)


def _number(low: float, low_ok: bool, high: float = math.inf) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if math.isfinite(high) and not low <= x <= high:
            raise argparse.ArgumentTypeError(f"expected a number from {low:g} to {high:g}, got {text}")
        if not math.isfinite(x) or not (x >= low if low_ok else x > low):
            raise argparse.ArgumentTypeError(f"expected a finite number {'>=' if low_ok else '>'} {low:g}, got {text}")
        return x

    return parse


def _fraction(text: str) -> float:
    """A fraction strictly between 0 and 1 (a test set and a training set both need samples)."""
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a fraction such as 0.2, got {text!r}") from None
    if not 0.0 < x < 1.0:  # nan too
        raise argparse.ArgumentTypeError(f"expected a fraction > 0 and < 1, got {text}")
    return x


def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `chainrule train` on an argparse subparsers object.

    >>> parser = argparse.ArgumentParser(prog="chainrule")
    >>> _ = add_train_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["train", "--hidden", "8,8", "--batch-size", "full"])
    >>> args.hidden, args.batch_size, args.dataset, args.loss
    ([8, 8], None, 'moons', 'squared_error')
    """
    p = subparsers.add_parser(
        "train",
        help="train an MLP on a toy data set and write plots, the model and a neuron's graph",
        description="Train an MLP on a built-in 2-D data set or on the 8×8 handwritten digits, holding out a "
        "test set. The defaults are the demo: moons (100 points, noise 0.1), MLP(2, [16, 16, 1]), squared error, "
        "Adam in mini-batches of 10.",
        epilog="exit status: 0 done, 1 failed while running (training diverged, a file could not be written), "
        "2 a usage error",
        formatter_class=HelpFormatter,
    )
    data = p.add_argument_group("data")
    data.add_argument("--dataset", choices=[*sorted(DATASETS), "digits"], default="moons",
                      help="a 2-D toy data set, or digits: 8×8 images of handwritten digits (needs scikit-learn: "
                      "pip install 'chainrule[data]')")  # fmt: skip
    data.add_argument("--samples", type=_count(MIN_SAMPLES, " (two classes need a point each)", MAX_SAMPLES),
                      default=None, metavar="N", help=f"how many points, {MIN_SAMPLES} to {MAX_SAMPLES:,}, or images "
                      f"of the digits' {DIGITS:,} (default: {DEFAULT_SAMPLES}; digits: all)")  # fmt: skip
    data.add_argument("--classes", type=_count(2, "", MAX_CLASSES), default=None, metavar="K",
                      help=f"how many classes spirals (arms) and blobs (clusters) have, 2 to {MAX_CLASSES} (default: "
                      "2); the other toy sets have 2, the digits 10")  # fmt: skip
    data.add_argument("--noise", type=_number(0.0, True, MAX_NOISE), default=None, metavar="SD",
                      help=f"Gaussian noise on each coordinate of a toy set, 0 to {MAX_NOISE:g}, the data spanning a "
                      f"few units (default: {DEFAULT_NOISE})")  # fmt: skip
    data.add_argument("--test-size", type=_fraction, default=0.2, metavar="FRACTION",
                      help="the fraction held out to test on, > 0 and < 1 (each class in proportion)")  # fmt: skip
    model = p.add_argument_group("model")
    model.add_argument("--hidden", type=_hidden, default=[16, 16], metavar="WIDTHS",
                       help="hidden layer widths, comma-separated; none for no hidden layer")  # fmt: skip
    model.add_argument("--activation", choices=list(ACTIVATIONS), default="relu", help="hidden activation")
    model.add_argument("--output-activation", choices=list(ACTIVATIONS), default="linear",
                       help="output activation (bce and cross_entropy need linear; hinge linear or tanh)")  # fmt: skip
    model.add_argument("--init", choices=list(INITS), default="uniform", help="weight initialization")
    train = p.add_argument_group("training")
    train.add_argument("--loss", choices=list(LOSSES), default="squared_error",
                       help="squared_error is C = 1/(2N) Σ (ŷ - y)²; cross_entropy is softmax cross-entropy over "
                       "one output per class (the outputs are logits: --output-activation linear)")  # fmt: skip
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                       help="momentum and nesterov use μ = 0.9; cg needs --batch-size full")  # fmt: skip
    train.add_argument("--lr", type=_number(0.0, False), default=None,
                       help="learning rate > 0 (default: sgd 0.1, momentum/nesterov 0.05, adam 0.01, cg 1.0)")  # fmt: skip
    train.add_argument("--schedule", choices=SCHEDULES, default="constant",
                       help="linear: lr to lr/10 over the epochs (micrograd's demo); step: halve every quarter")  # fmt: skip
    train.add_argument("--epochs", type=_positive_int, default=100, metavar="N", help="passes over the data")
    train.add_argument("--batch-size", type=_batch_size, default=10, metavar="N",
                       help="1 is online training, 'full' is full batch")  # fmt: skip
    train.add_argument("--l2", type=_number(0.0, True), default=0.0, metavar="ALPHA",
                       help="L2 penalty α·Σw² added to the loss")  # fmt: skip
    train.add_argument("--target-loss", type=_number(0.0, True), default=None, metavar="LOSS",
                       help="stop once an epoch's loss is this low")  # fmt: skip
    train.add_argument("--seed", type=int, default=0, metavar="N", help="seeds the data, the weights and the shuffle")
    train.add_argument("--compiled", action="store_true",
                       help="trace one sample's loss once and train with its compiled straight-line code "
                       "(autograd.compile): the same updates to rounding, faster")  # fmt: skip
    out = p.add_argument_group("output")
    out.add_argument("--out", type=Path, default=Path("chainrule-output"), metavar="FOLDER",
                     help="folder for the files written")  # fmt: skip
    out.add_argument("--no-progress", action="store_true", help="no progress bar")
    out.add_argument("--no-plots", action="store_true", help="write no PNG plots")
    p.set_defaults(func=train_command, parser=p)
    parser: argparse.ArgumentParser = p
    return parser


def _check_out(folder: Path, parser: argparse.ArgumentParser) -> None:
    """Fail before training if the output folder cannot be made or written to."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".chainrule-probe-", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except FileExistsError:
        parser.error(f"--out {folder}: cannot write there (it is a file, not a folder)")
    except OSError as e:
        parser.error(f"--out {folder}: cannot write there ({e.strerror or e})")


OUTPUTS_FOR_LOSS = {
    "bce": (("linear",), ("binary cross-entropy with logits applies the sigmoid itself, so the output must "
                          "be the raw score (a logit), which a linear output gives")),
    "hinge": (("linear", "tanh"), ("hinge max(0, 1 - y·s) wants scores s ≤ -1 for one class and ≥ 1 for "
                                   "the other; relu, sigmoid and softplus are never negative and leaky_relu hardly")),
    "cross_entropy": (("linear",), ("softmax cross-entropy applies the softmax itself, so the outputs must be "
                                    "raw scores (logits), which a linear output gives")),
}  # fmt: skip
"""Losses that work only with some output activations: loss -> (the activations, why)."""


def _shape(args: argparse.Namespace) -> tuple[int, int, int, int]:
    """(samples, inputs, classes, outputs) the flags ask for: one output for two classes, else one per class;
    cross_entropy always one per class."""
    if args.dataset == "digits":
        samples, nin, classes = args.samples or DIGITS, 64, 10
    else:
        samples, nin, classes = args.samples or DEFAULT_SAMPLES, 2, args.classes or 2
    nout = classes if args.loss == "cross_entropy" or classes > 2 else 1
    return samples, nin, classes, nout


def _check_usage(args: argparse.Namespace, parser: argparse.ArgumentParser) -> None:
    """Refuse flag combinations that cannot work, before anything runs."""
    if args.optimizer == "cg" and args.batch_size is not None:
        parser.error("--optimizer cg is a full-batch method: add --batch-size full")
    if args.classes is not None and args.dataset not in KINDS_OF_CLASSES:
        nature = "its 10 classes, one per digit" if args.dataset == "digits" else "2 classes by nature"
        parser.error(f"--classes: {args.dataset} has {nature}; only {' and '.join(KINDS_OF_CLASSES)} take --classes")
    if args.dataset == "digits":
        if args.noise is not None:
            parser.error("--noise: the digits are images as drawn; only the toy data sets take --noise")
        if args.samples is not None and args.samples > DIGITS:
            parser.error(f"--samples: digits has {DIGITS:,} images, got {args.samples:,}")
    samples, nin, classes, nout = _shape(args)
    if samples < classes:
        parser.error(f"--samples {samples} is too few for {classes} classes: each class needs a point")
    held_out = math.ceil(args.test_size * samples)  # as train_test_split rounds
    if held_out >= samples:
        parser.error(f"--test-size {args.test_size:g} of {samples} samples holds out all {samples}: none is left "
                     "to train on")  # fmt: skip
    widths = [nin, *args.hidden, nout]
    parameters = sum((nin + 1) * nout for nin, nout in itertools.pairwise(widths))
    if parameters > MAX_PARAMETERS:
        parser.error(
            f"--hidden {','.join(map(str, args.hidden))} makes {parameters:,} parameters; this scalar engine is "
            f"for small networks (at most {MAX_PARAMETERS:,})"
        )
    if args.loss in OUTPUTS_FOR_LOSS:
        allowed, why = OUTPUTS_FOR_LOSS[args.loss]
        if args.output_activation not in allowed:
            parser.error(
                f"--loss {args.loss} needs --output-activation {' or '.join(allowed)}, got "
                f"{args.output_activation}: {why}"
            )


def _targets(labels: list[int], loss: str, output_activation: str, classes: int) -> list[Any]:
    """Targets for the loss: the class labels themselves for cross_entropy; else -1/+1 where the output can
    go negative (and for hinge), 0/1 otherwise, one-hot over `classes` outputs when there are more than 2."""
    if loss == "cross_entropy":
        return list(labels)
    signed = loss == "hinge" or (loss != "bce" and output_activation not in _NONNEGATIVE)  # threshold 0, as fit
    low = -1.0 if signed else 0.0
    if classes == 2:
        return [1.0 if c == 1 else low for c in labels]
    return one_hot(labels, classes, off=low)


def _optimizer(name: str, params: list[Value], lr: float) -> Optimizer:
    if name == "sgd":
        return SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return SGD(params, lr=lr, momentum=0.9, nesterov=name == "nesterov")
    if name == "adam":
        return Adam(params, lr=lr)
    return ConjugateGradient(params, lr=lr)


def fail(args: argparse.Namespace, message: str) -> int:
    """Report a failure while running as one line on stderr, "chainrule <command>: <message>"; return 1."""
    print(f"{args.parser.prog}: {' '.join(message.split())}", file=sys.stderr)
    return 1


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """Call `write(temporary)` for a sibling of `path` with the same suffix, then rename it to `path`: a
    reader sees the old file or the new one, never half of one, and a failure leaves nothing behind.
    An OSError comes out naming `path` (not the temporary name) with the system's reason.

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomically(target, lambda p: p.write_text("hi")).read_text()
    'hi'
    """
    temporary = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.partial{path.suffix}")
    with _naming(path):
        try:
            write(temporary)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
            raise
    return path


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Re-raise an OSError as one naming `path`, the file the user asked for (not a temporary's name)."""
    try:
        yield
    except OSError as e:
        raise OSError(e.errno, e.strerror or str(e), str(path)) from e


def train_command(args: argparse.Namespace) -> int:
    """Run `chainrule train` with parsed arguments; returns the exit status (see the module docstring)."""
    parser: argparse.ArgumentParser = args.parser
    _check_usage(args, parser)
    _check_out(args.out, parser)
    plot = not args.no_plots and _can_plot()

    samples, nin, classes, nout = _shape(args)
    if args.dataset == "digits":
        try:
            X, X_test, labels, labels_test = digits(samples, test_size=args.test_size, seed=args.seed)
        except ModuleNotFoundError as e:
            if e.name != "sklearn":
                raise
            return fail(args, str(e))
        about = f"digits: {samples:,} images of 8×8 pixels, 10 classes"
    else:
        noise = DEFAULT_NOISE if args.noise is None else args.noise
        kind = {"spirals": "arms", "blobs": "centers"}
        options = {kind[args.dataset]: classes} if args.dataset in kind else {}
        X_all, labels_all = DATASETS[args.dataset](samples, noise=noise, seed=args.seed, **options)
        X, X_test, labels, labels_test = train_test_split(X_all, labels_all, test_size=args.test_size,
                                                          seed=args.seed, stratify=True)  # fmt: skip
        about = f"{args.dataset}: {samples} points, noise {noise:g}, {classes} classes"
    y = _targets(labels, args.loss, args.output_activation, classes)
    y_test = _targets(labels_test, args.loss, args.output_activation, classes)
    model = MLP(nin, [*args.hidden, nout], activation=args.activation, output_activation=args.output_activation,
                init=args.init, seed=args.seed)  # fmt: skip
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = _optimizer(args.optimizer, model.parameters(), lr)
    schedules: dict[str, Schedule] = {
        "constant": ConstantLR(lr),
        "linear": LinearDecay(lr, lr / 10, args.epochs),
        "step": StepDecay(lr, every=max(1, args.epochs // 4), gamma=0.5),
    }
    schedule = schedules[args.schedule]
    loss = LOSSES[args.loss]
    batch = "full batch" if args.batch_size is None else f"batches of {args.batch_size}"
    print(f"{about}; {len(X)} to train, {len(X_test)} held out to test")
    print(f"{model}, {model.num_parameters():,} parameters")
    print(f"{args.loss} loss, {optimizer}, {batch}, {args.epochs} epochs, seed {args.seed}"
          + (", compiled" if args.compiled else ""))  # fmt: skip

    start = time.perf_counter()
    try:
        history = fit(
            model, X, y, loss=loss, optimizer=optimizer, epochs=args.epochs, batch_size=args.batch_size,
            seed=args.seed, schedule=schedule, l2=args.l2, target_loss=args.target_loss,
            progress=not args.no_progress, compiled=args.compiled, validation=(X_test, y_test),
        )  # fmt: skip
    except DivergedError as e:
        return fail(args, f"training diverged at epoch {e.epoch}, step {e.step}: {e.reason}; try a smaller --lr "
                    f"(this run used {lr:g}); nothing written")  # fmt: skip
    seconds = time.perf_counter() - start
    final_loss, final_acc = evaluate(model, X, y, loss)
    # the test set is fit's validation set, evaluated after the last epoch's updates (early stopping keeps
    # the last weights; an interruption or divergence never gets here): the model as it is now
    test_loss, test_acc = history.val_loss[-1], history.val_accuracy[-1]
    print(f"trained {history.epochs} epochs in {seconds:.1f} s: loss {final_loss:.6f}, "
          f"training accuracy {100 * final_acc:.1f}%; test loss {test_loss:.6f}, "
          f"test accuracy {100 * test_acc:.1f}%")  # fmt: skip

    written: list[Path] = []
    try:
        with _naming(args.out / "model.json"):
            save(model, args.out / "model.json")  # atomic: a failure leaves the old file, or none
        written.append(args.out / "model.json")
        if plot:  # the figures are nn.plots'; here they are only written, atomically
            _pictures(args, model, history, (X, labels), (X_test, labels_test), (final_acc, test_acc), written)
        first = model.layers[0].neurons[0]
        if first.nin <= NEURON_GRAPH_INPUTS:
            written.append(_neuron_graph(first, X[0], args.out / "neuron.svg"))
        else:
            print(f"note: no neuron.svg: a neuron of {first.nin} inputs draws as a graph too long to read "
                  f"(it is drawn for at most {NEURON_GRAPH_INPUTS})")  # fmt: skip
    except OSError as e:
        done = f" (written: {', '.join(p.name for p in written)})" if written else ""
        return fail(args, f"cannot write {e.filename or 'a file in ' + str(args.out)}: {e.strerror or e}{done}")
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


# ---------------------------------------------------------------------------------------------------
# Pictures: the plots are nn.plots'; this module only writes them.


def _pictures(
    args: argparse.Namespace,
    model: MLP,
    history: Any,
    train: tuple[list[list[float]], list[int]],
    test: tuple[list[list[float]], list[int]],
    accuracies: tuple[float, float],
    written: list[Path],
) -> None:
    """Write loss.png, confusion_matrix.png, and decision_boundary.png (2-D data) or misclassified.png
    (the digits), adding each to `written` once it is there. A failure to write raises OSError naming the
    file."""
    held_out = f"{len(test[0])} held out"
    figure = plots.history(history, held_out="test", title=f"{model} on {args.dataset} (dashed: the {held_out} to test)")
    written.append(write_atomically(args.out / "loss.png", figure.savefig))
    said = classify(model, test[0])
    right = sum(p == t for p, t in zip(said, test[1], strict=True))
    names = [str(c) for c in range(10)] if args.dataset == "digits" else None
    figure = plots.confusion_matrix(labels=test[1], predicted=said, class_names=names,
                                    title=f"{args.dataset}, the {held_out}: {right} of {len(said)} right "
                                    f"({100 * right / len(said):.1f}%)")  # fmt: skip
    written.append(write_atomically(args.out / "confusion_matrix.png", figure.savefig))
    if args.dataset == "digits":
        figure = plots.misclassified_digits(None, test[0], test[1], predicted=said)
        written.append(write_atomically(args.out / "misclassified.png", figure.savefig))
    else:
        training, testing = (f"{100 * a:.1f}%" for a in accuracies)
        title = f"{args.dataset}, the {len(train[0])} training points: accuracy {training} (test {testing})"
        figure = plots.decision_boundary(model, train[0], train[1], title=title)
        written.append(write_atomically(args.out / "decision_boundary.png", figure.savefig))


def _can_plot() -> bool:
    """True if matplotlib is installed; else a note on stderr (the plots are skipped, training still runs)."""
    try:
        import matplotlib  # noqa: F401  # only asked for here, before training; nn.plots imports what it uses
    except ModuleNotFoundError:
        print("note: matplotlib is not installed, so no plots (pip install 'chainrule[plot]')", file=sys.stderr)
        return False
    return True


NEURON_GRAPH_INPUTS = 8
"""neuron.svg is drawn for a first-layer neuron of at most this many inputs (the digits' 64 make a strip
thousands of points long)."""


def _neuron_graph(neuron: Neuron, sample: Sequence[float], path: Path) -> Path:
    """The computation graph of one neuron on one sample, after backward: SVG (DOT text without Graphviz)."""
    from autograd import viz  # graphviz itself is imported only inside viz.save

    from .diagram import neuron_dot  # grads computed aside: the trained model's .grad stays as it is

    text = neuron_dot(neuron, sample)
    try:
        return write_atomically(path, lambda p: viz.save(text, p))
    except viz.GraphvizMissingError as e:
        print(f"note: {e}; wrote DOT text instead", file=sys.stderr)
        return write_atomically(path.with_suffix(".dot"), lambda p: viz.save(text, p))


# ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The `chainrule` console command: returns the exit status (0, 1 or 130; 2 comes as SystemExit).

    >>> main(["train", "--epochs", "0"])
    Traceback (most recent call last):
      ...
    SystemExit: 2
    """
    from . import cli_draw  # here, not at the top: cli_draw uses this module's helpers

    parser = argparse.ArgumentParser(
        prog="chainrule", description="chainrule: backpropagation you can read. Train and inspect small networks.",
        formatter_class=HelpFormatter,
    )  # fmt: skip
    parser.add_argument("--version", action="version", version=f"chainrule {version()}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_train_parser(subparsers)
    draw_parser = cli_draw.add_parser(subparsers)
    arguments = list(sys.argv[1:] if argv is None else argv)
    with _lenient_output():
        if arguments[:1] == ["draw"]:
            cli_draw.check_leading_dashes(draw_parser, arguments[1:])
        args, extras = parser.parse_known_args(arguments)
        if extras:
            _unrecognized(args.parser, extras)
        try:
            status = int(args.func(args))
            sys.stdout.flush()  # a closed pipe shows here, inside the handler below, not at exit
            return status
        except KeyboardInterrupt:
            print(f"{args.parser.prog}: interrupted", file=sys.stderr)
            return 130
        except MemoryError:
            hint = "; try fewer --samples or narrower --hidden layers" if args.command == "train" else ""
            return fail(args, f"out of memory{hint}")
        except BrokenPipeError:  # `chainrule ... | head`: the reader left; say nothing more
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1


def _unrecognized(parser: argparse.ArgumentParser, extras: list[str]) -> None:
    """parser.error for arguments no flag takes, suggesting the flag that was probably meant."""
    options = [o for action in parser._actions for o in action.option_strings]  # argparse keeps them here
    hints = []
    for extra in extras:
        close = difflib.get_close_matches(extra.split("=")[0], options, n=1) if extra.startswith("-") else []
        if close:
            hints.append(f"{extra.split('=')[0]}: did you mean {close[0]}?")
    parser.error(f"unrecognized arguments: {' '.join(extras)}" + (f" ({'; '.join(hints)})" if hints else ""))


@contextlib.contextmanager
def _lenient_output() -> Iterator[None]:
    """Let stdout and stderr show what their encoding cannot (Σ, ∂ under an ASCII locale) as \\u escapes
    instead of failing; restored afterwards."""
    saved = []
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        errors = getattr(stream, "errors", None)
        if reconfigure is not None and errors == "strict":
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="backslashreplace")
                saved.append(reconfigure)
    try:
        yield
    finally:
        for reconfigure in saved:
            with contextlib.suppress(OSError, ValueError):
                reconfigure(errors="strict")
