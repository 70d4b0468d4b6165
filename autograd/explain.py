"""Explain a backward pass: replay it one node at a time (`steps`), or show the total derivative of one
Value as a sum over paths (`paths`).

Both read the graph and keep their own gradients in a dict: they never change a `.grad`, so they work
on a graph whose grads are already computed. The replay runs exactly the engine's loop (`graph.backward`)
with the same op rules in the same order, so its final gradients equal `backward()`'s bit for bit.

A sigmoid neuron a = σ(w x + b) and the squared error E = ½ (t - a)²:

>>> from autograd import Value
>>> w, x, b, t = Value(2.0, "w"), Value(1.5, "x"), Value(-3.0, "b"), Value(1.0, "t")
>>> z = w * x + b; z.label = "z"
>>> a = z.sigmoid(); a.label = "a"
>>> E = 0.5 * (t - a) ** 2; E.label = "E"
>>> replay = steps(E)
>>> print(replay[3])
step 4 of 6: a = sigmoid(z) = 0.5; upstream dE/da = -0.5
  ∂a/∂z = (1 - a) * a = 0.25
  dE/dz += dE/da * ∂a/∂z = -0.5 * 0.25 = -0.125
>>> print(paths(w, E))
dE/dw: 1 path from w to E; each contributes the product of the local derivatives along it
  w → v4 → z → a → v7 → v8 → E
    ∂v4/∂w * ∂z/∂v4 * ∂a/∂z * ∂v7/∂a * ∂v8/∂v7 * ∂E/∂v8
    = 1.5 * 1 * 0.25 * (-1) * 1 * 0.5 = -0.1875
  sum over paths = -0.1875; the backward pass gives dE/dw = -0.1875

Here d is the total derivative (all paths from a Value to the root) and ∂ the local one (the op's rule,
with its other inputs held fixed). Unlabelled Values are named by their place in the topological order (v4, made fifth, is w * x), constants by
their value in parentheses, an unlabelled root L.
"""

from __future__ import annotations

import heapq
import math
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from . import rules, viz
from .checks import choice, flag, instance, integer, iterable, mapping, real, shown
from .graph import backward_steps, gradients, topological_order
from .ops import FLOAT_NAMES
from .value import Value

__all__ = ["Path", "Paths", "Step", "StepThrough", "Update", "local_formula", "names", "paths", "steps"]

_MAX_TERMS = 8  # an n-ary node's description lists at most this many terms


def _fmt(x: float) -> str:
    return viz.num(x, 6)


# ---------------------------------------------------------------------------------------------------
# Names and formulas


def names(root: Value, order: Sequence[Value] | None = None) -> dict[Value, str]:
    """A display name for every Value in the graph of `root`.

    A Value's label if it has one; when several share a label (one model's x1, h1, o1 for each sample
    of a batch), each is numbered by its turn, as the i-th training example is written: x1⁽¹⁾, x1⁽²⁾.
    Else ``L`` for the root, the number in parentheses for a constant, and ``v<i>`` (its place in
    topological order) for any other Value.

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> y = 2 * x + x
    >>> list(names(y).values())
    ['x', '(2)', 'v2', 'L']
    >>> a, b = Value(1.0, "x"), Value(2.0, "x")
    >>> list(names(a * b).values())
    ['x⁽¹⁾', 'x⁽²⁾', 'L']
    """
    root = instance("root", root, Value, "a Value")
    if order is None:
        order = topological_order(root)
    else:
        order = iterable("order", order, "a list of Values (the graph's topological order)")
        for i, v in enumerate(order):
            instance(f"order[{i}]", v, Value, "a Value")
    counts: dict[str, int] = {}
    for v in order:
        if v.label:
            counts[v.label] = counts.get(v.label, 0) + 1
    out: dict[Value, str] = {}
    turn: dict[str, int] = {}
    for i, v in enumerate(order):
        if v.label:
            turn[v.label] = turn.get(v.label, 0) + 1
            out[v] = v.label if counts[v.label] == 1 else f"{v.label}{_superscript(turn[v.label])}"
        elif v is root:
            out[v] = "L" if "L" not in counts else f"v{i}"
        elif v.op is None:
            out[v] = f"({_fmt(v.data)})"
        else:
            out[v] = f"v{i}"
    return out


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(k: int) -> str:
    return f"⁽{str(k).translate(_SUPERSCRIPT)}⁾"


def local_formula(v: Value, i: int, display: Mapping[Value, str] | None = None) -> str:
    """The local derivative d v/d (input i of v) as text, from the op's rule with names filled in.

    >>> from autograd import Value
    >>> z = Value(0.0, "z"); a = z.sigmoid(); a.label = "a"
    >>> local_formula(a, 0)
    '(1 - a) * a'
    >>> q = z ** 2; local_formula(q, 0)
    '2 * z'
    """
    v = instance("v", v, Value, "a Value")
    if v.op is None:
        raise _leaf(v)
    i = integer("i", i, low=0, high=len(v.inputs) - 1)
    if display is None:
        display = names(v)
    else:
        display = mapping("display", display, "a dict of Value -> name (as names() gives)")
        for u in (v, *v.inputs):
            if u not in display:
                raise ValueError(f"display has no name for {shown(u)}, {'v' if u is v else 'an input of v'}")
            instance(f"display[{shown(u)}]", display[u], str, "a str")
    return _formula(v, i, display)


def _leaf(v: Value) -> ValueError:
    return ValueError(f"v must be a Value an op made: {shown(v)} is a leaf, with no inputs, so no local "
                      "derivatives")  # fmt: skip


def _formula(v: Value, i: int, display: Mapping[Value, str]) -> str:
    """The op's rule for input i with g = 1 (`rules.unit_gradient`), its metadata put in and folded
    (`rules.substitute`), shown as a learner writes it (`rules.show`), in the display names."""
    op = v.op
    if op is None:
        raise _leaf(v)
    n = len(v.inputs)
    inputs = op.input_names(n if op.arity is None else None)
    slots = {x: f"_{k}_" for k, x in enumerate((*inputs, "out"))}  # placeholders: any display name fits
    constants = {**op.params, "THRESHOLD": FLOAT_NAMES["THRESHOLD"]}
    text = rules.show(rules.substitute(rules.unit_gradient(op.rules_for(n)[i]), {**constants, **slots}, FLOAT_NAMES))
    for u, slot in zip((*v.inputs, v), slots.values(), strict=True):
        name = display[u]
        text = re.sub(rf"\b{slot}\b", lambda _m: name, text)  # noqa: B023 -- used at once, in this iteration
    return text


def describe(v: Value, display: Mapping[Value, str]) -> str:
    """How `v` was computed, in its inputs' names: ``z = w * x``, ``a = sigmoid(z)``, ``x`` for a leaf.

    >>> from autograd import Value
    >>> w, x = Value(2.0, "w"), Value(3.0, "x")
    >>> y = (w * x).tanh(); y.label = "y"
    >>> describe(y, names(y)), describe(y.inputs[0], names(y))
    ('y = tanh(v2)', 'v2 = w * x')
    """
    if v.op is None:
        return display[v]
    return f"{display[v]} = {v.op.describe([display[x] for x in v.inputs], _MAX_TERMS)}"


# ---------------------------------------------------------------------------------------------------
# The step-through


@dataclass(frozen=True)
class Update:
    """One ``+=`` of a step: the gradient sent to one input of the node.

    ``contribution`` is what the engine adds (the op's rule applied to the upstream gradient), ``local``
    the local derivative d node/d input (the rule with upstream 1), ``before``/``after`` the input's
    running gradient around the ``+=``.
    """

    input: Value = field(repr=False)
    position: int
    name: str
    formula: str
    local: float
    contribution: float
    before: float
    after: float


@dataclass(frozen=True, eq=False)
class Step:
    """One node of a backward pass: its upstream gradient and what it adds into each of its inputs.

    ``str(step)`` gives the chain rule written out; ``step.draw()`` the graph at that moment.
    """

    index: int
    node: Value = field(repr=False)
    name: str
    expression: str
    upstream: float
    updates: tuple[Update, ...]
    trace: StepThrough = field(repr=False)

    def lines(self) -> list[str]:
        """The step as text: a header, then per input its local derivative and its ``+=``.

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); y = x * x; y.label = "y"
        >>> steps(y)[0].lines()[0]
        'step 1 of 1: y = x * x = 9; upstream dy/dy = 1'
        """
        r, me = self.trace.root_name, self.name
        out = [
            f"step {self.index + 1} of {len(self.trace)}: {self.expression} = {_fmt(self.node.data)}; "
            + f"upstream d{r}/d{me} = {_fmt(self.upstream)}"
        ]
        repeated = len({id(x) for x in self.node.inputs}) < len(self.node.inputs)
        for u in self.updates:
            value = "" if u.formula == _fmt(u.local) else f" = {_fmt(u.local)}"
            which = f"   (as input {u.position + 1})" if repeated else ""
            out.append(f"  ∂{me}/∂{u.name} = {u.formula}{value}{which}")
            out.append(
                f"  d{r}/d{u.name} += d{r}/d{me} * ∂{me}/∂{u.name} = "
                f"{_fmt(self.upstream)} * {_fmt(u.local)} = {_fmt(u.contribution)}"
            )
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def __repr__(self) -> str:
        return (
            f"<Step {self.index + 1} of {len(self.trace)}: {self.expression}, upstream {_fmt(self.upstream)}>"
        )

    def grads(self) -> dict[Value, float]:
        """Every Value's gradient as it stands right after this step (0 for one not reached yet).

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); y = 2 * x; z = y * y
        >>> [steps(z)[k].grads()[x] for k in (0, 1)]     # dz/dx = 2y * 2 = 24, added at step 2
        [0.0, 24.0]
        """
        return dict.fromkeys(self.trace.order, 0.0) | self.trace.initial | self._reached()

    def to_dot(self, *, rankdir: str = "auto", title: bool = True) -> str:
        """The graph at this step, as DOT text: nodes done (grey), this node and the inputs it updates in
        red (each edge labelled with its ``+=``), grads as they stand after this step (none on a Value
        not reached yet).

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); y = x.exp(); y.label = "y"
        >>> 'label="+= 20.09"' in steps(y)[0].to_dot()
        True
        """
        choice("rankdir", rankdir, (*viz.RANKDIRS, "auto"))
        title = flag("title", title)
        trace = self.trace
        value_style: dict[Value, viz.Attrs] = {}
        for step in trace.steps[: self.index]:
            value_style[step.node] = {"style": "rounded,filled", "fillcolor": "#e4e4e4"}
        for u in self.updates:
            value_style[u.input] = {"color": viz.HIGHLIGHT, "penwidth": "2"}
        value_style[self.node] = {"style": "rounded,filled", "fillcolor": "#ffe0e0", "color": viz.HIGHLIGHT,
                                  "penwidth": "3"}  # fmt: skip
        edge_style: dict[tuple[Value, int], viz.Attrs] = {}
        for u in self.updates:
            edge_style[self.node, u.position] = {
                "color": viz.HIGHLIGHT, "fontcolor": viz.HIGHLIGHT, "penwidth": "2.5",
                "label": f"+= {viz.num(u.contribution)}", "fontsize": "10",
            }  # fmt: skip
        text = viz.dot_source(
            trace.root, trace.order, rankdir=rankdir, names=trace.names, grads=self._reached(),
            value_style=value_style, edge_style=edge_style,
        )  # fmt: skip
        return _with_title(text, self.lines()) if title else text

    def _reached(self) -> dict[Value, float]:
        """The gradients as they stand after this step, of the Values reached so far only (the root, and
        every Value some step has added into)."""
        grads = {self.trace.root: self.trace.initial[self.trace.root]}
        for step in self.trace.steps[: self.index + 1]:
            for u in step.updates:
                grads[u.input] = u.after
        return grads

    def draw(self, *, rankdir: str = "auto", title: bool = True) -> Any:
        """The graph at this step as a `graphviz.Source` (shown inline in Jupyter), as `to_dot`."""
        return viz.graphviz_source(self.to_dot(rankdir=rankdir, title=title))


TITLE_WIDTH = 80
"""Characters per title line of a drawing: longer lines wrap (at 11 pt Courier, about 700 px)."""


def _with_title(dot_text: str, lines: Sequence[str]) -> str:
    """Put left-aligned text lines at the top of a DOT graph, each wrapped at TITLE_WIDTH characters (a
    drawing is as wide as its title: an unwrapped line would make it wider than a notebook)."""
    wrapped = [part for line in lines for part in (textwrap.wrap(line, TITLE_WIDTH, subsequent_indent="    ") or [""])]
    body = "".join(viz.escape(line) + "\\l" for line in wrapped)
    head, rest = dot_text.split("\n", 1)
    return (
        f'{head}\n  labelloc=t\n  labeljust=l\n  fontname="Courier"\n  fontsize=11\n  label="{body}"\n{rest}'
    )


class StepThrough(Sequence[Step]):
    """A backward pass replayed one node at a time: a sequence of `Step`, in the engine's order.

    ``grads`` holds the final gradients (equal to `backward()`'s), ``names`` the display names.
    """

    def __init__(self, root: Value, seed: float = 1.0) -> None:
        self.root = root = instance("root", root, Value, "a Value")
        self.seed = seed = real("seed", seed, finite=False)
        self.order = topological_order(root)
        self.names = names(root, self.order)
        self.root_name = self.names[root]
        # Every leaf starts at 0 (as after zero_grad()); an intermediate has no gradient until its first use
        # sends one; the root gets the seed. Then the engine's loop, as graph.backward_steps walks it.
        self.initial: dict[Value, float] = {v: 0.0 for v in self.order if v.op is None}
        self.initial[root] = self.initial.get(root, 0.0) + seed
        grads = dict(self.initial)
        built: list[Step] = []
        for step in backward_steps(root, 0.0, grads=grads):  # the seed is in `grads` already
            v = step.node
            updates = tuple(
                Update(x, i, self.names[x], _formula(v, i, self.names), step.local[i], step.sent[i],
                       0.0 if step.before[i] is None else step.before[i], step.after[i])
                for i, x in enumerate(v.inputs)
            )  # fmt: skip
            built.append(Step(len(built), v, self.names[v], describe(v, self.names), step.upstream, updates, self))
        self.steps: tuple[Step, ...] = tuple(built)
        self.grads: dict[Value, float] = {v: grads.get(v, 0.0) for v in self.order}

    @overload
    def __getitem__(self, i: int) -> Step: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Step]: ...
    def __getitem__(self, i: int | slice) -> Step | Sequence[Step]:
        return self.steps[i]

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __str__(self) -> str:
        r = self.root_name
        head = f"backward pass of {r}: {len(self)} steps; start with d{r}/d{r} = {_fmt(self.seed)}"
        leaves = [v for v in self.order if v.op is None and v.label]
        tail = "result: " + ", ".join(f"d{r}/d{self.names[v]} = {_fmt(self.grads[v])}" for v in leaves)
        return "\n".join([head, *(str(s) for s in self.steps), tail])

    def __repr__(self) -> str:
        return (
            f"<StepThrough of {self.root_name}: {len(self)} steps over {len(self.order)} Values; print() it for the "
            "text, or show it in Jupyter to step through it>"
        )

    def _repr_html_(self) -> str:
        """In Jupyter: the interactive step-through (`autograd.view`), forward and backward pass.

        (Imported here: the view is built on this module's steps, and drawing needs the optional graphviz.)
        """
        from .view import View

        return View(self, [], None, None, {}, set()).to_html(standalone=False)


def steps(root: Value, seed: float = 1.0) -> StepThrough:
    """Replay the backward pass from `root` one node at a time, without changing any `.grad`.

    Every gradient starts at 0 (as after ``zero_grad()``), the root's at `seed`; then, outputs before
    the Values they were made from, each node adds upstream × local derivative into each input.

    >>> from autograd import Value
    >>> x, y = Value(2.0, "x"), Value(5.0, "y")
    >>> f = x * y + x; f.label = "f"
    >>> for step in steps(f):
    ...     print(step)
    step 1 of 2: f = v2 + x = 12; upstream df/df = 1
      ∂f/∂v2 = 1
      df/dv2 += df/df * ∂f/∂v2 = 1 * 1 = 1
      ∂f/∂x = 1
      df/dx += df/df * ∂f/∂x = 1 * 1 = 1
    step 2 of 2: v2 = x * y = 10; upstream df/dv2 = 1
      ∂v2/∂x = y = 5
      df/dx += df/dv2 * ∂v2/∂x = 1 * 5 = 5
      ∂v2/∂y = x = 2
      df/dy += df/dv2 * ∂v2/∂y = 1 * 2 = 2
    """
    return StepThrough(root, seed)


# ---------------------------------------------------------------------------------------------------
# Paths


@dataclass(frozen=True, eq=False)
class Path:
    """One path from a Value to the root: its edges, the local derivative on each, their product."""

    nodes: tuple[Value, ...] = field(repr=False)
    positions: tuple[int, ...]  # positions[k]: which input of nodes[k + 1] nodes[k] is
    locals: tuple[float, ...]
    product: float
    names: tuple[str, ...]

    def lines(self) -> list[str]:
        """The path, the derivatives along it, and their product, as text lines.

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); y = x.exp().sin(); y.label = "y"
        >>> paths(x, y)[0].lines()[0]
        'x → v1 → y'
        """
        ns = self.names
        hops = []
        for k, pos in enumerate(self.positions):
            repeated = sum(1 for u in self.nodes[k + 1].inputs if u is self.nodes[k]) > 1
            hops.append(f" →(input {pos + 1}) " if repeated else " → ")
        route = ns[0] + "".join(h + n for h, n in zip(hops, ns[1:], strict=True))
        factors = " * ".join(f"∂{ns[k + 1]}/∂{ns[k]}" for k in range(len(self.positions)))
        numbers = " * ".join(_fmt(x) if k == 0 or x >= 0 else f"({_fmt(x)})" for k, x in enumerate(self.locals))
        if not self.positions:  # x is the root: d root/d root = 1
            return [route, f"= {_fmt(self.product)}"]
        if len(self.positions) == 1:
            return [route, factors, f"= {_fmt(self.product)}"]
        return [route, factors, f"= {numbers} = {_fmt(self.product)}"]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class Paths(Sequence[Path]):
    """Every path from `x` to `root` (up to a limit: then the largest contributions), with their sum.

    ``n_paths`` is the number of paths (exact, by dynamic programming); ``complete`` says whether all are
    listed; ``total`` is the sum of all paths' products (by dynamic programming when not all are
    listed); ``grad`` is d root/d x as the backward pass computes it.
    """

    def __init__(self, x: Value, root: Value, limit: int = 20) -> None:
        x, root = instance("x", x, Value, "a Value"), instance("root", root, Value, "a Value")
        limit = integer("limit", limit, low=1)
        self.x, self.root, self.limit = x, root, limit
        self.order = topological_order(root)
        self.names = names(root, self.order)
        self._grads = gradients(root)  # every Value's: the drawing shows them
        self.grad = self._grads.get(x, 0.0)
        self.n_paths, self.total, self.paths = _search(x, self.order, limit, self.names)
        self.complete = self.n_paths <= limit

    @overload
    def __getitem__(self, i: int) -> Path: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Path]: ...
    def __getitem__(self, i: int | slice) -> Path | Sequence[Path]:
        return self.paths[i]

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[Path]:
        return iter(self.paths)

    @property
    def shown_sum(self) -> float:
        """The sum of the listed paths' products (all paths' when `complete`)."""
        return math.fsum(p.product for p in self.paths)

    def lines(self) -> list[str]:
        """The explanation as text lines (``str(paths)`` joins them).

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); y = x * x; y.label = "y"
        >>> paths(x, y).lines()[0]
        'dy/dx: 2 paths from x to y; each contributes the product of the local derivatives along it'
        """
        r, x = self.names[self.root], self.names.get(self.x, self.x.label or "x")
        plural = "path" if self.n_paths == 1 else "paths"
        if self.n_paths == 0:
            return [f"d{r}/d{x} = 0: {r} does not depend on {x} (no path leads from {x} to {r})"]
        if self.complete:
            head = f"{plural} from {x} to {r}; each contributes the product of the local derivatives along it"
        else:
            head = f"paths from {x} to {r}, too many to list; the {len(self)} with the largest |product|:"
        out = [f"d{r}/d{x}: {self.n_paths:,} {head}"]
        for p in self.paths:
            out += ["  " + line if k == 0 else "    " + line for k, line in enumerate(p.lines())]
        if self.complete:
            out.append(
                f"  sum over paths = {_fmt(self.shown_sum)}; the backward pass gives d{r}/d{x} = {_fmt(self.grad)}"
            )
        else:
            rest = self.total - self.shown_sum
            out.append(
                f"  these {len(self)} sum to {_fmt(self.shown_sum)}; the other {self.n_paths - len(self):,} paths "
                f"contribute {_fmt(rest)}; all paths sum to {_fmt(self.total)}; the backward pass gives "
                f"d{r}/d{x} = {_fmt(self.grad)}"
            )
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_markdown_(self) -> str:
        """In Jupyter: the paths as a table in mathematical notation (LaTeX), and their sum."""
        r, x = self.names[self.root], self.names.get(self.x, self.x.label or "x")
        d = rf"\frac{{\mathrm{{d}}{rules.tex_name(r)}}}{{\mathrm{{d}}{rules.tex_name(x)}}}"
        if self.n_paths == 0:
            return f"${d} = 0$: {r} does not depend on {x} (no path leads from {x} to {r})."
        plural = "path" if self.n_paths == 1 else "paths"
        head = (f"${d}$: {self.n_paths:,} {plural} from ${rules.tex_name(x)}$ to ${rules.tex_name(r)}$; each contributes "
                "the product of the local derivatives along it" if self.complete else
                f"${d}$: {self.n_paths:,} paths, too many to list; the {len(self)} with the largest |product|")  # fmt: skip
        rows = ["| path | product of local derivatives | |", "|---|---|---|"]
        for p in self.paths:
            route = rules.tex_name(p.names[0])
            for k, pos in enumerate(p.positions):  # a Value used twice by one op: which use this path takes
                twice = sum(1 for u in p.nodes[k + 1].inputs if u is p.nodes[k]) > 1
                arrow = rf" \xrightarrow{{\text{{input {pos + 1}}}}} " if twice else r" \to "
                route += arrow + rules.tex_name(p.names[k + 1])
            factors = r" \cdot ".join(
                rf"\frac{{\partial {rules.tex_name(p.names[k + 1])}}}{{\partial {rules.tex_name(p.names[k])}}}"
                for k in range(len(p.positions))
            ) or "1"
            numbers = r" \cdot ".join(
                rules.LATEX.number(v) if k == 0 or v >= 0 else rf"\left({rules.LATEX.number(v)}\right)"
                for k, v in enumerate(p.locals)
            ) or "1"
            rows.append(f"| ${route}$ | ${factors} = {numbers}$ | $= {rules.LATEX.number(p.product)}$ |")
        total = self.shown_sum if self.complete else self.total
        tail = (f"Sum over paths $= {rules.LATEX.number(total)}$; the backward pass gives "
                f"${d} = {rules.LATEX.number(self.grad)}$.")  # fmt: skip
        return "\n".join([head + ".", "", *rows, "", tail])

    def __repr__(self) -> str:
        count = f"{self.n_paths:,} path{'' if self.n_paths == 1 else 's'}"
        return f"<Paths from {self.names.get(self.x, '?')} to {self.names[self.root]}: {count}, grad {_fmt(self.grad)}>"

    def to_dot(self, *, rankdir: str = "auto", title: bool = True) -> str:
        """The graph with the listed paths' edges and Values in red, as DOT text.

        >>> from autograd import Value
        >>> x = Value(3.0, "x"); y = x * x; y.label = "y"
        >>> paths(x, y).to_dot().count("color=\\"#d62728\\"")     # 2 edges; x and y outlined
        4
        """
        choice("rankdir", rankdir, (*viz.RANKDIRS, "auto"))
        title = flag("title", title)
        edge_style: dict[tuple[Value, int], viz.Attrs] = {}
        on_path: set[Value] = set()
        for p in self.paths:
            on_path.update(p.nodes)
            for k, pos in enumerate(p.positions):
                edge_style[p.nodes[k + 1], pos] = {"color": viz.HIGHLIGHT, "penwidth": "2.5"}
        value_style = {v: {"color": viz.HIGHLIGHT, "penwidth": "2"} for v in on_path}
        text = viz.dot_source(
            self.root, self.order, rankdir=rankdir, names=self.names, grads=self._grads,
            value_style=value_style, edge_style=edge_style,
        )  # fmt: skip
        return _with_title(text, self.lines()[:1] + self.lines()[-1:]) if title else text

    def draw(self, *, rankdir: str = "auto", title: bool = True) -> Any:
        """The graph with the listed paths highlighted, as a `graphviz.Source` (see `to_dot`)."""
        return viz.graphviz_source(self.to_dot(rankdir=rankdir, title=title))


# A partial path from x: (product, previous link, node, position), a linked list so that keeping the
# best k partial paths at each node costs O(k) memory per node, not O(k × length).
_Link = tuple[float, "Any", Value, int, float] | None  # (product, previous link, node, input, its local)


def _search(
    x: Value, order: Sequence[Value], limit: int, display: Mapping[Value, str]
) -> tuple[int, float, list[Path]]:
    """Count the paths x → root, sum their products, and keep the `limit` largest by |product|.

    Dynamic programming over the topological order: each node's count is the sum of its inputs'
    counts (never enumerating), its tangent the sum of local × input tangent (forward mode), and its
    best partial paths the best `limit` of its inputs' extended by one edge.
    """
    if x not in display:
        return 0, 0.0, []
    start = order.index(x)
    count: dict[Value, int] = {x: 1}
    tangent: dict[Value, float] = {x: 1.0}
    best: dict[Value, list[tuple[float, _Link]]] = {x: [(1.0, None)]}

    def size(p: float) -> float:
        return math.inf if math.isnan(p) else abs(p)

    for v in order[start + 1 :]:
        if v.op is None or not any(u in count for u in v.inputs):
            continue
        local = v.op.backward(1.0, *(u.data for u in v.inputs), v.data)
        n, t = 0, 0.0
        candidates: list[tuple[float, _Link]] = []
        for i, u in enumerate(v.inputs):
            if u not in count:
                continue
            n += count[u]
            t += local[i] * tangent[u]
            candidates += [(p * local[i], (p * local[i], link, v, i, local[i])) for p, link in best[u]]
        count[v], tangent[v] = n, t
        best[v] = heapq.nlargest(limit, candidates, key=lambda c: size(c[0]))
    root = order[-1]
    if root not in count:
        return 0, 0.0, []
    found = []
    for product, link in best[root]:
        hops: list[tuple[Value, int, float]] = []
        while link is not None:
            _, prev, v, i, local_i = link
            hops.append((v, i, local_i))
            link = prev
        hops.reverse()
        nodes = (x, *(v for v, _, _ in hops))
        locals_ = tuple(local_i for _, _, local_i in hops)
        found.append(
            Path(nodes, tuple(i for _, i, _ in hops), locals_, product, tuple(display[v] for v in nodes))
        )
    return count[root], tangent[root] if x is not root else 1.0, found


def paths(x: Value, root: Value, *, limit: int = 20) -> Paths:
    """The total derivative d root/d x as a sum over paths: every path from `x` to `root`, the local
    derivatives along it and their product; the products sum to the gradient.

    When there are more than `limit` paths, says how many (counted, not enumerated) and lists the
    `limit` with the largest |product|. Never changes a `.grad`.

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> y = x * x + x; y.label = "y"       # dy/dx = x + x + 1: three paths
    >>> p = paths(x, y)
    >>> p.n_paths, [q.product for q in p], p.grad
    (3, [3.0, 3.0, 1.0], 7.0)
    """
    return Paths(x, root, limit)
