"""Draw a computation graph: `to_dot` (DOT text, standard library only) and `draw` (a rendered picture).

Each Value is a box showing its label, data and grad; each op is an oval between its inputs and its
result; edges run from inputs to results, the direction of the forward pass (backpropagation walks
them the other way). Nodes are numbered in topological order (``n0``, ``n1``, ...), so the same graph
gives the same text on every run.

The `graphviz` Python package is imported only inside `draw` and `save`, never at module level: the
engine needs no third-party package, `to_dot` works without it, and ``import autograd`` stays fast.
Rendering also needs Graphviz's ``dot`` program; when either is missing the error says what to install.

>>> from autograd import Value
>>> a, b = Value(2.0, "a"), Value(-3.0, "b")
>>> c = a * b; c.label = "c"; c.backward()
>>> print(to_dot(c, color_by=None))
digraph {
  rankdir=LR
  node [fontname="Helvetica" fontsize=11]
  edge [arrowsize=0.7]
  n0 [label="{a|data 2|grad -3}" shape=record]
  n1 [label="{b|data -3|grad 2}" shape=record]
  n2op [label="*"]
  n2 [label="{c|data -6|grad 1}" shape=record]
  n0 -> n2op
  n1 -> n2op
  n2op -> n2
}
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from .checks import choice, flag, instance, integer, iterable, mapping, optional, real, shown
from .graph import topological_order
from .value import Value

__all__ = [
    "MAX_NODES", "NEGATIVE", "POSITIVE", "RANKDIRS", "ROLE_COLORS", "GraphvizMissingError", "Rankdir", "attrs",
    "draw", "escape", "graphviz_source", "num", "role", "save", "to_dot",
]  # fmt: skip

MAX_NODES = 250
"""Default size limit: a drawing with more Values than this is refused (nobody can read it)."""

ROLE_COLORS = {
    "input": "#cfe2ff",  # light blue: a labelled leaf the user made
    "parameter": "#ffe8a3",  # amber: a leaf that is learned (passed as `params`)
    "constant": "#e9ecef",  # grey: a number operand (an unlabelled leaf)
    "intermediate": "#ffffff",  # white: made by an op
    "output": "#c7f0d2",  # green: the root
}
HIGHLIGHT = "#d62728"  # red: highlighted nodes, the current step, its edges
POSITIVE, NEGATIVE = "#1f77b4", "#d62728"  # blue and red, for signs (weights, gradients)

Rankdir = Literal["LR", "TB"]
ColorBy = Literal["role", "grad"] | None
Attrs = dict[str, str]


class GraphvizMissingError(RuntimeError):
    """The `graphviz` Python package or Graphviz's `dot` program is not installed."""


def role(v: Value, root: Value, params: Collection[Value] = ()) -> str:
    """A Value's role in the graph: "output", "parameter", "input", "constant" or "intermediate".

    The root is the output; a leaf in `params` is a parameter; another leaf is an input if it has a label
    and a constant if not (number operands such as the 2 in ``2 * x`` become unlabelled leaves).

    >>> from autograd import Value
    >>> x, w = Value(1.0, "x"), Value(0.5, "w")
    >>> y = 2 * w * x
    >>> [role(v, y, params={w}) for v in (x, w, y, y.inputs[0].inputs[0])]
    ['input', 'parameter', 'output', 'constant']
    """
    v, root = instance("v", v, Value, "a Value"), instance("root", root, Value, "a Value")
    return _role(v, root, _values("params", params))


def _role(v: Value, root: Value, params: Collection[Value]) -> str:
    if v is root:
        return "output"
    if v.inputs or v.op is not None:
        return "intermediate"
    if v in params:
        return "parameter"
    return "input" if v.label else "constant"


def num(x: float, digits: int = 4) -> str:
    """A float, short: `digits` significant digits, no trailing zeros (2.0 -> '2', 1/3 -> '0.3333').

    >>> num(2.0), num(1 / 3), num(-0.125), num(1e-9), num(float("inf"))
    ('2', '0.3333', '-0.125', '1e-09', 'inf')
    """
    return f"{x:.{digits}g}"


RANKDIRS = ("LR", "TB")  # left to right, top to bottom
COLOR_BY = ("role", "grad")  # or None


def _values(name: str, xs: object) -> set[Value]:
    """`xs` (any iterable of Values) as a set, each item checked."""
    items = iterable(name, xs, "a list of Values")
    for i, v in enumerate(items):
        instance(f"{name}[{i}]", v, Value, "a Value")
    return set(items)


def _order(root: object, max_nodes: int | None) -> list[Value]:
    root = instance("root", root, Value, "a Value (the root of the graph to draw)")
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order):,} Values, more than max_nodes={max_nodes}: a picture that size "
            "cannot be read. Draw less: the graph of one intermediate Value (to_dot(v) for a v inside it), "
            "a smaller model or batch, or for an nn model its network diagram (nn.diagram.draw_network); "
            f"or pass max_nodes={len(order)} (or None) to draw it anyway"
        )
    return order


def _escape_record(text: str) -> str:
    """Escape a string for a field of a record label (inside DOT double quotes)."""
    out = text.replace("\n", " ")
    for ch in '\\{}|<>"':
        out = out.replace(ch, "\\" + ch)
    return out


def escape(text: str) -> str:
    """Escape text for a DOT double-quoted label: backslashes and quotes.

    >>> print(escape('say "hi"'))
    say \\"hi\\"
    """
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?[0-9]*\.?[0-9]+")


def attrs(a: Mapping[str, str]) -> str:
    """A DOT attribute list. Values must be escaped already (`escape`); labels and values that are not
    plain words or numbers are put in double quotes.

    >>> attrs({"label": "a b", "shape": "record", "penwidth": "2.5", "color": "#d62728"})
    '[label="a b" shape=record penwidth=2.5 color="#d62728"]'
    """
    return (
        "["
        + " ".join(f"{k}={v}" if k != "label" and _PLAIN.fullmatch(v) else f'{k}="{v}"' for k, v in a.items())
        + "]"
    )


def _edge_grads(order: list[Value], grads: Mapping[Value, float]) -> dict[tuple[Value, int], float]:
    """What backpropagation sends along each edge: the op's rules applied to the result's grad."""
    sent: dict[tuple[Value, int], float] = {}
    for v in order:
        if v.op is not None:
            for i, gx in enumerate(v.op.backward(grads[v], *(x.data for x in v.inputs), v.data)):
                sent[v, i] = gx
    return sent


def _width(magnitude: float, largest: float) -> str:
    if not largest > 0 or not math.isfinite(largest) or not math.isfinite(magnitude):
        return "1"
    return f"{0.6 + 3.4 * magnitude / largest:.2f}"


def _grad_fill(magnitude: float, largest: float) -> str:
    """White for 0, a deepening orange up to the largest |grad| in the graph."""
    t = magnitude / largest if largest > 0 and math.isfinite(largest) and math.isfinite(magnitude) else 0.0
    r, g, b = 255, round(255 - t * (255 - 140)), round(255 - t * 255)
    return f"#{r:02x}{g:02x}{b:02x}"


def dot_source(
    root: Value,
    order: list[Value],
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    color_by: ColorBy = "role",
    grad_width: bool = False,
    params: Collection[Value] = (),
    highlight: Collection[Value] = (),
    names: Mapping[Value, str] | None = None,
    grads: Mapping[Value, float] | None = None,
    value_style: Mapping[Value, Attrs] | None = None,
    op_style: Mapping[Value, Attrs] | None = None,
    edge_style: Mapping[tuple[Value, int], Attrs] | None = None,
    result_style: Mapping[Value, Attrs] | None = None,
    legend: bool = False,
) -> str:
    """The DOT text for a graph already ordered; the styling hooks serve explanations (step, paths).

    `names` overrides labels, `grads` overrides `.grad`, the `*_style` mappings add attributes to a
    Value's box, to the oval of the op that made a Value, to the edge into input i of a Value's op, and
    to the edge from that op to the Value.

    >>> from autograd import Value
    >>> y = Value(2.0, "x").exp()
    >>> print(dot_source(y, topological_order(y), color_by=None, names={y: "y"}).splitlines()[-4])
      n1 [label="{y|data 7.389|grad 0}" shape=record]
    """
    index = {v: i for i, v in enumerate(order)}
    grad_of: Mapping[Value, float] = grads if grads is not None else {v: v.grad for v in order}
    params = set(params) if not isinstance(params, (set, frozenset)) else params
    sent = _edge_grads(order, grad_of) if grad_width else {}
    largest_sent = max((abs(g) for g in sent.values() if math.isfinite(g)), default=0.0)
    largest_grad = max((abs(grad_of[v]) for v in order if math.isfinite(grad_of[v])), default=0.0)
    lines = [
        "digraph {",
        f"  rankdir={rankdir}",
        '  node [fontname="Helvetica" fontsize=11]',
        "  edge [arrowsize=0.7]",
    ]
    for v in order:
        i = index[v]
        name = names.get(v, v.label) if names is not None else v.label
        fields = [_escape_record(name)] if name else []
        fields.append(f"data {num(v.data)}")
        if show_grad:
            fields.append(f"grad {num(grad_of[v])}")
        label = "|".join(fields)
        box: Attrs = {"label": "{" + label + "}" if rankdir == "LR" else label, "shape": "record"}
        if color_by == "role":
            box |= {"style": "filled", "fillcolor": ROLE_COLORS[_role(v, root, params)]}
        elif color_by == "grad":
            box |= {"style": "filled", "fillcolor": _grad_fill(abs(grad_of[v]), largest_grad)}
        if v in highlight:
            box |= {"color": HIGHLIGHT, "penwidth": "3"}
        if value_style is not None and v in value_style:
            box |= value_style[v]
        if v.op is not None:
            oval: Attrs = {"label": escape(v.op.label)}
            if op_style is not None and v in op_style:
                oval |= op_style[v]
            lines.append(f"  n{i}op {attrs(oval)}")
        lines.append(f"  n{i} {attrs(box)}")
        if v.op is None:
            continue
        for k, x in enumerate(v.inputs):
            edge: Attrs = {}
            if grad_width:
                edge["penwidth"] = _width(abs(sent.get((v, k), 0.0)), largest_sent)  # a rule may send none
            if edge_style is not None and (v, k) in edge_style:
                edge |= edge_style[v, k]
            lines.append(f"  n{index[x]} -> n{i}op" + (f" {attrs(edge)}" if edge else ""))
        out_edge: Attrs = {"penwidth": _width(abs(grad_of[v]), largest_sent)} if grad_width else {}
        if result_style is not None and v in result_style:
            out_edge |= result_style[v]
        lines.append(f"  n{i}op -> n{i}" + (f" {attrs(out_edge)}" if out_edge else ""))
    if legend:
        present = {_role(v, root, params) for v in order}
        lines += _legend(color_by, grad_width, present)
    lines.append("}")
    return "\n".join(lines)


def _legend(color_by: ColorBy, grad_width: bool, present: set[str]) -> list[str]:
    """One small node: a row of coloured cells naming the roles in the graph (an HTML-like label)."""
    cells = []
    if color_by == "role":
        cells = [f'<td bgcolor="{colour}">{r}</td>' for r, colour in ROLE_COLORS.items() if r in present]
    elif color_by == "grad":
        cells = [f'<td bgcolor="{_grad_fill(t, 1.0)}">|grad| {t:g}</td>' for t in (0.0, 0.5, 1.0)]
    if grad_width:
        cells.append("<td>edge width: |gradient sent back|</td>")
    if not cells:
        return []
    table = (
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="4"><tr>'
        + "".join(cells)
        + "</tr></table>"
    )
    return [f"  legend [shape=plaintext fontsize=10 label=<{table}>]"]


def to_dot(
    root: Value,
    *,
    rankdir: Rankdir = "LR",
    show_grad: bool = True,
    color_by: ColorBy = "role",
    grad_width: bool = False,
    params: Iterable[Value] = (),
    highlight: Iterable[Value] = (),
    names: Mapping[Value, str] | None = None,
    grads: Mapping[Value, float] | None = None,
    legend: bool = False,
    max_nodes: int | None = MAX_NODES,
) -> str:
    """The graph that computed `root`, as DOT text (standard library only; render it with `draw`).

    - `rankdir`: "LR" (left to right) or "TB" (top to bottom).
    - `show_grad`: show each Value's grad next to its data.
    - `color_by`: "role" fills boxes by role (`role`: input, parameter, constant, intermediate, output;
      `params` says which leaves are parameters), "grad" by |grad|, None leaves them white.
    - `grad_width`: each edge as thick as the gradient backpropagation sends along it.
    - `highlight`: Values to outline in red.
    - `names`, `grads`: show these instead of the Values' labels and `.grad`.
    - `legend`: add a small key of colours. `max_nodes`: refuse graphs with more Values (None: no limit).

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> print(to_dot(x * x + 1, rankdir="TB", show_grad=False))
    digraph {
      rankdir=TB
      node [fontname="Helvetica" fontsize=11]
      edge [arrowsize=0.7]
      n0 [label="x|data 3" shape=record style=filled fillcolor="#cfe2ff"]
      n1op [label="*"]
      n1 [label="data 9" shape=record style=filled fillcolor="#ffffff"]
      n0 -> n1op
      n0 -> n1op
      n1op -> n1
      n2 [label="data 1" shape=record style=filled fillcolor="#e9ecef"]
      n3op [label="+"]
      n3 [label="data 10" shape=record style=filled fillcolor="#c7f0d2"]
      n1 -> n3op
      n2 -> n3op
      n3op -> n3
    }
    """
    choice("rankdir", rankdir, RANKDIRS)
    if color_by is not None:
        choice("color_by", color_by, COLOR_BY)
    show_grad, grad_width = flag("show_grad", show_grad), flag("grad_width", grad_width)
    legend = flag("legend", legend)
    max_nodes = optional(integer, "max_nodes", max_nodes, low=1)
    params_set, highlight_set = _values("params", params), _values("highlight", highlight)
    order = _order(root, max_nodes)
    if names is not None:
        given = mapping("names", names, "a dict of Value -> str")
        names = {v: instance(f"names[{shown(v)}]", given[v], str, "a str") for v in order if v in given}
    if grads is not None:
        given = mapping("grads", grads, "a dict of Value -> float")
        grads = {v: real(f"grads[{shown(v)}]", given.get(v, 0.0), finite=False) for v in order}
    return dot_source(
        root, order, rankdir=rankdir, show_grad=show_grad, color_by=color_by, grad_width=grad_width,
        params=params_set, highlight=highlight_set, names=names, grads=grads, legend=legend,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Rendering: the only place that needs the graphviz package and the dot program.


def graphviz_source(dot_text: str) -> Any:
    """A `graphviz.Source` for DOT text: renders inline in Jupyter (SVG), saves SVG, PNG or PDF.

    Raises GraphvizMissingError saying what to install when the package or the `dot` program is absent.
    """
    try:
        import graphviz  # type: ignore[import-untyped]  # no stubs; imported here, not at module level: drawing is optional (see module docstring)
    except ImportError:
        raise GraphvizMissingError(
            "drawing needs the graphviz Python package: pip install graphviz (or pip install 'chainrule[draw]'); "
            "to_dot() works without it"
        ) from None
    if shutil.which("dot") is None:
        raise GraphvizMissingError(
            "drawing needs Graphviz's 'dot' program on PATH: apt install graphviz (Debian/Ubuntu), "
            "brew install graphviz (macOS), or see https://graphviz.org/download/; to_dot() works without it"
        )
    return graphviz.Source(dot_text)


def draw(
    root: Value,
    *,
    rankdir: Rankdir = "LR",
    show_grad: bool = True,
    color_by: ColorBy = "role",
    grad_width: bool = False,
    params: Iterable[Value] = (),
    highlight: Iterable[Value] = (),
    legend: bool = False,
    max_nodes: int | None = MAX_NODES,
) -> Any:
    """The graph of `root` as a `graphviz.Source`: shown inline in Jupyter; `save` writes files.

    Options as for `to_dot`. Needs ``pip install graphviz`` and Graphviz's ``dot`` program.

    >>> from autograd import Value
    >>> y = (Value(2.0, "x") * 3).tanh(); y.backward()
    >>> svg = draw(y).pipe(format="svg").decode()     # doctest: +SKIP
    """
    return graphviz_source(
        to_dot(
            root, rankdir=rankdir, show_grad=show_grad, color_by=color_by, grad_width=grad_width,
            params=params, highlight=highlight, legend=legend, max_nodes=max_nodes,
        )
    )  # fmt: skip


FORMATS = ("svg", "png", "pdf")


def save(drawing: Value | str | Any, path: str | Path, **options: Any) -> Path:
    """Write a drawing to `path`; the suffix picks the format: .svg, .png, .pdf, or .dot/.gv for DOT text.

    `drawing` is a root Value (drawn with `options`, as for `to_dot`), DOT text, or a `graphviz.Source`.

    >>> import os, tempfile
    >>> from autograd import Value
    >>> path = save(Value(1.0, "x") + 2, os.path.join(tempfile.mkdtemp(), "g.dot"))
    >>> path.read_text().splitlines()[0]
    'digraph {'
    """
    path = Path(instance("path", path, (str, os.PathLike), "a file name (a str or a pathlib.Path)"))
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in (*FORMATS, "dot", "gv"):
        raise ValueError(
            f"cannot tell the format from path {str(path)!r}: end the name in .svg, .png, .pdf, .dot or .gv"
        )
    if isinstance(drawing, Value):
        text = to_dot(drawing, **options)
    elif isinstance(drawing, str):
        text = drawing
    elif hasattr(drawing, "source") and isinstance(drawing.source, str):
        text = drawing.source
    else:
        raise TypeError(
            f"drawing must be a root Value, DOT text or a graphviz.Source, got {type(drawing).__name__}: "
            f"{shown(drawing)}"
        )
    if suffix in ("dot", "gv"):
        path.write_text(text + "\n", encoding="utf-8")
    else:
        path.write_bytes(graphviz_source(text).pipe(format=suffix))
    return path
