"""`chainrule draw`: draw any expression of named scalars after a backward pass.

    chainrule draw "tanh(w*x + b)" w=0.5 x=2 b=-1 -o graph.svg

The expression is parsed by `autograd.expression` (numbers, names, + - * / ** and the engine's
functions; never `eval`). ``--steps`` prints the backward pass one node at a time, ``--paths NAME`` the
paths from NAME to the result. The format follows the output's suffix: .svg, .png, .pdf (these need
Graphviz), or .dot/.gv for DOT text, which needs nothing.

Exit status: 2 for a usage error, including an expression that cannot be parsed or evaluated at the
given values (``log(0)``, ``1/x`` at x=0, ``(-8)**0.5``: the message names the sub-expression); 1 when the
drawing cannot be written (Graphviz missing or failing, a full disk): one line on stderr.
"""

from __future__ import annotations

import argparse
import math
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd import topological_order, viz
from autograd.explain import paths, steps
from autograd.expression import FUNCTIONS, ExpressionError, parse
from autograd.view import view

from .cli import HelpFormatter, fail, write_atomically

__all__ = ["add_parser", "check_leading_dashes", "draw_command"]


def _assignment(text: str) -> tuple[str, float]:
    """NAME=NUMBER, as argparse's type for the assignments."""
    name, sep, number = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        hint = f" (write {text.strip()}=1.5, with no spaces around =)" if text.strip().isidentifier() else ""
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER such as w=0.5, got {text!r}{hint}")
    try:
        value = float(number)
    except ValueError:
        comma = re.fullmatch(r"\s*-?\d+,\d+\s*", number)
        hint = f" (a decimal point, not a comma: {number.strip().replace(',', '.')})" if comma else ""
        raise argparse.ArgumentTypeError(f"the value of {name} must be a number, got {number!r}{hint}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"the value of {name} must be a finite number, got {number!r}")
    return name, value


def _name(text: str) -> str:
    if not text.isidentifier():
        raise argparse.ArgumentTypeError(f"expected a name from the expression, such as x, got {text!r}")
    return text


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `chainrule draw` on an argparse subparsers object; `func` is `draw_command`.

    >>> parser = argparse.ArgumentParser(prog="chainrule")
    >>> _ = add_parser(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["draw", "tanh(w*x + b)", "w=0.5", "x=2", "b=-0.5", "-o", "g.png"])
    >>> args.expression, args.values, args.output.name
    ('tanh(w*x + b)', [('w', 0.5), ('x', 2.0), ('b', -0.5)], 'g.png')
    """
    p: argparse.ArgumentParser = subparsers.add_parser(
        "draw",
        help="draw an expression of named scalars, with its gradients",
        description='Build the graph of an expression such as "tanh(w*x + b)" from NAME=NUMBER values, run a '
        "backward pass and draw it (data and grad on every node). Expressions may use numbers, names, "
        "+ - * / **, parentheses and the functions exp, log, sqrt, tanh, sigmoid, relu, softplus, sin, cos, "
        "abs, leaky_relu(x, slope).",
        epilog='example: chainrule draw "tanh(w*x + b)" w=0.5 x=2 b=-0.5 -o graph.svg --steps --html steps.html\n'
        'an expression starting with -, such as -x*y, goes in parentheses: "(-x*y)"\n'
        "exit status: 0 done, 1 the drawing could not be written, 2 a usage error (or no value at those values)",
        formatter_class=HelpFormatter,
    )
    p.add_argument("expression", help="the expression, quoted")
    p.add_argument("values", nargs="*", type=_assignment, metavar="NAME=NUMBER", help="a value for each name")
    p.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                   help="the drawing to write: .svg, .png, .pdf or .dot/.gv (DOT text, no Graphviz needed); "
                   "graph.svg unless only --html is given")  # fmt: skip
    p.add_argument("--html", type=Path, default=None, metavar="FILE",
                   help="also write the interactive step-through (forward and backward pass, one step at a time) "
                   "as one self-contained web page")  # fmt: skip
    p.add_argument("--rankdir", choices=["auto", "LR", "TB"], default="auto",
                   help="left to right, top to bottom, or auto: whichever fits a page's width")  # fmt: skip
    p.add_argument("--no-grad", action="store_true", help="show data only, no gradients")
    p.add_argument("--params", type=_names, default=[], metavar="NAMES",
                   help="comma-separated names to colour as parameters (the others are inputs)")  # fmt: skip
    p.add_argument("--color-by", choices=["role", "grad", "none"], default="role",
                   help="fill nodes by role (with a legend), by |grad|, or not at all")  # fmt: skip
    p.add_argument(
        "--grad-width", action="store_true", help="draw each edge as thick as the gradient it carries"
    )
    p.add_argument("--steps", action="store_true", help="print the backward pass, one node at a time")
    p.add_argument("--paths", type=_name, metavar="NAME", help="print every path from NAME to the result, and their sum")
    p.set_defaults(func=draw_command, parser=p)
    return p


def check_leading_dashes(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """parser.error for an expression or value that starts with - (argparse would take it for a flag).

    >>> parser = add_parser(argparse.ArgumentParser(prog="chainrule").add_subparsers())
    >>> check_leading_dashes(parser, ["(-x*y)", "x=1", "-o", "g.dot", "--", "-x"])   # fine

    A long flag that draw lacks (--colour-by) is left to argparse, which suggests the one meant.
    """
    options = [o for action in parser._actions for o in action.option_strings]  # argparse keeps them here
    for arg in argv:
        if arg == "--":
            return
        if not arg.startswith("-") or arg.startswith("--") or re.fullmatch(r"-\d+(\.\d*)?([eE][-+]?\d+)?", arg):
            continue
        if arg.split("=")[0] in options or arg[:2] in options:  # -o, -o=g.svg, -og.svg
            continue
        parser.error(
            f"{arg!r} starts with -, so it reads as a flag, and draw has no such flag; "
            f'for an expression write it in parentheses, "({arg})" (or give the flags first, then --, then '
            "the expression and values)"
        )


def draw_command(args: argparse.Namespace) -> int:
    """Run `chainrule draw`: parse, evaluate, backward, draw; 2 for a usage error, 1 if drawing fails.

    >>> import tempfile, os
    >>> parser = argparse.ArgumentParser(prog="chainrule")
    >>> _ = add_parser(parser.add_subparsers(dest="command"))
    >>> out = os.path.join(tempfile.mkdtemp(), "g.dot")
    >>> args = parser.parse_args(["draw", "x * y + x", "x=2", "y=5", "-o", out, "--paths", "x"])
    >>> draw_command(args)                                         # doctest: +ELLIPSIS
    dL/dx: 2 paths from x to L; each contributes the product of the local derivatives along it
    ...
      sum over paths = 6; the backward pass gives dL/dx = 6
    wrote .../g.dot
    0
    """
    parser: argparse.ArgumentParser = args.parser
    values: dict[str, float] = {}
    for name, value in args.values:
        if name in values:
            parser.error(f"{name} is given twice")
        values[name] = value
    try:
        expr = parse(args.expression)
    except ExpressionError as e:
        parser.error(str(e))
    functions = [n for n in values if n in FUNCTIONS]
    if functions:
        parser.error(
            f"{', '.join(functions)} {'is a function' if len(functions) == 1 else 'are functions'}, not a "
            f"name: give values only for the names {args.expression!r} uses ({', '.join(expr.names) or 'none'})"
        )
    unused = [n for n in values if n not in expr.names]
    if unused:
        parser.error(
            f"{', '.join(unused)} given but not used in {args.expression!r} (it uses: {', '.join(expr.names) or 'no names'})"
        )
    unknown = [n for n in args.params if n not in expr.names]
    if unknown:
        parser.error(f"--params names {', '.join(unknown)}, which {args.expression!r} does not use")
    if args.paths is not None and args.paths not in expr.names:
        parser.error(
            f"--paths {args.paths}: {args.expression!r} uses no name {args.paths} (it uses: {', '.join(expr.names) or 'none'})"
        )
    if args.output is None and args.html is None:
        args.output = Path("graph.svg")
    if args.html is not None and args.html.suffix.lower() not in (".html", ".htm"):
        parser.error(f"--html {str(args.html)!r}: the step-through is a web page; end the name in .html")
    suffix = args.output.suffix.lower() if args.output is not None else ".svg"
    if suffix not in (".svg", ".png", ".pdf", ".dot", ".gv"):
        parser.error(
            f"cannot tell the format from {str(args.output)!r}: end the name in .svg, .png, .pdf, .dot or .gv"
        )
    try:
        root = expr.evaluate(values)
    except ExpressionError as e:
        parser.error(str(e))
    root.backward()
    leaves = {v.label: v for v in _leaves(root)}
    if args.steps:
        print(steps(root))
    if args.paths is not None:
        print(paths(leaves[args.paths], root))
    color_by = None if args.color_by == "none" else args.color_by
    options = {
        "rankdir": args.rankdir, "show_grad": not args.no_grad, "color_by": color_by,
        "grad_width": args.grad_width, "params": [leaves[n] for n in args.params if n in leaves],
        "legend": color_by is not None or args.grad_width,
    }  # fmt: skip
    targets = [(args.output, lambda p: viz.save(root, p, **options))] if args.output is not None else []
    if args.html is not None:
        stepper = view(root, params=options["params"], max_nodes=None)
        targets.append((args.html, stepper.save_html))
    done: list[Path] = []
    try:
        for target, write in targets:
            done.append(write_atomically(target, write))
    except viz.GraphvizMissingError as e:
        hint = f"; or write DOT text instead: -o {args.output.with_suffix('.dot')}" if args.output is not None else ""
        return fail(args, f"{e}{hint}")
    except ValueError as e:  # the graph is over the size limit
        return fail(args, str(e))
    except subprocess.CalledProcessError as e:  # Graphviz's dot ran and failed (a format it was built without)
        reason = (e.stderr or b"").decode("utf-8", "replace").strip() or f"exit status {e.returncode}"
        return fail(args, f"Graphviz's dot could not write {str(targets[len(done)][0])!r}: {reason}")
    except OSError as e:
        return fail(args, f"cannot write {str(targets[len(done)][0])!r}: {e.strerror or e}")
    unbounded = [name for name, v in leaves.items() if not math.isfinite(v.grad)]
    if unbounded and not args.no_grad:
        grads = ", ".join(f"dL/d{name} = {leaves[name].grad}" for name in unbounded)
        print(f"note: {grads}: a derivative that is infinite here (as sqrt's at 0) or too large for a float",
              file=sys.stderr)  # fmt: skip
    print(f"wrote {', '.join(str(p) for p in done)}")
    return 0


def _leaves(root: Any) -> list[Any]:
    return [v for v in topological_order(root) if v.op is None and v.label]
