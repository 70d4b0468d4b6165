"""The `chainrule` command (also `python -m nn`). `chainrule train` trains an MLP on a built-in data set.

Each subcommand is a function `add_<name>_parser(subparsers)` that registers its flags and sets
`func`, the function `main` calls with the parsed arguments: adding a subcommand is one line in `main`.

`chainrule train` writes into `--out`: loss.png (the loss and accuracy per epoch), decision_boundary.png
(the model's regions over the data), model.json (`nn.load` reads it) and neuron.svg (the computation
graph of one neuron on one sample, with its gradients). matplotlib and tqdm are optional and imported
lazily: without them the plots are skipped (with a note) and there is no progress bar.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd import Value

from . import cli_draw
from .data import DATASETS, one_hot
from .layers import ACTIVATIONS, INITS, MLP, Neuron
from .losses import LOSSES
from .optim import SGD, Adam, ConjugateGradient, ConstantLR, LinearDecay, Optimizer, Schedule, StepDecay
from .persist import save
from .train import History, evaluate, fit, predict

__all__ = ["add_train_parser", "main", "train_command"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adam", "cg")
DEFAULT_LR = {"sgd": 0.1, "momentum": 0.05, "nesterov": 0.05, "adam": 0.01, "cg": 1.0}
SCHEDULES = ("constant", "linear", "step")


def _hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.replace(" ", "").split(",") if s]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected layer widths such as 16,16, got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be >= 1, got {text!r}")
    return sizes


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {n}")
    return n


def _batch_size(text: str) -> int | None:
    if text.lower() in ("full", "none", "all"):
        return None
    return _positive_int(text)


def _number(low: float, low_ok: bool) -> Any:
    def parse(text: str) -> float:
        try:
            x = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        if not math.isfinite(x) or not (x >= low if low_ok else x > low):
            raise argparse.ArgumentTypeError(f"expected a finite number {'>=' if low_ok else '>'} {low:g}, got {text}")
        return x

    return parse


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
        description="Train an MLP on a built-in 2-D data set. The defaults are the demo: moons (100 points, "
        "noise 0.1), MLP(2, [16, 16, 1]), squared error, Adam in mini-batches of 10.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    data = p.add_argument_group("data")
    data.add_argument("--dataset", choices=sorted(DATASETS), default="moons", help="the toy data set")
    data.add_argument("--samples", type=_positive_int, default=100, help="how many points")
    data.add_argument("--noise", type=_number(0.0, True), default=0.1, help="Gaussian noise on each coordinate")
    model = p.add_argument_group("model")
    model.add_argument("--hidden", type=_hidden, default=[16, 16], help="hidden layer widths, comma-separated")
    model.add_argument("--activation", choices=list(ACTIVATIONS), default="relu", help="hidden activation")
    model.add_argument("--output-activation", choices=list(ACTIVATIONS), default="linear", help="output activation")
    model.add_argument("--init", choices=list(INITS), default="uniform", help="weight initialization")
    train = p.add_argument_group("training")
    train.add_argument("--loss", choices=list(LOSSES), default="squared_error",
                       help="squared_error is C = 1/(2N) Σ (ŷ - y)²")  # fmt: skip
    train.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                       help="momentum and nesterov use μ = 0.9; cg needs --batch-size full")  # fmt: skip
    train.add_argument("--lr", type=_number(0.0, False), default=None,
                       help="learning rate (default: sgd 0.1, momentum/nesterov 0.05, adam 0.01, cg 1.0)")  # fmt: skip
    train.add_argument("--schedule", choices=SCHEDULES, default="constant",
                       help="linear: lr to lr/10 over the epochs (micrograd's demo); step: halve every quarter")  # fmt: skip
    train.add_argument("--epochs", type=_positive_int, default=100, help="passes over the data")
    train.add_argument("--batch-size", type=_batch_size, default=10,
                       help="1 is online training, 'full' is full batch")  # fmt: skip
    train.add_argument("--l2", type=_number(0.0, True), default=0.0, help="L2 penalty α·Σw² added to the loss")
    train.add_argument("--target-loss", type=_number(0.0, True), default=None, help="stop once an epoch's loss is this low")
    train.add_argument("--seed", type=int, default=0, help="seeds the data, the weights and the shuffle")
    train.add_argument("--compiled", action="store_true",
                       help="trace one sample's loss once and train with its compiled straight-line code "
                       "(autograd.compile): the same updates to rounding, faster")  # fmt: skip
    out = p.add_argument_group("output")
    out.add_argument("--out", type=Path, default=Path("chainrule-output"), help="folder for the files written")
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
    except OSError as e:
        parser.error(f"--out {folder}: cannot write there ({e.strerror or e})")


def _targets(labels: list[int], loss: str, output_activation: str) -> tuple[list[Any], int]:
    """Targets for the loss: -1/+1 where the output can go negative (and for hinge), else 0/1."""
    classes = max(labels) + 1
    signed = loss == "hinge" or (loss != "bce" and output_activation in ("linear", "tanh", "leaky_relu"))
    low = -1.0 if signed else 0.0
    if classes == 2:
        return [1.0 if c == 1 else low for c in labels], 1
    return one_hot(labels, classes, off=low), classes


def _optimizer(name: str, params: list[Value], lr: float) -> Optimizer:
    if name == "sgd":
        return SGD(params, lr=lr)
    if name in ("momentum", "nesterov"):
        return SGD(params, lr=lr, momentum=0.9, nesterov=name == "nesterov")
    if name == "adam":
        return Adam(params, lr=lr)
    return ConjugateGradient(params, lr=lr)


def train_command(args: argparse.Namespace) -> int:
    """Run `chainrule train` with parsed arguments; returns the exit status."""
    parser: argparse.ArgumentParser = args.parser
    if args.optimizer == "cg" and args.batch_size is not None:
        parser.error("--optimizer cg is a full-batch method: add --batch-size full")
    _check_out(args.out, parser)
    plt = None if args.no_plots else _pyplot()

    make = DATASETS[args.dataset]
    X, labels = make(args.samples, noise=args.noise, seed=args.seed)
    y, nout = _targets(labels, args.loss, args.output_activation)
    model = MLP(2, [*args.hidden, nout], activation=args.activation, output_activation=args.output_activation,
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
    print(f"{args.dataset}: {len(X)} points, noise {args.noise:g}; {model}, {model.num_parameters()} parameters")
    print(f"{args.loss} loss, {optimizer}, {batch}, {args.epochs} epochs, seed {args.seed}"
          + (", compiled" if args.compiled else ""))  # fmt: skip

    start = time.perf_counter()
    history = fit(
        model, X, y, loss=loss, optimizer=optimizer, epochs=args.epochs, batch_size=args.batch_size,
        seed=args.seed, schedule=schedule, l2=args.l2, target_loss=args.target_loss,
        progress=not args.no_progress, compiled=args.compiled,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    final_loss, final_acc = evaluate(model, X, y, loss)
    print(f"trained {history.epochs} epochs in {seconds:.1f} s: loss {final_loss:.6f}, "
          f"training accuracy {100 * final_acc:.1f}%")  # fmt: skip

    written = [args.out / "model.json"]
    save(model, written[0])
    if plt is not None:
        written.append(_plot_loss(plt, history, args.out / "loss.png", f"{model} on {args.dataset}"))
        written.append(_plot_boundary(plt, model, X, labels, args.out / "decision_boundary.png",
                                      f"{args.dataset}: training accuracy {100 * final_acc:.1f}%"))  # fmt: skip
    written.append(_neuron_graph(model.layers[0].neurons[0], X[0], args.out / "neuron.svg"))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


# ---------------------------------------------------------------------------------------------------
# Pictures.


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        print("note: matplotlib is not installed, so no plots (pip install 'chainrule[plot]')", file=sys.stderr)
        return None
    matplotlib.use("Agg")  # files only, no screen
    import matplotlib.pyplot as plt

    return plt


def _plot_loss(plt: Any, history: History, path: Path, title: str) -> Path:
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    epochs = range(1, history.epochs + 1)
    ax.plot(epochs, history.loss, color="#1f77b4", lw=2, label="training loss")
    if all(v > 0 for v in history.loss):
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (mean over the epoch's batches)", color="#1f77b4")
    ax.grid(True, alpha=0.3)
    acc = ax.twinx()
    acc.plot(epochs, [100 * a for a in history.accuracy], color="#d62728", lw=1.5, label="training accuracy")
    acc.set_ylabel("accuracy (%)", color="#d62728")
    acc.set_ylim(0, 105)
    lines = ax.get_lines() + acc.get_lines()
    ax.legend(lines, [str(line.get_label()) for line in lines], loc="center right")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def _scalar(o: float | list[float]) -> float:
    return o if isinstance(o, float) else o[0]


def _argmax(o: float | list[float]) -> float:
    return 0.0 if isinstance(o, float) else float(max(range(len(o)), key=o.__getitem__))


def _plot_boundary(plt: Any, model: MLP, X: list[list[float]], labels: list[int], path: Path, title: str) -> Path:
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    pad = 0.4
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    steps = 90
    gx = [x0 + (x1 - x0) * i / (steps - 1) for i in range(steps)]
    gy = [y0 + (y1 - y0) * j / (steps - 1) for j in range(steps)]
    outs = predict(model, [[a, b] for b in gy for a in gx])
    classes = max(labels) + 1
    fig, ax = plt.subplots(figsize=(6.4, 5.2), dpi=120)
    if model.nout == 1:  # shade the score, draw the decision boundary where it crosses the threshold
        mid = 0.0 if model.output_activation in ("linear", "tanh", "leaky_relu") else 0.5
        score = [[_scalar(outs[j * steps + i]) - mid for i in range(steps)] for j in range(steps)]
        top = max(1e-9, max(abs(v) for row in score for v in row))
        clipped = [[max(-top, min(top, v)) for v in row] for row in score]
        cmap = plt.get_cmap("coolwarm")
        ax.contourf(gx, gy, clipped, levels=21, cmap=cmap, vmin=-top, vmax=top, alpha=0.45)
        ax.contour(gx, gy, score, levels=[0.0], colors="black", linewidths=1.5)
        colors = [cmap(0.0), cmap(1.0)]
    else:  # the region where each output is largest
        grid = [[_argmax(outs[j * steps + i]) for i in range(steps)] for j in range(steps)]
        cmap = plt.get_cmap("tab10")
        ax.contourf(gx, gy, grid, levels=[c - 0.5 for c in range(model.nout + 1)], colors=[cmap(c) for c in
                    range(model.nout)], alpha=0.3)  # fmt: skip
        colors = [cmap(c) for c in range(classes)]
    for c in range(classes):
        pts = [p for p, label in zip(X, labels, strict=True) if label == c]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], color=colors[c], edgecolors="black", linewidths=0.6,
                   s=36, label=f"class {c}")  # fmt: skip
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title(title)
    ax.legend(loc="upper right", framealpha=0.9)
    ax.set_aspect("equal", adjustable="box")
    fig.tight_layout()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _neuron_graph(neuron: Neuron, sample: Sequence[float], path: Path) -> Path:
    """The computation graph of one neuron on one sample, after backward: SVG (DOT text without Graphviz)."""
    from autograd import viz  # graphviz itself is imported only inside viz.save

    from .diagram import neuron_dot  # grads computed aside: the trained model's .grad stays as it is

    text = neuron_dot(neuron, sample)
    try:
        return viz.save(text, path)
    except viz.GraphvizMissingError as e:
        print(f"note: {e}; wrote DOT text instead", file=sys.stderr)
        return viz.save(text, path.with_suffix(".dot"))


# ---------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The `chainrule` console command.

    >>> main(["train", "--epochs", "0"])
    Traceback (most recent call last):
      ...
    SystemExit: 2
    """
    parser = argparse.ArgumentParser(
        prog="chainrule", description="chainrule: backpropagation you can read. Train and inspect small networks."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_train_parser(subparsers)
    cli_draw.add_parser(subparsers)
    args = parser.parse_args(argv)
    status: int = args.func(args)
    return status
