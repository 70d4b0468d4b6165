"""Draw a computation graph: `to_dot` (DOT text, standard library only) and `draw` (a rendered picture).

Each Value is one box: its name and the op that made it, its data and its grad; a constant (the 2 in
``2 * x``) is just its number. Edges run from inputs to results, the direction of the forward pass
(backpropagation walks them the other way). The layout runs left to right when the graph is shallow
enough to fit a notebook's width that way, else top to bottom; a neuron's Values can be framed together,
or drawn as one box. Every box and edge has an id (``n3``, ``n3_grad``, ``e3_0``), which the interactive
view uses to change what a step shows without laying the graph out again. Nodes are numbered in
topological order, so the same graph gives the same text on every run.

The `graphviz` Python package is imported only inside `draw` and `save`, never at module level: the
engine needs no third-party package, `to_dot` works without it, and ``import autograd`` stays fast.
Rendering also needs Graphviz's ``dot`` program; when either is missing the error says what to install.

>>> from autograd import Value
>>> a, b = Value(2.0, "a"), Value(-3.0, "b")
>>> c = a * b; c.label = "c"; c.backward()
>>> text = to_dot(c)
>>> [line.strip() for line in text.splitlines() if "->" in line]     # a and b feed the product c
['n0 -> n2 [id=e2_0]', 'n1 -> n2 [id=e2_1]']
>>> '<b>c</b>' in text, 'id="n2_grad">grad 1<' in text
(True, True)
"""

from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from collections.abc import Collection, Iterable, Mapping, Sequence
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

    A zero is shown as 0 whatever its sign (IEEE's -0.0 is the same number, and "-0" puzzles a reader).

    >>> num(2.0), num(1 / 3), num(-0.125), num(1e-9), num(float("inf")), num(-0.0)
    ('2', '0.3333', '-0.125', '1e-09', 'inf', '0')
    """
    return "0" if x == 0 else f"{x:.{digits}g}"


RANKDIRS = ("LR", "TB")  # left to right, top to bottom
COLOR_BY = ("role", "grad")  # or None


def _values(name: str, xs: object) -> set[Value]:
    """`xs` (any iterable of Values) as a set, each item checked."""
    items = iterable(name, xs, "a list of Values")
    for i, v in enumerate(items):
        instance(f"{name}[{i}]", v, Value, "a Value")
    return set(items)


_DRAW_LESS = (
    "a picture that size cannot be read. Draw less: the graph of one intermediate Value (to_dot(v) for a v "
    "inside it), a smaller model or batch, or for an nn model its network diagram (nn.diagram.draw_network)"
)


def _order(root: object, max_nodes: int | None, advice: str = _DRAW_LESS, what: str = "draw") -> list[Value]:
    """root's Values in topological order, refused past max_nodes with `advice` (what to do instead)."""
    root = instance("root", root, Value, f"a Value (the root of the graph to {what})")
    order = topological_order(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order):,} Values, more than max_nodes={max_nodes}: {advice}; "
            f"or pass max_nodes={len(order)} (or None) to {what} it anyway"
        )
    return order


def _labels(what: str, given: object, order: Sequence[Value], expected: str) -> dict[Value, str] | None:
    """A checked `names=` or `groups=` argument: each Value of the graph that it names, with its str."""
    if given is None:
        return None
    found = mapping(what, given, f"a dict of Value -> {expected}")
    return {v: instance(f"{what}[{shown(v)}]", found[v], str, "a str") for v in order if v in found}


def _collapsed(collapse: object) -> set[str]:
    """A checked `collapse=` argument: the group names to draw as one box each."""
    return {instance("collapse[...]", g, str, "a group name (str)") for g in iterable("collapse", collapse, "a list of group names")}


def escape(text: str) -> str:
    """Escape text for a DOT double-quoted label: backslashes and quotes.

    >>> print(escape('say "hi"'))
    say \\"hi\\"
    """
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def html(text: str) -> str:
    """Escape text for a Graphviz HTML-like label (``<...>``): ampersand, angle brackets, quotes.

    >>> html("a < b & c")
    'a &lt; b &amp; c'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|-?[0-9]*\.?[0-9]+")


def attrs(a: Mapping[str, str]) -> str:
    """A DOT attribute list. Values must be escaped already (`escape`); labels and values that are not
    plain words or numbers are put in double quotes, and a label in ``<...>`` (HTML-like) as it is.

    >>> attrs({"label": "a b", "shape": "box", "penwidth": "2.5", "color": "#d62728"})
    '[label="a b" shape=box penwidth=2.5 color="#d62728"]'
    """

    def value(k: str, v: str) -> str:
        if k == "label" and v.startswith("<") and v.endswith(">"):
            return f"{k}={v}"
        return f"{k}={v}" if k != "label" and _PLAIN.fullmatch(v) else f'{k}="{v}"'

    return "[" + " ".join(value(k, v) for k, v in a.items()) + "]"


def _edge_grads(order: list[Value], grads: Mapping[Value, float]) -> dict[tuple[Value, int], float]:
    """What backpropagation sends along each edge: the op's rules applied to the result's grad."""
    sent: dict[tuple[Value, int], float] = {}
    for v in order:
        if v.op is not None and v in grads:
            for i, gx in enumerate(v.op.backward(grads[v], *(x.data for x in v.inputs), v.data)):
                sent[v, i] = gx
    return sent


def _width(magnitude: float, largest: float) -> str:
    """An edge's pen width for a gradient: 0.6 to 4 points, relative to the largest in the drawing."""
    if not largest > 0 or not math.isfinite(largest) or not math.isfinite(magnitude):
        return "1"
    return f"{0.6 + 3.4 * min(magnitude / largest, 1.0):.2f}"


def _grad_fill(magnitude: float, largest: float) -> str:
    """White for 0, a deepening orange up to the largest |grad| in the graph."""
    t = magnitude / largest if largest > 0 and math.isfinite(largest) and math.isfinite(magnitude) else 0.0
    t = min(t, 1.0)
    r, g, b = 255, round(255 - t * (255 - 140)), round(255 - t * 255)
    return f"#{r:02x}{g:02x}{b:02x}"


def _inside_groups(order: Sequence[Value], params: Collection[Value], folded: Mapping[Value, str]) -> dict[Value, str]:
    """The parameters that only collapsed groups read (a neuron's weights), not drawn: each with the group
    of its first reader (`folded`: each Value inside a collapsed group, with its group)."""
    if not folded:
        return {}
    readers: dict[Value, list[Value]] = {}
    for v in order:
        for x in v.inputs:
            readers.setdefault(x, []).append(v)
    return {
        p: folded[readers[p][0]]
        for p in params
        if p not in folded and readers.get(p) and all(r in folded for r in readers[p])
    }


def _is_constant(v: Value, root: Value) -> bool:
    return v.op is None and not v.label and v is not root


# A drawing's width, estimated before layout, in points: a box is about this wide and this far apart.
_BOX, _GAP, _PAGE = 84.0, 24.0, 640.0  # _PAGE: a notebook's output width (~900 px) in points, with room


def _levels(order: list[Value], drawn: set[Value]) -> dict[Value, int]:
    """Each drawn Value's rank as dot will place it: results one below their deepest input, leaves just
    above their first use (dot shortens edges, so a weight sits next to the neuron that reads it)."""
    level: dict[Value, int] = {}
    for v in order:
        if v.op is not None:
            level[v] = 1 + max((level.get(x, 0) for x in v.inputs if x in drawn), default=0)
    for v in reversed(order):
        if v.op is not None:
            for x in v.inputs:
                if x.op is None and x in drawn:
                    level[x] = min(level.get(x, level[v] - 1), level[v] - 1)
    for v in order:
        level.setdefault(v, 0)
    return level


def choose_rankdir(order: list[Value], drawn: Collection[Value]) -> Rankdir:
    """Left to right when the graph is shallow enough to fit a notebook's width that way, else top to
    bottom (a notebook scrolls down, not across): the wider of the two layouts, estimated, is avoided.

    >>> from autograd import Value
    >>> x = Value(1.0, "x"); y = x
    >>> for _ in range(8):
    ...     y = y.tanh()
    >>> choose_rankdir(topological_order(y), set(topological_order(y)))
    'TB'
    """
    drawn = set(drawn)
    if not drawn:
        return "LR"
    level = _levels(order, drawn)
    depth = max(level.values()) - min(level.values()) + 1
    across = max(sum(1 for v in drawn if level[v] == k) for k in set(level.values()))
    lr_width = depth * (_BOX + _GAP * 2)
    tb_width = across * (_BOX + _GAP)
    return "LR" if lr_width <= _PAGE or lr_width <= tb_width else "TB"


def dot_source(
    root: Value,
    order: list[Value],
    *,
    rankdir: str = "auto",
    show_grad: bool = True,
    color_by: ColorBy = "role",
    grad_width: bool = False,
    params: Collection[Value] = (),
    highlight: Collection[Value] = (),
    names: Mapping[Value, str] | None = None,
    grads: Mapping[Value, float] | None = None,
    value_style: Mapping[Value, Attrs] | None = None,
    edge_style: Mapping[tuple[Value, int], Attrs] | None = None,
    edge_labels: Mapping[tuple[Value, int], str] | None = None,
    groups: Mapping[Value, str] | None = None,
    collapse: Collection[str] = (),
    legend: bool = False,
    texts: Mapping[Value, tuple[str, str]] | None = None,
) -> str:
    """The DOT text for a graph already ordered; the styling hooks serve explanations and the view.

    One box per Value: its name and the op that made it, its data, its grad (a Value missing from
    `grads` shows none: not reached yet). A constant (an unlabelled leaf, such as the 2 in ``2 * x``) is
    just its number. Every element has an id for the interactive view: the box of the i-th Value in
    `order` is ``n{i}``, its data and grad ``n{i}_data`` and ``n{i}_grad``, the edge into input k of it
    ``e{i}_{k}``. `names` overrides labels; `value_style` adds attributes to a box, `edge_style` and
    `edge_labels` to the edge into input k of a Value; `groups` puts Values in named clusters (a neuron:
    its weights, weighted sum and activation), and a group in `collapse` is drawn as one box. `texts`
    gives a box's data and grad lines instead of its numbers (the view lays boxes out for their widest).

    >>> from autograd import Value
    >>> y = Value(2.0, "x").exp(); y.label = "y"
    >>> print(dot_source(y, topological_order(y), color_by=None).splitlines()[-3])
      n1 [id=n1 label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td align="left"><b>y</b></td><td align="right"><font color="#666666">exp</font></td></tr><tr><td align="left" colspan="2" id="n1_data">data 7.389</td></tr><tr><td align="left" colspan="2" id="n1_grad">grad 0</td></tr></table>> shape=box style=rounded]
    """
    index = {v: i for i, v in enumerate(order)}
    grad_of: Mapping[Value, float] = grads if grads is not None else {v: v.grad for v in order}
    params = set(params) if not isinstance(params, (set, frozenset)) else params
    groups = groups or {}
    folded = {v: g for v, g in groups.items() if g in collapse}  # Values inside a collapsed group
    group_out = {g: max((v for v in order if folded.get(v) == g), key=index.__getitem__) for g in set(folded.values())}
    hidden = set(_inside_groups(order, params, folded))
    drawn = {v for v in order if v not in folded and v not in hidden}
    box = {v: f"n{index[v]}" for v in drawn} | {v: f"g_{_ident(g)}" for v, g in folded.items()}
    if rankdir == "auto":
        rankdir = choose_rankdir(order, drawn | set(group_out.values()))
    sent = _edge_grads(order, grad_of) if grad_width else {}
    largest_sent = max((abs(g) for g in sent.values() if math.isfinite(g)), default=0.0)
    largest_grad = max((abs(g) for v in order if (g := grad_of.get(v)) is not None and math.isfinite(g)), default=0.0)
    lines = [
        "digraph {",
        f"  rankdir={rankdir}",
        "  nodesep=0.18",
        "  ranksep=0.3",
        "  ordering=out",  # a Value's uses in the order they were made: h1 before h2, x1 before x2
        '  node [fontname="Helvetica" fontsize=11 margin="0.06,0.03"]',
        '  edge [arrowsize=0.6 color="#555555" fontname="Helvetica"]',
    ]

    def cells(v: Value, name: str, op_text: str, i: str) -> str:
        head = f'<td align="left"><b>{html(name)}</b></td>' if name else ""
        if op_text:
            head += f'<td align="right"><font color="#666666">{html(op_text)}</font></td>'
        span = ' colspan="2"' if name and op_text else ""
        rows = [f"<tr>{head}</tr>"] if head else []
        data_text, grad_text = texts.get(v, ("", "")) if texts is not None else ("", "")
        rows.append(f'<tr><td align="left"{span} id="{i}_data">{html(data_text or "data " + num(v.data))}</td></tr>')
        if show_grad:
            g = grad_of.get(v)
            shown_grad = grad_text or ("grad " + num(g) if g is not None else "grad")
            rows.append(f'<tr><td align="left"{span} id="{i}_grad">{html(shown_grad)}</td></tr>')
        table = '<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
        return f"<{table}{''.join(rows)}</table>>"

    def fill(v: Value) -> Attrs:
        if color_by == "role":
            return {"style": "rounded,filled", "fillcolor": ROLE_COLORS[_role(v, root, params)]}
        if color_by == "grad":
            g = grad_of.get(v)
            return {"style": "rounded,filled", "fillcolor": _grad_fill(abs(g) if g is not None else 0.0, largest_grad)}
        return {"style": "rounded"}

    clusters: dict[str, list[str]] = {}
    for v in order:
        if v in hidden:
            continue
        if v in folded:
            if group_out[folded[v]] is not v:
                continue
            node: Attrs = {"id": box[v], "label": cells(v, _shown(folded[v]), "", box[v]), "shape": "box"}
            node |= fill(v)
            node |= {"penwidth": "1.6"}
        elif _is_constant(v, root):
            node = {"id": box[v], "label": escape(num(v.data)), "shape": "plaintext", "fontcolor": "#555555",
                    "fontsize": "10"}  # fmt: skip
        else:
            name = names.get(v, v.label) if names is not None else v.label
            node = {"id": box[v], "label": cells(v, name, v.op.label if v.op is not None else "", box[v]), "shape": "box"}
            node |= fill(v)
        if v in highlight:
            node |= {"color": HIGHLIGHT, "penwidth": "2.5"}
        if value_style is not None and v in value_style:
            node |= value_style[v]
        lines.append(f"  {box[v]} {attrs(node)}")
        if v in groups and v not in folded:
            clusters.setdefault(groups[v], []).append(box[v])
    for group, members in clusters.items():
        lines.append(f'  subgraph cluster_{_ident(group)} {{ label="{escape(_shown(group))}" labeljust=l fontsize=10 '
                     f'fontname="Helvetica" fontcolor="#555555" style="rounded,filled" fillcolor="#f5f7fb" color="#c9d3e6" '
                     f'{"; ".join(members)} }}')  # fmt: skip
    for v in order:
        if v.op is None or (v in folded and group_out[folded[v]] is not v):
            if v.op is not None:  # inside a collapsed group: only edges from outside it, into its box
                for k, x in enumerate(v.inputs):
                    if folded.get(x) != folded[v] and x not in hidden:
                        lines.append(f"  {box[x]} -> {box[v]} [id=e{index[v]}_{k}]")
            continue
        for k, x in enumerate(v.inputs):
            if (v in folded and folded.get(x) == folded[v]) or x in hidden:
                continue  # inside the group
            edge: Attrs = {"id": f"e{index[v]}_{k}"}
            if grad_width and (v, k) in sent:
                edge["penwidth"] = _width(abs(sent[v, k]), largest_sent)
            if edge_labels is not None and (v, k) in edge_labels:
                edge |= {"label": escape(edge_labels[v, k]), "fontsize": "9", "fontcolor": "#444444"}
            if edge_style is not None and (v, k) in edge_style:
                edge |= edge_style[v, k]
            lines.append(f"  {box[x]} -> {box[v]} {attrs(edge)}")
    if legend:
        present = {_role(v, root, params) for v in drawn}
        lines += _legend(color_by, grad_width, present, largest_grad)
    lines.append("}")
    return "\n".join(lines)


def _shown(group: str) -> str:
    """A group's name as drawn: up to a '#', which may tell apart groups of one name (h1 of sample 2)."""
    return group.split("#", 1)[0]


def _ident(text: str) -> str:
    """A DOT identifier made from any text (a group name)."""
    return re.sub(r"\W", lambda m: f"_{ord(m[0]):x}_", text)


def _legend(color_by: ColorBy, grad_width: bool, present: set[str], largest_grad: float) -> list[str]:
    """One small node: a row of coloured cells naming the roles in the graph, or the shades of |grad| with
    the numbers they stand for (an HTML-like label)."""
    cells = []
    if color_by == "role":
        cells = [f'<td bgcolor="{colour}">{r}</td>' for r, colour in ROLE_COLORS.items() if r in present]
    elif color_by == "grad":
        top = largest_grad if largest_grad > 0 and math.isfinite(largest_grad) else 1.0
        cells = [f'<td bgcolor="{_grad_fill(t * top, top)}">|grad| {html(num(t * top, 3))}</td>' for t in (0.0, 0.5, 1.0)]
        cells.insert(0, "<td>shade ∝ |grad|:</td>")
    if grad_width:
        cells.append("<td>edge width ∝ |gradient sent back|</td>")
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
    rankdir: str = "auto",
    show_grad: bool = True,
    color_by: ColorBy = "role",
    grad_width: bool = False,
    params: Iterable[Value] = (),
    highlight: Iterable[Value] = (),
    names: Mapping[Value, str] | None = None,
    grads: Mapping[Value, float] | None = None,
    groups: Mapping[Value, str] | None = None,
    collapse: Iterable[str] = (),
    legend: bool = False,
    max_nodes: int | None = MAX_NODES,
) -> str:
    """The graph that computed `root`, as DOT text (standard library only; render it with `draw`).

    - `rankdir`: "auto" (left to right when that fits a notebook's width, else top to bottom), "LR", "TB".
    - `show_grad`: show each Value's grad under its data.
    - `color_by`: "role" fills boxes by role (`role`: input, parameter, intermediate, output; `params`
      says which leaves are parameters), "grad" by |grad|, None leaves them white.
    - `grad_width`: each edge as thick as the gradient backpropagation sends along it.
    - `highlight`: Values to outline in red.
    - `names`, `grads`: show these instead of the Values' labels and `.grad`.
    - `groups`, `collapse`: draw Values of one group (a neuron) in a frame; a collapsed group as one box.
    - `legend`: add a small key of colours. `max_nodes`: refuse graphs with more Values (None: no limit).

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> print(to_dot(x * x + 1, show_grad=False, color_by=None))
    digraph {
      rankdir=LR
      nodesep=0.18
      ranksep=0.3
      ordering=out
      node [fontname="Helvetica" fontsize=11 margin="0.06,0.03"]
      edge [arrowsize=0.6 color="#555555" fontname="Helvetica"]
      n0 [id=n0 label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td align="left"><b>x</b></td></tr><tr><td align="left" id="n0_data">data 3</td></tr></table>> shape=box style=rounded]
      n1 [id=n1 label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td align="right"><font color="#666666">*</font></td></tr><tr><td align="left" id="n1_data">data 9</td></tr></table>> shape=box style=rounded]
      n2 [id=n2 label="1" shape=plaintext fontcolor="#555555" fontsize=10]
      n3 [id=n3 label=<<table border="0" cellborder="0" cellspacing="0" cellpadding="1"><tr><td align="right"><font color="#666666">+</font></td></tr><tr><td align="left" id="n3_data">data 10</td></tr></table>> shape=box style=rounded]
      n0 -> n1 [id=e1_0]
      n0 -> n1 [id=e1_1]
      n1 -> n3 [id=e3_0]
      n2 -> n3 [id=e3_1]
    }
    """
    rankdir = choice("rankdir", rankdir, (*RANKDIRS, "auto"))
    if color_by is not None:
        choice("color_by", color_by, COLOR_BY)
    show_grad, grad_width = flag("show_grad", show_grad), flag("grad_width", grad_width)
    legend = flag("legend", legend)
    max_nodes = optional(integer, "max_nodes", max_nodes, low=1)
    params_set, highlight_set = _values("params", params), _values("highlight", highlight)
    order = _order(root, max_nodes)
    names = _labels("names", names, order, "str")
    if grads is not None:
        given = mapping("grads", grads, "a dict of Value -> float")
        grads = {v: real(f"grads[{shown(v)}]", given.get(v, 0.0), finite=False) for v in order}
    groups = _labels("groups", groups, order, "group name (str)")
    folded = _collapsed(collapse)
    return dot_source(
        root, order, rankdir=rankdir, show_grad=show_grad, color_by=color_by, grad_width=grad_width,
        params=params_set, highlight=highlight_set, names=names, grads=grads, groups=groups, collapse=folded,
        legend=legend,
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
    rankdir: str = "auto",
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


def html_summary(v: Value, max_nodes: int = 40) -> str:
    """A Value as Jupyter shows it: its graph drawn (grads included) when it has at most `max_nodes`
    Values and Graphviz is installed, with a line saying what it is; else that line alone.

    >>> from autograd import Value
    >>> y = Value(3.0, "x") * 2.0; y.label = "y"
    >>> html_summary(y, max_nodes=1)
    '<p><code>y</code> = 6 (grad 0), made by <code>*</code> from x and 2; its graph has 3 Values: <code>autograd.draw(y)</code> draws it.</p>'
    """
    order = topological_order(v)
    name = v.label or "this Value"
    made = "a leaf" if v.op is None else f"made by <code>{html(v.op.label)}</code> from " + " and ".join(
        html(x.label or num(x.data)) for x in v.inputs[:4]) + (", ..." if len(v.inputs) > 4 else "")  # fmt: skip
    line = (f"<code>{html(name)}</code> = {html(num(v.data))} (grad {html(num(v.grad))}), {made}; its graph has "
            f"{len(order)} Value{'s' if len(order) != 1 else ''}")  # fmt: skip
    if len(order) <= max_nodes and v.op is not None:
        try:
            svg = graphviz_source(dot_source(v, order)).pipe(format="svg").decode("utf-8")
        except (GraphvizMissingError, OSError, subprocess.CalledProcessError):
            pass
        else:
            return f"<div>{svg[svg.index('<svg'):]}<p>{line}.</p></div>"
    return f"<p>{line}: <code>autograd.draw({html(v.label or 'v')})</code> draws it.</p>"


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
