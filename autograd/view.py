"""Watch backpropagation happen: an interactive step-through of a graph, in Jupyter or as a web page.

``view(root)`` lays the graph out once (Graphviz, as `viz` draws it) and plays it step by step: the
forward pass (each Value appears, with its op and numbers, in the order the engine made it), then the
backward pass (for each node, from the output down: its upstream gradient, each input's local derivative
from the op table, and the ``+=`` that adds upstream × local into the input's gradient, which fills in as
it is computed), then, given ``params`` and ``lr``, the gradient-descent update of each parameter. A
panel beside the graph writes the current step in mathematical notation.

Stepping only changes what the drawing shows (which boxes are visible, their numbers, which edges carry
a label, which box is highlighted), so it is instant. The page is one self-contained HTML document:
the SVG, a little CSS and plain JavaScript inlined, no network, no kernel; the same document is the
Jupyter display (``_repr_html_``, so it survives ``jupyter nbconvert --to html``) and the standalone
page ``save_html(path)`` writes. Its steps are read from `graph.backward_steps` (through
`explain.steps`), the same iterator as every other explanation.

Keys: → or n next, ← or p previous, space play/pause, Home and End; a collapsed neuron's box opens (its
weighted sum and activation) on a click.

>>> from autograd import Value
>>> w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-0.5, "b")
>>> y = (w * x + b).tanh(); y.label = "y"
>>> v = view(y)
>>> len(v), [f["phase"] for f in v.frames][:3], v.frames[-1]["title"]
(8, ['start', 'forward', 'forward'], 'backward: v3 = w * x')

The drawing needs Graphviz (``pip install graphviz`` and its ``dot`` program); building the steps does not.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import json
from collections.abc import Collection, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from . import checks, rules, viz
from .explain import StepThrough, describe
from .ops import FLOAT_NAMES
from .value import Value

__all__ = ["View", "view"]

_shown = itertools.count()  # how many views this process has shown: ids stay unique in one page


def view(
    root: Value,
    *,
    params: Iterable[Value] = (),
    lr: float | None = None,
    names: Mapping[Value, str] | None = None,
    groups: Mapping[Value, str] | None = None,
    collapse: Iterable[str] = (),
    seed: float = 1.0,
    max_nodes: int | None = viz.MAX_NODES,
) -> View:
    """The interactive step-through of `root`'s graph: forward pass, backward pass, and with `lr` the
    update w ← w − lr · dL/dw of each of `params` (gradient descent).

    `names` overrides the display names (default: labels, else v<i> by topological order); `groups` puts
    Values in named frames (a neuron's weighted sum and activation), and the groups in `collapse` are
    drawn as one box each (which opens on a click). See the module docstring.
    """
    root = checks.instance("root", root, Value, "a Value (the root of the graph to step through)")
    plist = [checks.instance(f"params[{i}]", p, Value, "a Value") for i, p in enumerate(checks.iterable("params", params))]
    lr = checks.optional(checks.real, "lr", lr, low=0.0, low_open=True)
    if lr is not None and not plist:
        raise ValueError("lr is given but no params: the update step needs the parameters to change")
    max_nodes = checks.optional(checks.integer, "max_nodes", max_nodes, low=1)
    advice = "too many to step through. Collapse neurons (groups=, collapse=) or step through one sample"
    order = viz._order(root, max_nodes, advice, "step through")
    names = viz._labels("names", names, order, "str")
    groups = viz._labels("groups", groups, order, "group name (str)")
    folded = viz._collapsed(collapse)
    return View(StepThrough(root, checks.real("seed", seed)), plist, lr, names, groups or {}, folded)


class View:
    """An interactive step-through (see the module docstring): ``frames`` (what each step shows, as JSON-
    ready dicts), ``to_html()`` (the self-contained document), ``save_html(path)``, and the Jupyter display.
    """

    def __init__(
        self,
        trace: StepThrough,
        params: list[Value],
        lr: float | None,
        names: Mapping[Value, str] | None,
        groups: Mapping[Value, str],
        collapse: Collection[str],
    ) -> None:
        self.trace = trace
        self.root = trace.root
        self.order = trace.order
        self.index = {v: i for i, v in enumerate(self.order)}
        self.names = {**trace.names, **(names or {})}
        self.params = [p for p in params if p in self.index]
        self.lr = lr
        self.groups = dict(groups)
        self.collapse = set(collapse)
        self.frames: list[dict[str, Any]] = []
        self._widest: dict[int, list[str]] = {}  # per box: its longest data and grad texts, for the layout
        self._labels: dict[str, str] = {}  # per edge: its longest label, for the layout
        self._build()
        self._svg: str | None = None

    # -----------------------------------------------------------------------------------------------
    # The frames

    def _id(self, v: Value) -> str:
        return f"n{self.index[v]}"

    def _name(self, v: Value) -> str:
        return rules.math_name(self.names[v])

    def _is_constant(self, v: Value) -> bool:
        return viz._is_constant(v, self.root)

    def _text(self, v: Value, kind: str, text: str) -> str:
        slot = self._widest.setdefault(self.index[v], ["", ""])
        k = 0 if kind == "data" else 1
        if len(text) > len(slot[k]):
            slot[k] = text
        return text

    def _frame(self, phase: str, title: str, panel: str, **changes: Any) -> None:
        frame: dict[str, Any] = {"phase": phase, "title": title, "panel": panel}
        frame.update({k: v for k, v in changes.items() if v})
        self.frames.append(frame)

    def _build(self) -> None:
        order, root = self.order, self.root
        self._frame(
            "start", "the leaves",
            "<p>The leaves: inputs, parameters and constants. <b>Next</b> (→) runs the forward pass, one op at a "
            "time, in the order the Values were made.</p>",
            data={self._id(v): self._text(v, "data", f"data {viz.num(v.data)}") if v.op is None else "data"
                  for v in order},  # a Value the forward pass has not made yet shows no number
            grad={self._id(v): self._text(v, "grad", "grad") for v in order},
            hide=[self._id(v) for v in order if v.op is not None],
        )  # fmt: skip
        for v in order:  # the forward pass
            if v.op is None:
                continue
            line = f"<math display='block'>{self._name(v)}<mo>=</mo>{self._forward(v, False)}</math>"
            line += f"<math display='block'><mo>=</mo>{self._forward(v, True)}<mo>=</mo>{rules.math_number(v.data)}</math>"
            self._frame(
                "forward", f"forward: {describe(v, self.names)}",
                f"<p class='crv-what'>forward: {_html(v.op.label)} makes {_html(self.names[v])}</p>{line}",
                show=[self._id(v)], data={self._id(v): self._text(v, "data", f"data {viz.num(v.data)}")},
                current=self._id(v), inputs=[self._id(x) for x in v.inputs if not self._is_constant(x)],
            )  # fmt: skip
        r = self._name(root)
        seed = self.trace.initial[root]
        self._frame(
            "backward", "backward: start at the output",
            f"<p class='crv-what'>backward: start at the output</p><math display='block'><mfrac><mrow>{_D}{r}"
            f"</mrow><mrow>{_D}{r}</mrow></mfrac><mo>=</mo>{rules.math_number(seed)}</math>"
            "<p>Then, for each node from the output down, the chain rule: what the node's gradient is, times the "
            "local derivative of each input, is added into that input's gradient.</p>",
            grad={self._id(root): self._text(root, "grad", f"grad {viz.num(seed)}")}, current=self._id(root),
        )  # fmt: skip
        uses = collections.Counter(x for u in order for x in u.inputs)  # how many += each Value receives
        seen: dict[Value, int] = {}
        done: list[str] = []
        for step in self.trace:
            v = step.node
            edges: dict[str, str] = {}
            grads: dict[str, str] = {}
            panel: list[str] = []
            partial: list[str] = []
            complete: list[str] = []
            for u in step.updates:
                x = u.input
                if self._is_constant(x):
                    continue  # no derivative with respect to a constant
                seen[x] = seen.get(x, 0) + 1
                eid = f"e{self.index[v]}_{u.position}"
                label = f"∂ {viz.num(u.local)}\n+= {viz.num(u.contribution)}"
                edges[eid] = label
                if len(label) > len(self._labels.get(eid, "")):
                    self._labels[eid] = label
                grads[self._id(x)] = self._text(x, "grad", f"grad {viz.num(u.after)}")
                (complete if seen[x] == uses[x] else partial).append(self._id(x))
                panel.append(self._chain(step, u, seen[x], uses[x]))
            partial = [i for i in dict.fromkeys(partial) if i not in complete]  # as it stands after this step
            upstream = (f"<math><mfrac><mrow>{_D}{r}</mrow><mrow>{_D}{self._name(v)}</mrow></mfrac><mo>=</mo>"
                        f"{rules.math_number(step.upstream)}</math>")  # fmt: skip
            self._frame(
                "backward", f"backward: {step.expression}",
                f"<p class='crv-what'>backward: {_html(step.expression)}; its gradient {upstream} is complete (every "
                f"use of it came first)</p><table class='crv-chain'>{''.join(panel)}</table>",
                grad=grads, current=self._id(v), inputs=list(grads), edges=edges, done=done[:],
                partial=partial, complete=complete,
            )  # fmt: skip
            done.append(self._id(v))
        if self.lr is not None:
            final = self.trace.grads
            for p in self.params:
                new = p.data - self.lr * final[p]
                pn = self._name(p)
                line = (
                    f"<math display='block'>{pn}<mo>←</mo>{pn}<mo>−</mo><mi>η</mi><mfrac><mrow>{_D}{r}</mrow>"
                    f"<mrow>{_D}{pn}</mrow></mfrac><mo>=</mo>{rules.math_number(p.data)}<mo>−</mo>"
                    f"{rules.math_number(self.lr)}<mo>×</mo>{_paren(final[p])}<mo>=</mo>{rules.math_number(new)}</math>"
                )  # fmt: skip
                self._frame(
                    "update", f"update {self.names[p]}",
                    f"<p class='crv-what'>update: gradient descent with learning rate η = {viz.num(self.lr)}</p>{line}",
                    data={self._id(p): self._text(p, "data", f"data {viz.num(new)} (was {viz.num(p.data)})")},
                    current=self._id(p), done=done[:],
                )  # fmt: skip

    def _forward(self, v: Value, numbers: bool) -> str:
        """How v is computed from its inputs, in their names or their numbers, as MathML."""
        op = v.op
        assert op is not None  # only nodes an op made
        slots = [f"_{k}_" for k in range(len(v.inputs))]
        text = op.describe(slots, max_terms=10**6)  # the op table's own reading of the node
        names = dict(zip(slots, (self.names[x] for x in v.inputs), strict=True))
        if numbers:
            return rules.mathml(text, numbers=dict(zip(slots, (x.data for x in v.inputs), strict=True)))
        return rules.mathml(text, names=names)

    def _chain(self, step: Any, u: Any, k: int, n: int) -> str:
        """One += of a backward step, as a row of MathML: the local derivative from the op's rule, the chain
        rule with its numbers, and for an input used more than once, its running sum (the total derivative)."""
        v, x, r = step.node, u.input, self._name(self.root)
        me, them = self._name(v), self._name(x)
        d = f"<mfrac><mrow>{_D}{r}</mrow><mrow>{_D}{{}}</mrow></mfrac>"
        local = f"<mfrac><mrow><mo>∂</mo>{me}</mrow><mrow><mo>∂</mo>{them}</mrow></mfrac>"
        formula = _formula_mathml(v, u.position, self.names)
        value = "" if formula == rules.math_number(u.local) else f"<mo>=</mo>{rules.math_number(u.local)}"
        chain = (f"<math>{d.format(them)}<mo>+=</mo>{d.format(me)}<mo>·</mo>{local}<mo>=</mo>"
                 f"{rules.math_number(step.upstream)}<mo>×</mo>{_paren(u.local)}<mo>=</mo>"
                 f"{rules.math_number(u.contribution)}</math>")  # fmt: skip
        cells = [f"<math>{local}<mo>=</mo>{formula}{value}</math>", chain]
        if n > 1:
            before = "" if k == 1 else f"{rules.math_number(u.before)}<mo>+</mo>{_paren(u.contribution)}<mo>=</mo>"
            total = f"<math>{d.format(them)}<mo>=</mo>{before}{rules.math_number(u.after)}</math>"
            cells.append(f"{total} <span class='crv-use'>use {k} of {n}{': complete' if k == n else ''}</span>")
        else:
            cells.append("")
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"

    # -----------------------------------------------------------------------------------------------
    # The drawing and the page

    def dot(self) -> str:
        """The DOT text laid out once: every box as wide as its widest text, every edge with room for its label."""
        order = self.order
        texts = {v: (w[0], w[1]) for v in order if (w := self._widest.get(self.index[v]))}
        labels = {}
        for eid, label in self._labels.items():
            i, k = eid[1:].split("_")
            labels[order[int(i)], int(k)] = label
        return viz.dot_source(
            self.root, order, names=self.names, params=set(self.params), groups=self.groups, collapse=self.collapse,
            edge_labels=labels, texts=texts,
        )  # fmt: skip

    def svg(self) -> str:
        """The graph as SVG, laid out by Graphviz (computed once, then kept)."""
        if self._svg is None:
            text = viz.graphviz_source(self.dot()).pipe(format="svg").decode("utf-8")
            self._svg = text[text.index("<svg") :]
        return self._svg

    def _data(self) -> dict[str, Any]:
        folded = {v: g for v, g in self.groups.items() if g in self.collapse}
        # a Value drawn inside another box, as the drawing places it: a collapsed neuron's members, its weights
        within = folded | viz._inside_groups(self.order, self.params, folded)
        boxes = {self._id(v): f"g_{viz._ident(g)}" for v, g in within.items()}
        inside: dict[str, list[list[str]]] = {}
        for v, g in folded.items():
            inside.setdefault(f"g_{viz._ident(g)}", []).append([self._id(v), self.names[v]])
        return {"frames": self.frames, "boxes": boxes, "inside": inside}

    def to_html(self, *, standalone: bool = True) -> str:
        """The step-through as one self-contained HTML document (a full page, or a fragment for Jupyter)."""
        payload = json.dumps(self._data(), separators=(",", ":"), ensure_ascii=False)
        key = hashlib.sha1((payload + self.dot()).encode()).hexdigest()[:10]
        uid = f"crv-{key}-{next(_shown)}"
        safe = payload.replace("</", "<\\/")  # the JSON may not close the <script> it sits in
        css = resources.files(__package__).joinpath("view.css").read_text(encoding="utf-8").replace("#crv", f"#{uid}")
        js = resources.files(__package__).joinpath("view.js").read_text(encoding="utf-8")
        body = f"""<div class="crv" id="{uid}" tabindex="0" aria-label="step-through of backpropagation: arrow keys to step">
<style>{css}</style>
<div class="crv-controls">
<button type="button" data-act="home" title="first step (Home)" aria-label="first step">|◀</button>
<button type="button" data-act="prev" title="previous step (←)" aria-label="previous step">◀</button>
<button type="button" data-act="play" title="play or pause (space)" aria-label="play">▶ play</button>
<button type="button" data-act="next" title="next step (→)" aria-label="next step">▶</button>
<button type="button" data-act="end" title="last step (End)" aria-label="last step">▶|</button>
<input type="range" class="crv-slider" min="0" max="{len(self.frames) - 1}" value="0" aria-label="step">
<span class="crv-count"></span> <span class="crv-phase"></span>
</div>
<div class="crv-panel" aria-live="polite"></div>
<div class="crv-graph">{self.svg()}</div>
<script type="application/json" class="crv-data">{safe}</script>
<script>{js}
chainruleView(document.getElementById("{uid}"));</script>
</div>"""
        if not standalone:
            return body
        title = _html(f"backpropagation of {self.names[self.root]}, step by step")
        return (
            f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>\n<body>\n{body}\n</body></html>\n'
        )

    def _repr_html_(self) -> str:
        return self.to_html(standalone=False)

    def save_html(self, path: str | Path) -> Path:
        """Write the standalone page (one file: open it from disk or put it on a web page)."""
        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be a file name (a str or a pathlib.Path), got {type(path).__name__}")
        target = Path(path)
        target.write_text(self.to_html(), encoding="utf-8")
        return target

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        counts = {p: sum(1 for f in self.frames if f["phase"] == p) for p in ("forward", "backward", "update")}
        return (
            f"<View of {self.names[self.root]}: {counts['forward']} forward, {counts['backward']} backward, "
            f"{counts['update']} update steps; shown interactively in Jupyter, or .save_html(path)>"
        )


_D = "<mi mathvariant='normal'>d</mi>"  # d: the total derivative (every path); ∂ the local one (one op)


def _html(text: str) -> str:
    from html import escape

    return escape(text, quote=True)


def _paren(x: float) -> str:
    """A number as MathML, in parentheses when negative (after an operator)."""
    n = rules.math_number(x)
    return f"<mo>(</mo>{n}<mo>)</mo>" if x < 0 else n


def _formula_mathml(v: Value, i: int, display: Mapping[Value, str]) -> str:
    """The local derivative ∂v/∂(input i) from the op's rule, in the Values' names, as MathML."""
    op = v.op
    assert op is not None  # only nodes an op made
    n = len(v.inputs)
    inputs = op.input_names(n if op.arity is None else None)
    constants = {**op.params, "THRESHOLD": FLOAT_NAMES["THRESHOLD"]}
    rule = rules.substitute(rules.unit_gradient(op.rules_for(n)[i]), constants)
    names = dict(zip(inputs, (display[x] for x in v.inputs), strict=True)) | {"out": display[v]}
    return rules.mathml(rule, names=names)
