"""Check a learner's hand computation against the engine: the "your turn" cells of the lessons.

A learner works out a local derivative, the links of a chain, a gradient or an update on paper; a checker
compares it with the engine's numbers (the op table's rules, the backward pass, the sum over paths) and
answers with a `Feedback`: ``.correct``, and a ``.message`` that says what is right and, if not, where the
mistake is: which link of a chain, a sign slip, a missing link, a forgotten path. Printed, it is text; in
Jupyter it is Markdown with LaTeX. Nothing here changes a ``.grad``.

A learner's session: one sigmoid neuron a = σ(w x + b) and its error E = ½ (t - a)².

>>> from autograd import Value
>>> w, x, b, t = Value(2.0, "w"), Value(1.5, "x"), Value(-3.0, "b"), Value(1.0, "t")
>>> z = w * x + b; z.label = "z"
>>> a = z.sigmoid(); a.label = "a"
>>> E = 0.5 * (t - a) ** 2; E.label = "E"
>>> print(check_local(a, z, 0.25))                    # σ'(z) = a (1 - a) = ½ · ½
✓ Right: ∂a/∂z = (1 - a) * a = 0.25.
>>> print(check_chain(E, {"dE/da": -0.5, "da/dz": 0.25, "dz/dw": 1.0}))    # forgot the x in dz/dw
✗ The link dz/dw is wrong: you wrote 1; it is x = 1.5.
  dE/dw = dE/da · ∂a/∂z · dz/dw
  ✓ dE/da = (0.5) · (2 * v7) · (-1) = -0.5   (a → v7 → v8 → E)
  ✓ ∂a/∂z = (1 - a) * a = 0.25
  ✗ dz/dw = x = 1.5, not 1   (w → v4 → z)
  With it, the product is -0.5 · 0.25 · 1.5 = -0.1875 = dE/dw.
>>> print(check_gradient(w, E, 0.1875))              # a = 1/(1 + e^(w·x+b)) by mistake: a sign slip
✗ Sign slip: your 0.1875 is -dE/dw; dE/dw = -0.1875.
  Negative links between w and E: ∂v7/∂a = -1 (v7 = t - a). Check each link's sign with check_chain.
>>> w.grad = -0.1875                                 # as E.backward() leaves it
>>> print(check_update(w, 0.1, 2.019))               # w_new = w - lr · dE/dw
✓ Right to the 4 significant digits you gave: w - lr · grad = 2 - 0.1 · (-0.1875) = 2.01875 (you wrote 2.019).

A "your turn" cell holds ``...`` where the learner's number goes, so it runs before anyone fills it in:

>>> print(check_local(a, z, ...))
… Your turn: replace the ... with your number for ∂a/∂z.

Two numbers agree when they are within ``rel_tol`` (relative, 1e-6 by default) or ``abs_tol`` (1e-12) of
each other, or when the learner's number is the engine's rounded to the digits typed (at least 2
significant digits): learners type 0.2387, not 0.23866249. The message says when an answer is right only
to rounding. Names are those of `autograd.explain.names` (labels; ``v<i>`` for an unlabelled Value, a
constant in parentheses), so they match the step-through and the drawings.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import EllipsisType
from typing import Any

from . import rules, viz
from .checks import instance, iterable, optional, real, shown
from .explain import Path, describe, local_formula, names, paths
from .graph import backward_steps, topological_order
from .value import Value

__all__ = ["Feedback", "Link", "check_chain", "check_gradient", "check_local", "check_update"]

_MIN_DIGITS = 2  # a rounded answer counts only with at least this many significant digits (0.2 tells little)
_TYPED_DIGITS = 10  # an answer with more significant digits than this was computed, not typed: show 6
_MAX_SUBSET_PATHS = 12  # try every subset of at most this many paths (2^12 sums); beyond, only near-full ones
_LISTED_TERMS = 4  # a link across several paths shows each path's product when there are at most this many
_LISTED_PATHS = 4  # an answer not recognised is shown the sum over paths in full when there are this few
_PATH_LIMIT = 20  # as explain.paths: beyond this many paths, they are counted, not listed


# ---------------------------------------------------------------------------------------------------
# Text that is also Markdown with LaTeX


@dataclass(frozen=True)
class _M:
    """A piece of mathematics: as plain text, and as LaTeX for the rich display."""

    text: str
    tex: str

    def __add__(self, other: _M | str) -> _M:
        if isinstance(other, str):
            return _M(self.text + other, self.tex + _tex_text(other))
        return _M(self.text + other.text, self.tex + other.tex)


_Part = str | _M


@dataclass(frozen=True)
class _Line:
    """One line of feedback: level 0 a paragraph, 1 an item under it; `pre` lines are shown as they are."""

    level: int
    parts: tuple[_Part, ...]
    pre: bool = False

    def text(self) -> str:
        return "  " * self.level + "".join(p if isinstance(p, str) else p.text for p in self.parts)

    def markdown(self) -> str:
        if self.pre:
            return self.text()
        body = "".join(_md_escape(p) if isinstance(p, str) else f"${p.tex}$" for p in self.parts)
        return ("- " if self.level else "") + body


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>#|$])", r"\\\1", text)


def _tex_text(text: str) -> str:
    """Plain characters as LaTeX: the few specials escaped, arrows and dots as symbols."""
    out = rules._tex_escape(text.replace("\\", r"\backslash "))
    return out.replace("→", r"\to ").replace("·", r"\cdot ").replace("^", r"\hat{}").replace("~", r"\sim ")


def _num(x: float, digits: int = 6) -> _M:
    return _M(viz.num(x, digits), rules.LATEX.number(x, digits))


def _name(name: str) -> _M:
    return _M(name, rules.tex_name(name))


def _d(top: str, bottom: str, partial: bool = False) -> _M:
    """∂top/∂bottom (one op: the local derivative) or dtop/dbottom (all paths: the total derivative)."""
    t, b = rules.tex_name(top), rules.tex_name(bottom)
    if partial:
        return _M(f"∂{top}/∂{bottom}", rf"\partial {t}/\partial {b}")
    return _M(f"d{top}/d{bottom}", rf"\mathrm{{d}}{t}/\mathrm{{d}}{b}")


# ---------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, eq=False)
class Link:
    """One link of a chain: d top/d bottom as the engine has it, and the learner's number for it.

    A link across one op is the local derivative ∂top/∂bottom: ``formula`` is the op's rule in the graph's
    names (when `bottom` is several inputs of `top`, the sum over its uses). A link across several ops is
    the total derivative dtop/dbottom: the product of the local derivatives along the one path between
    them (``formula`` their rules, root first; ``route`` the path), or a sum over several paths.
    ``verdict`` compares the learner's number ``given``: "right", "rounded", "sign", "one_use",
    "forgotten_paths" or "wrong" ("" when no number was given).
    """

    top: Value = field(repr=False)
    bottom: Value = field(repr=False)
    name: str
    formula: str
    value: float
    route: str = ""
    position: int | None = None  # one use of an input the op takes several times (x * x): which one
    n_paths: int = 1  # how many paths lead from bottom to top
    given: float | None = None
    verdict: str = ""
    _symbol: _M = field(default=_M("", ""), repr=False)
    _rule: _M = field(default=_M("", ""), repr=False)
    _known: tuple[tuple[str, float], ...] = field(default=(), repr=False)  # the formula's names and values

    def math(self, digits: int = 6) -> _M:
        """``∂o1/∂net_o1 = (1 - o1) * o1 = 0.238662`` (the formula left out when it is the number)."""
        return self._symbol + " = " + self.rule(digits)

    def rule(self, digits: int = 6) -> _M:
        """``(1 - o1) * o1 = 0.238662``: the formula and its number, or the number alone when they are one."""
        value = _num(self.value, digits)
        if self.formula in (value.text, f"({value.text})"):  # 1, or a constant named (3)
            return value
        return self._rule + " = " + value

    def __str__(self) -> str:
        return self.math().text


@dataclass(frozen=True, eq=False, repr=False)
class Feedback:
    """A checker's answer: ``correct``, the ``message`` a learner reads, and what it is based on.

    ``kind`` names the verdict: "right"; "rounded" (right to the digits given); "sign" (the negative of the
    right number); "wrong_link" (a chain with a wrong link: ``wrong_link``, the first from the root down);
    "one_use" (a local derivative that counts one of several uses of an input); "missing_link" /
    "extra_link" (a gradient with one link left out, or multiplied in once more: ``wrong_link``);
    "stopped_early" (a gradient that is only part of the chain: ``wrong_link`` the part left out);
    "one_path" / "forgotten_paths" (a total derivative that adds only some of the paths: ``missing_paths``);
    "uphill", "missing_lr", "step" (updates); "wrong" (none of these); "unanswered" (a ``...`` left where
    the learner's number goes: a "your turn" cell runs before it is filled in). ``expected`` is the engine's number,
    ``answer`` the learner's (for a chain, the product of the numbers given), ``links`` the links checked.
    """

    correct: bool
    kind: str
    answer: float
    expected: float
    wrong_link: Link | None = None
    links: tuple[Link, ...] = ()
    missing_paths: tuple[Path, ...] = ()
    _lines: tuple[_Line, ...] = field(default=(), repr=False)

    @property
    def message(self) -> str:
        """The feedback as plain text, one line per point."""
        return "\n".join(line.text() for line in self._lines)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        head = self._lines[0].text() if self._lines else self.kind
        return f"<Feedback ({self.kind}): {head}>"

    def _repr_markdown_(self) -> str:
        """Jupyter's rich display: the message as Markdown, the mathematics in LaTeX."""
        out: list[str] = []
        pre = False
        for line in self._lines:
            if line.pre != pre:
                out.append("```text" if line.pre else "```")
                pre = line.pre
            elif not line.level and out:
                out.append("")
            out.append(line.markdown())
        return "\n".join([*out, "```"] if pre else out)


# ---------------------------------------------------------------------------------------------------
# Comparing numbers


@dataclass(frozen=True)
class _Tolerance:
    rel: float
    abs: float


def _tolerance(rel_tol: object, abs_tol: object) -> _Tolerance:
    return _Tolerance(real("rel_tol", rel_tol, low=0.0), real("abs_tol", abs_tol, low=0.0))


def _typed(answer: float) -> tuple[int, float] | None:
    """The significant digits of `answer` as typed (its shortest repr, trailing zeros dropped) and half a
    unit of its last digit; None for 0."""
    d = Decimal(repr(answer)).normalize()
    exponent = d.as_tuple().exponent
    if d.is_zero() or not isinstance(exponent, int):
        return None
    return len(d.as_tuple().digits), 0.5 * 10.0**exponent


def _match(answer: float, target: float, tol: _Tolerance) -> str | None:
    """ "exact" (within the tolerance), "rounded" (`target` rounded to the digits of `answer`), or None."""
    if math.isclose(answer, target, rel_tol=tol.rel, abs_tol=tol.abs):
        return "exact"
    typed = _typed(answer)
    if typed is not None and typed[0] >= _MIN_DIGITS and abs(answer - target) <= typed[1] * (1 + 1e-9):
        return "rounded"
    return None


def _digits(answer: float, *others: float) -> int:
    """How many significant digits to show numbers with: 6, or one more than the learner typed, and enough
    that the answer and each different number in `others` do not look the same (unless they are the same
    to rounding: a right answer one ulp off is not shown with 17 digits)."""
    typed = _typed(answer)
    n = max(6, typed[0] + 1) if typed and typed[0] <= _TYPED_DIGITS else 6
    differ = [o for o in others if not math.isclose(o, answer, rel_tol=1e-12, abs_tol=1e-300)]
    while n < 17 and any(viz.num(o, n) == viz.num(answer, n) for o in differ):
        n += 1
    return n


def _yours(answer: float, digits: int) -> _M:
    """The learner's number as typed (as computed, when it has more digits than anyone types)."""
    typed = _typed(answer)
    if not (typed and typed[0] <= _TYPED_DIGITS):
        return _num(answer, digits)
    whole = len(str(int(abs(answer)))) if abs(answer) >= 1 else 1  # 30.0 is "30", not "3e+01"
    return _num(answer, max(typed[0], whole))


def _rounded(answer: float) -> str:
    typed = _typed(answer)
    n = typed[0] if typed else 0
    return f"✓ Right to the {n} significant digit{'s' if n != 1 else ''} you gave: "


# ---------------------------------------------------------------------------------------------------
# The graph as the checkers read it: names, the engine's local derivatives and gradients


def _your_turn(what: _M, expected: float, links: tuple[Link, ...] = ()) -> Feedback:
    """The answer to a "your turn" cell not filled in yet: ``...`` where the learner's number goes."""
    line = _say(0, "… Your turn: replace the ... with your number for {what}.", what=what)
    return Feedback(False, "unanswered", math.nan, expected, None, links, (), (line,))


class _Graph:
    def __init__(self, root: Value, role: str = "root") -> None:
        self.root, self.role = root, role  # role: what the caller calls the root, for messages
        self.order = topological_order(root)
        self.names = names(root, self.order)
        self.by_name = {n: v for v, n in self.names.items()}
        self.root_name = self.names[root]
        grads: dict[Value, float] = {}
        self.local: dict[Value, tuple[float, ...]] = {}
        for step in backward_steps(root, 1.0, grads=grads):  # the engine's pass: d root/d v for every v
            self.local[step.node] = step.local
        self.adjoint = {v: grads.get(v, 0.0) for v in self.order}
        self._rules: dict[tuple[Value, int], tuple[_M, tuple[Value, ...]]] = {}

    def resolve(self, what: str, ref: object) -> Value:
        """A Value of the graph given as itself or by its name."""
        if isinstance(ref, Value):
            if ref not in self.names:
                raise ValueError(f"{what}: {shown(ref)} is not in the graph of {self.role} {self.root_name}")
            return ref
        if not isinstance(ref, str):
            raise TypeError(f"{what} must be a Value or a name (str), got {type(ref).__name__}: {shown(ref)}")
        if ref in self.by_name:
            return self.by_name[ref]
        graph = f"the graph of {self.role} {self.root_name}"
        same = [self.names[v] for v in self.order if v.label == ref]
        if same:
            raise ValueError(
                f"{what}: {ref!r} is the label of {len(same)} Values in {graph}; name one of them "
                f"({', '.join(same[:6])}) or pass the Value itself"
            )
        known = list(self.by_name)
        listed = ", ".join(known[:15]) + (f", ... ({len(known)} names)" if len(known) > 15 else "")
        raise ValueError(f"{what}: no Value named {ref!r} in {graph}; its names: {listed}")

    def _slots(self, v: Value) -> dict[Value, str]:
        return {u: f"_slot{k}_" for k, u in enumerate(dict.fromkeys((*v.inputs, v)))}

    def _fill(self, raw: str, slots: Mapping[Value, str]) -> _M:
        """A formula written in slot names, in display names (text) and in LaTeX."""
        back = {s: u for u, s in slots.items()}
        text = re.sub(r"\b_slot\d+_\b", lambda m: self.names[back[m[0]]], raw)
        try:
            tex = rules.latex(raw, names={s: self.names[u] for u, s in slots.items()})
        except SyntaxError:  # not a formula (a text the engine wrote): shown as text
            tex = rf"\text{{{rules._tex_escape(text)}}}"
        return _M(text, tex)

    def rule(self, v: Value, i: int) -> tuple[_M, tuple[Value, ...]]:
        """The local derivative ∂v/∂(input i) as text and LaTeX, and the Values its formula uses."""
        if (v, i) not in self._rules:
            slots = self._slots(v)
            raw = local_formula(v, i, slots)
            used = tuple(u for u, s in slots.items() if re.search(rf"\b{s}\b", raw))
            self._rules[v, i] = (self._fill(raw, slots), used)
        return self._rules[v, i]

    def made(self, v: Value) -> _M:
        """How v was computed: ``net_o1 = w5*h1 + w6*h2``."""
        slots = self._slots(v)
        lhs, rhs = describe(v, slots).split(" = ", 1)
        return self._fill(lhs, slots) + " = " + self._fill(rhs, slots)

    def route(self, nodes: Sequence[Value], positions: Sequence[int]) -> _M:
        """A path as ``x → v1 → y``, naming the input when a node takes the same Value twice."""
        out = _name(self.names[nodes[0]])
        for k, pos in enumerate(positions):
            top = nodes[k + 1]
            if sum(1 for u in top.inputs if u is nodes[k]) > 1:
                out = out + _M(f" →(input {pos + 1}) ", rf" \xrightarrow{{\text{{input {pos + 1}}}}} ")
            else:
                out = out + " → "
            out = out + _name(self.names[top])
        return out

    def link(self, top: Value, bottom: Value, position: int | None = None) -> Link:
        """The link d top/d bottom with the engine's number, its formula and route (with `position`, the
        one edge from input `position` of top)."""
        tn, bn = self.names[top], self.names[bottom]
        if top is bottom:
            raise ValueError(f"a link joins two different Values; got d{tn}/d{bn}")
        positions = [i for i, u in enumerate(top.inputs) if u is bottom] if position is None else [position]
        if positions:  # one op: the local derivative (other inputs held fixed; a repeated input's uses add)
            rules = [self.rule(top, i) for i in positions]
            value = 0.0
            for i in positions:
                value += self.local[top][i]
            formula = rules[0][0]
            for r, _ in rules[1:]:  # x + -1 reads x - 1
                negative = r.text.startswith("-") and r.tex.startswith("-")
                formula = formula + " - " + _M(r.text[1:].lstrip(), r.tex[1:].lstrip()) if negative else formula + " + " + r
            used = tuple(dict.fromkeys(u for _, us in rules for u in us))
            return self._link(top, bottom, _d(tn, bn, partial=True), formula, value, used, position=position)
        between = paths(bottom, top, limit=_PATH_LIMIT)
        if between.n_paths == 0:
            raise ValueError(f"{tn} does not depend on {bn}: no path leads from {bn} to {tn}")
        value = between.grad  # the engine's total derivative
        if between.n_paths > 1:  # the sum over the paths: each path's product, when there are few
            if between.n_paths <= _LISTED_TERMS:
                terms = _num(between[0].product)
                for q in between[1:]:
                    terms = terms + " + " + _factor(q.product, 6)
            else:
                terms = _M(
                    f"sum over {between.n_paths:,} paths", rf"\text{{sum over {between.n_paths:,} paths}}"
                )
            return self._link(top, bottom, _d(tn, bn), terms, value, (), n_paths=between.n_paths)
        p = between[0]
        hops = [self.rule(p.nodes[k + 1], pos) for k, pos in enumerate(p.positions)][::-1]  # root first
        hops = [h for h in hops if h[0].text != "1"] or hops[:1]  # a factor 1 (from a +) says nothing
        formula = _M("", "")
        for k, (r, _) in enumerate(hops):
            formula = formula + (" · " if k else "") + _paren(r)
        used = tuple(dict.fromkeys(u for _, us in hops for u in us))
        return self._link(top, bottom, _d(tn, bn), formula, value, used, route=self.route(p.nodes, p.positions).text)

    def _link(
        self, top: Value, bottom: Value, symbol: _M, rule: _M, value: float, used: Iterable[Value], **more: Any
    ) -> Link:
        """A Link whose name and formula are its symbol's and its rule's text; `used`: the Values its formula
        names (their numbers are shown beside it)."""
        known = tuple((self.names[u], u.data) for u in used if u.op is not None or u.label)
        return Link(top, bottom, symbol.text, rule.text, value, _symbol=symbol, _rule=rule, _known=known, **more)

    def tangents(self, x: Value) -> dict[Value, float]:
        """dv/dx for every v that depends on x: forward mode over the engine's local derivatives."""
        tan = {x: 1.0}
        for v in self.order[self.order.index(x) + 1 :]:
            if v.op is None or not any(u in tan for u in v.inputs):
                continue
            t = 0.0
            for i, u in enumerate(v.inputs):
                if u in tan:
                    t += self.local[v][i] * tan[u]
            tan[v] = t
        return tan

    def edges(self, x: Value) -> list[tuple[Value, int]]:
        """The edges (node, input position) on the paths from x to the root, from the root down."""
        tan = self.tangents(x)
        return [
            (v, i)
            for v in reversed(self.order)
            if v in tan and v.op is not None
            for i, u in enumerate(v.inputs)
            if u in tan
        ]


def _paren(m: _M) -> _M:
    if not re.search(r"\s", m.text) and not m.text.startswith("-"):
        return m
    if m.text.startswith("(") and m.text.endswith(")") and m.text.count("(") == 1:
        return m
    return _M(f"({m.text})", rf"\left({m.tex}\right)")


def _with_values(link: Link, digits: int) -> list[_Part]:
    """``, with o1 = 0.606478`` for the names in a link's formula (nothing when the formula is one name)."""
    if not link._known or link._known[0][0] == link.formula:
        return []
    parts: list[_Part] = [", with "]
    for k, (n, data) in enumerate(link._known):
        parts += [", "] if k else []
        parts.append(_name(n) + " = " + _num(data, digits))
    return parts


def _judge(link: Link, answer: float, tol: _Tolerance, g: _Graph) -> Link:
    """`link` with the learner's number and the verdict on it."""
    how = _match(answer, link.value, tol)
    if how is not None:
        verdict = "right" if how == "exact" else "rounded"
    elif link.value != 0 and _match(answer, -link.value, tol):
        verdict = "sign"
    elif link.name.startswith("∂") and any(
        _match(answer, g.local[link.top][i], tol) for i, u in enumerate(link.top.inputs) if u is link.bottom
    ):
        verdict = "one_use"  # one use of an input the op takes several times (x * x)
    elif link.name.startswith("d") and _some_paths(link, answer, tol):
        verdict = "forgotten_paths"  # a total derivative inside the chain, some of its paths left out
    else:
        verdict = "wrong"
    return dataclasses.replace(link, given=answer, verdict=verdict)


def _some_paths(link: Link, answer: float, tol: _Tolerance) -> bool:
    between = paths(link.bottom, link.top, limit=_PATH_LIMIT)
    return between.complete and _subsets(list(between), answer, tol, link.value) is not None


def _subsets(
    ps: list[Path], answer: float, tol: _Tolerance, total: float
) -> tuple[list[Path], list[Path], int] | None:
    """The proper subset of the paths `ps` whose products sum to `answer`, fewest paths left out first:
    (kept, left out, how many other subsets fit as well). Every subset when there are few paths."""
    n = len(ps)
    if n < 2:
        return None
    sizes = range(n - 1, 0, -1) if n <= _MAX_SUBSET_PATHS else sorted({n - 1, n - 2, 1}, reverse=True)
    for k in sizes:
        fits = []
        for kept in itertools.combinations(range(n), k):
            s = math.fsum(ps[i].product for i in kept)
            how = _match(answer, s, tol)
            if how is not None and not math.isclose(s, total, rel_tol=1e-12, abs_tol=tol.abs):
                fits.append((how != "exact", abs(answer - s), kept))
        if fits:
            fits.sort()
            kept = fits[0][2]
            return [ps[i] for i in kept], [ps[i] for i in range(n) if i not in kept], len(fits) - 1
    return None


_Fill = _Part | Sequence[_Part]


def _say(level: int, template: str, **fills: _Fill) -> _Line:
    """A line of feedback from a template: each ``{name}`` becomes a piece of mathematics (or text).

    >>> _say(0, "✓ Right: {d}.", d=_M("∂a/∂z", r"\\partial a/\\partial z")).text()
    '✓ Right: ∂a/∂z.'
    """
    parts: list[_Part] = []
    for k, piece in enumerate(re.split(r"\{(\w+)\}", template)):
        if k % 2 == 0:
            parts += [piece] if piece else []
            continue
        fill = fills[piece]
        parts += [fill] if isinstance(fill, (str, _M)) else list(fill)
    return _Line(level, tuple(parts))


def _path_lines(g: _Graph, ps: Sequence[Path]) -> list[_Line]:
    return [
        _say(1, "left out: {route}, contributing {product}.", route=g.route(p.nodes, p.positions),
             product=_num(p.product))
        for p in ps
    ]  # fmt: skip


def _joined(parts: Sequence[_M]) -> list[_Part]:
    """``a, b and c``."""
    out: list[_Part] = []
    for k, p in enumerate(parts):
        out += [", " if k < len(parts) - 1 else " and "] if k else []
        out.append(p)
    return out


def _factor(x: float, digits: int) -> _M:
    """A number as a factor: in parentheses when negative, as on paper (0.1 · (-0.1875))."""
    m = _num(x, digits)
    return _M(f"({m.text})", rf"\left({m.tex}\right)") if m.text.startswith("-") else m


def _product(numbers: Sequence[float], digits: int) -> _M:
    out = _num(numbers[0], digits)  # a leading minus needs no parentheses
    for x in numbers[1:]:
        out = out + " · " + _factor(x, digits)
    return out


# ---------------------------------------------------------------------------------------------------
# The checkers


def check_local(
    node: Value, input: Value | str, answer: float | EllipsisType, *, rel_tol: float = 1e-6, abs_tol: float = 1e-12
) -> Feedback:
    """A learner's local derivative ∂node/∂input (a number) against the op's rule at `node`.

    `input` is one of `node`'s inputs, as a Value or by name (`autograd.explain.names` of `node`). When it
    is several of the inputs (x * x), the local derivative is the sum over its uses (x + x).

    >>> from autograd import Value
    >>> z = Value(0.5, "z"); a = z.tanh(); a.label = "a"
    >>> print(check_local(a, "z", 1 - 0.5**2))           # 1 - z², not 1 - tanh(z)²
    ✗ Not yet: you wrote ∂a/∂z = 0.75; it is 1 - a * a = 0.786448, with a = 0.462117.
    >>> check_local(a, z, 0.7864).correct                 # rounded to 4 digits: right
    True
    """
    node = instance("node", node, Value, "a Value")
    if node.op is None:
        raise ValueError(
            f"node must be a Value an op made: {shown(node)} is a leaf, with no local derivatives"
        )
    tol = _tolerance(rel_tol, abs_tol)
    g = _Graph(node, "node")
    x = g.resolve("input", input)
    if not any(u is x for u in node.inputs):
        inputs = ", ".join(dict.fromkeys(g.names[u] for u in node.inputs))
        raise ValueError(
            f"input must be an input of node ({g.made(node).text}: one of {inputs}); got {g.names[x]}. "
            "For a derivative across several ops, use check_chain or check_gradient"
        )
    if answer is ...:
        link = g.link(node, x)
        return _your_turn(link._symbol, link.value, (link,))
    answer = real("answer", answer)
    link = _judge(g.link(node, x), answer, tol, g)
    digits = _digits(answer, link.value)
    fills: dict[str, _Fill] = {"link": link.math(digits), "yours": _yours(answer, digits), "d": link._symbol}
    if link.verdict == "right":
        line = _say(0, "✓ Right: {link}.", **fills)
    elif link.verdict == "rounded":
        line = _say(0, _rounded(answer) + "{link} (you wrote {yours}).", **fills)
    elif link.verdict == "sign":
        line = _say(
            0,
            "✗ Sign slip: you wrote {d} = {yours}; it is {link}, the same size with the other sign.",
            **fills,
        )
    elif link.verdict == "one_use":
        uses = sum(1 for u in node.inputs if u is x)
        which = "both" if uses == 2 else f"{uses} of the"
        template = (
            "✗ {x} is {which} inputs of {made}, and each use adds: {link}. Your {yours} counts one use."
        )
        line = _say(0, template, x=g.names[x], which=which, made=g.made(node), **fills)
    else:
        rule = link.rule(digits)
        values = _with_values(link, digits)
        line = _say(
            0, "✗ Not yet: you wrote {d} = {yours}; it is {rule}{values}.", rule=rule, values=values, **fills
        )
    correct = link.verdict in ("right", "rounded")
    return Feedback(
        correct, link.verdict, answer, link.value, None if correct else link, (link,), (), (line,)
    )


def _chain_items(links: object) -> list[tuple[object, object]]:
    if isinstance(links, Mapping):
        items = list(links.items())
    else:
        items = []
        expected = "a dict of 'dtop/dbottom' -> number (or a list of such pairs)"
        for k, item in enumerate(iterable("links", links, expected)):
            if isinstance(item, (str, bytes)) or not isinstance(item, Sequence) or len(item) != 2:
                got = f"got {type(item).__name__}: {shown(item)}"
                raise TypeError(f"links[{k}] must be a pair ('dtop/dbottom', number), {got}")
            items.append((item[0], item[1]))
    if not items:
        raise ValueError(f"links must hold at least one link, got {shown(links)}")
    return items


def _link_ends(g: _Graph, key: object) -> tuple[Value, Value]:
    """(top, bottom) of a link written "dtop/dbottom", "∂top/∂bottom" or as a pair (top, bottom)."""
    if isinstance(key, tuple) and len(key) == 2:
        return g.resolve(f"links[{shown(key)}][0]", key[0]), g.resolve(f"links[{shown(key)}][1]", key[1])
    if not isinstance(key, str):
        raise TypeError(
            "links: each link must be written 'dtop/dbottom' (or as a pair (top, bottom)), got "
            f"{type(key).__name__}: {shown(key)}"
        )
    k = key.strip()
    cuts = [i for i in range(1, len(k) - 1) if k[i] == "/" and k[i + 1 :].lstrip()[:1] in ("d", "∂")]
    if k[:1] not in ("d", "∂") or not cuts:
        raise ValueError(f"links: {key!r} is not a derivative written 'dtop/dbottom' (or '∂top/∂bottom')")

    def ends(i: int) -> tuple[str, str]:
        return k[1:i].strip(), k[i + 1 :].lstrip()[1:].strip()

    # A name may hold a "/d" ("dσ/dx"): the reading whose two ends are both names of the graph
    readings = [(top, bottom) for top, bottom in map(ends, cuts) if top in g.by_name and bottom in g.by_name]
    if len(readings) > 1:
        raise ValueError(
            f"links: {key!r} can be read in {len(readings)} ways; give it as a pair (top, bottom)"
        )
    top, bottom = readings[0] if readings else ends(cuts[0])
    return g.resolve(f"links[{key!r}]", top), g.resolve(f"links[{key!r}]", bottom)


def _covered(p: Path, chain: Sequence[Link]) -> bool:
    """Whether a path goes along the chain: through both ends of each link, straight from one to the
    other where the link is one op."""
    where = {id(v): k for k, v in enumerate(p.nodes)}
    for lk in chain:
        if id(lk.top) not in where or id(lk.bottom) not in where:
            return False
        if lk.name.startswith("∂") and where[id(lk.top)] != where[id(lk.bottom)] + 1:
            return False
    return True


def _chain(g: _Graph, links: object, tol: _Tolerance) -> list[Link]:
    """The learner's links, checked to form one path down from the root, judged, from the root down."""
    by_top: dict[Value, tuple[Link, float | None]] = {}
    for key, number in _chain_items(links):
        top, bottom = _link_ends(g, key)
        link = g.link(top, bottom)
        if number is not ...:  # ... is a link the learner has not filled in yet
            number = real(f"links[{key if isinstance(key, str) else shown(key)!r}]", number)
        if top in by_top:
            raise ValueError(
                f"links must form one path: two links go down from {g.names[top]} ({by_top[top][0].name} and "
                f"{link.name})"
            )
        by_top[top] = (link, None if number is ... else number)
    if g.root not in by_top:
        raise ValueError(
            f"links must form one path up to {g.root_name}, but none is d{g.root_name}/d...: "
            + ", ".join(lk.name for lk, _ in by_top.values())
        )
    chain: list[Link] = []
    v = g.root
    while v in by_top:
        link, number = by_top[v]
        chain.append(link if number is None else _judge(link, number, tol, g))
        v = link.bottom
    if len(chain) < len(by_top):
        loose = [lk.name for lk, _ in by_top.values() if all(lk.top is not c.top for c in chain)]
        raise ValueError(
            f"links must form one path: from {g.root_name} the chain goes down to {g.names[v]}, and "
            f"{', '.join(loose)} do{'es' if len(loose) == 1 else ''} not join it"
        )
    return chain


def check_chain(
    root: Value,
    links: Mapping[object, float | EllipsisType] | Iterable[tuple[object, float | EllipsisType]],
    *,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-12,
) -> Feedback:
    """A learner's chain rule for d root/d x: the derivative of each link of one path from x up to `root`.

    `links` maps each link, written as on paper ("dE/do1", "∂o1/∂net_o1", or a pair (top, bottom) of
    Values or names), to the learner's number, in any order (a list of such pairs works too); together
    they must form one path ending at `root`. A link across one op is its local derivative; a link across
    several ops the total derivative between its ends. Says which links are wrong and what each should
    be (``wrong_link`` is the first from the root down, as backpropagation meets them), whether the
    product is then d root/d x, and which paths from x to the root the chain leaves out.

    >>> from autograd import Value
    >>> x = Value(3.0, "x"); u = x * x; u.label = "u"; y = u + x; y.label = "y"
    >>> print(check_chain(y, {"dy/du": 1, "du/dx": 6}))        # right links, but x also reaches y directly
    ✗ Every link is right, but the chain leaves out a path: dy/dx = 7 sums 3 paths from x to y; yours
    covers 2.
      dy/dx = ∂y/∂u · ∂u/∂x
      ✓ ∂y/∂u = 1
      ✓ ∂u/∂x = x + x = 6
      left out: x → y, contributing 1.
    """
    root = instance("root", root, Value, "a Value")
    tol = _tolerance(rel_tol, abs_tol)
    g = _Graph(root)
    chain = _chain(g, links, tol)
    x = chain[-1].bottom
    if any(lk.given is None for lk in chain):
        open_links = _joined([lk._symbol for lk in chain if lk.given is None])
        line = _say(0, "… Your turn: replace each ... with your number for {links}.", links=open_links)
        return Feedback(False, "unanswered", math.nan, g.adjoint[x], None, tuple(chain), (), (line,))
    given = [lk.given if lk.given is not None else math.nan for lk in chain]
    total, product = g.adjoint[x], math.prod(lk.value for lk in chain)
    digits = max(_digits(n, lk.value) for n, lk in zip(given, chain, strict=True))
    wrong = [lk for lk in chain if lk.verdict not in ("right", "rounded")]
    every = paths(x, root, limit=_PATH_LIMIT)
    covers_all = math.isclose(product, total, rel_tol=1e-9, abs_tol=tol.abs)
    missing = tuple(p for p in every if not _covered(p, chain)) if not covers_all and every.complete else ()
    dx = _d(g.root_name, g.names[x])
    fills: dict[str, _Fill] = {"dx": dx, "total": dx + " = " + _num(total, digits)}

    factors = dx + " = " + chain[0]._symbol
    for lk in chain[1:]:
        factors = factors + " · " + lk._symbol
    items = [_Line(1, (factors,))]
    for lk, n in zip(chain, given, strict=True):
        at: dict[str, _Fill] = {
            "link": lk.math(digits),
            "yours": _yours(n, digits),
            "route": f"   ({lk.route})" if lk.route else "",
        }
        if lk.verdict == "right":
            items.append(_say(1, "✓ {link}{route}", **at))
        elif lk.verdict == "rounded":
            items.append(_say(1, "✓ {link} (you wrote {yours}){route}", **at))
        else:
            note = {
                "sign": " (the sign is off)",
                "one_use": " (each use adds)",
                "forgotten_paths": f" ({g.names[lk.bottom]} reaches {g.names[lk.top]} along {lk.n_paths:,} "
                "paths; yours adds only some)",
            }.get(lk.verdict, "")
            values = _with_values(lk, digits)
            items.append(
                _say(1, "✗ {link}, not {yours}{values}{note}{route}", values=values, note=note, **at)
            )
    if wrong:
        kind, fixed = "wrong_link", "them" if len(wrong) > 1 else "it"
        if len(wrong) == 1:
            head = _say(0, "✗ The link {d} is wrong: you wrote {yours}; it is {rule}.", d=wrong[0]._symbol,
                        yours=_yours(given[chain.index(wrong[0])], digits),
                        rule=wrong[0].rule(digits))  # fmt: skip
        else:
            head = _say(0, "✗ The links {ds} are wrong.", ds=_joined([lk._symbol for lk in wrong]))
        fills["product"] = _product([lk.value for lk in chain], digits) + " = " + _num(product, digits)
        if covers_all:
            tail = [_say(1, "With {fixed}, the product is {product} = {dx}.", fixed=fixed, **fills)]
        else:
            template = "With {fixed}, the product is {product}; but {total}: the chain also leaves out paths."
            tail = [_say(1, template, fixed=fixed, **fills), *_path_lines(g, missing)]
        lines = [head, *items, *tail]
    elif not covers_all:
        kind = "forgotten_paths"
        s = "a path" if len(missing) == 1 else "paths"
        counted = f"{every.n_paths - len(missing):,}" if every.complete else "some"
        template = (
            "✗ Every link is right, but the chain leaves out {s}: {total} sums {n} paths from {x} to {root}; "
        )
        template += "yours covers {counted}."
        head = _say(
            0, template, s=s, n=f"{every.n_paths:,}", x=g.names[x], root=g.root_name, counted=counted, **fills
        )
        lines = [head, *items, *_path_lines(g, missing)]
    else:
        kind = "rounded" if any(lk.verdict == "rounded" for lk in chain) else "right"
        lead = "✓ Right to the digits you gave: " if kind == "rounded" else "✓ Right: "
        what = "every link, and their product " if len(chain) > 1 else ""
        lines = [_say(0, lead + what + "{total}.", **fills), *items]
    return Feedback(kind in ("right", "rounded"), kind, math.prod(given), total, wrong[0] if wrong else None,
                    tuple(chain), missing, tuple(lines))  # fmt: skip


def check_gradient(
    x: Value, root: Value, answer: float | EllipsisType, *, rel_tol: float = 1e-6, abs_tol: float = 1e-12
) -> Feedback:
    """A learner's d root/d x (a number) against the backward pass; if wrong, what went wrong.

    Looks, in this order, for: a sign slip (the answer is -d root/d x); an answer that adds up one or some
    of the paths from x to the root (the total derivative adds them all); one link left out, or
    multiplied in once more, on the paths through it; a chain that stops early (d root/d v or dv/dx alone,
    for a v every path goes through). Else shows the sum over paths to compare with.

    >>> from autograd import Value
    >>> w, x, b = Value(2.0, "w"), Value(1.5, "x"), Value(-3.0, "b")
    >>> wx = w * x; wx.label = "wx"; z = wx + b; z.label = "z"; y = z.sigmoid(); y.label = "ŷ"
    >>> print(check_gradient(w, y, 0.25))                 # σ'(z) = 0.25, but the x of d(wx)/dw is missing
    ✗ A link is missing: your 0.25 is dŷ/dw without ∂wx/∂w = x = 1.5 (wx = w * x); with it,
    dŷ/dw = 0.375.
    """
    x = instance("x", x, Value, "a Value")
    root = instance("root", root, Value, "a Value")
    tol = _tolerance(rel_tol, abs_tol)
    g = _Graph(root)
    xn = g.names.get(x, x.label or "x")
    total = g.adjoint.get(x, 0.0)
    if answer is ...:
        return _your_turn(_d(g.root_name, xn), total)
    answer = real("answer", answer)
    digits = _digits(answer, total)
    dx = _d(g.root_name, xn)
    fills: dict[str, _Fill] = {
        "yours": _yours(answer, digits),
        "dx": dx,
        "right": dx + " = " + _num(total, digits),
    }

    def feedback(
        kind: str, *lines: _Line, wrong_link: Link | None = None, missing: Sequence[Path] = ()
    ) -> Feedback:
        links = () if wrong_link is None else (wrong_link,)
        correct = kind in ("right", "rounded")
        return Feedback(correct, kind, answer, total, wrong_link, links, tuple(missing), lines)

    how = _match(answer, total, tol)
    if how == "exact":
        return feedback("right", _say(0, "✓ Right: {right}.", **fills))
    if how == "rounded":
        return feedback("rounded", _say(0, _rounded(answer) + "{right} (you wrote {yours}).", **fills))
    if x not in g.names:
        template = "✗ {root} does not depend on {x}: {right}; you wrote {yours}."
        return feedback("wrong", _say(0, template, root=g.root_name, x=xn, **fills))
    if total != 0 and _match(answer, -total, tol):
        negative = [
            _d(g.names[v], g.names[v.inputs[i]], True) + " = " + _num(g.local[v][i])
            + ("" if v.label else _M(" (", r"\ (") + g.made(v) + ")")
            for v, i in g.edges(x) if g.local[v][i] < 0
        ]  # fmt: skip
        hint = "Negative links between {x} and {root}: {negative}. " if negative else ""
        hint += "Check each link's sign with check_chain."
        return feedback(
            "sign",
            _say(0, "✗ Sign slip: your {yours} is -{dx}; {right}.", **fills),
            _say(1, hint, x=xn, root=g.root_name, negative=_joined(negative[:4])),
        )
    every = paths(x, root, limit=_PATH_LIMIT)
    found = _subsets(list(every), answer, tol, total) if every.complete else None
    if found is not None:
        kept, left, others = found
        more = _path_lines(g, left)
        if others:
            more.append(_Line(1, ("(another choice of paths gives the same sum)",)))
        fills |= {"n": f"{every.n_paths:,}", "x": xn, "root": g.root_name}
        if len(kept) == 1:
            template = (
                "✗ One path only: your {yours} is the product along {path}; {x} reaches {root} along {n} "
            )
            template += "paths and {dx} adds them all (the total derivative): {right}."
            head = _say(0, template, path=g.route(kept[0].nodes, kept[0].positions), **fills)
            return feedback("one_path", head, *more, missing=left)
        s = "a path" if len(left) == 1 else f"{len(left)} paths"
        template = (
            "✗ You left out {s}: your {yours} adds up {kept} of the {n} paths from {x} to {root}; {right}."
        )
        head = _say(0, template, s=s, kept=str(len(kept)), **fills)
        return feedback("forgotten_paths", head, *more, missing=left)
    found_link = _one_link(g, x, answer, total, tol)
    if found_link is not None:
        kind, link = found_link
        use = "" if link.position is None else f"as input {link.position + 1} of "
        made: _Fill = [f" ({use}", g.made(link.top), ")"] if link.name.startswith("∂") else ""
        template = {
            "missing_link": "✗ A link is missing: your {yours} is {dx} without {link}{made}; with it, "
            "{right}.",
            "extra_link": "✗ One factor too many: your {yours} is {dx} with {link}{made} multiplied in once "
            "more; {right}.",
            "stopped_early": "✗ The chain stops early: your {yours} leaves out {link}; {right}.",
        }[kind]
        return feedback(kind, _say(0, template, link=link.math(), made=made, **fills), wrong_link=link)
    # Nothing recognisable: the engine's working to compare with, in full when it is short
    paths_call, steps_call = "autograd.explain.paths(x, root)", "autograd.explain.steps(root)"
    if every.n_paths <= _LISTED_PATHS:
        head = _say(0, "✗ Not equal: you wrote {yours}; {right}. The sum over paths, to compare with your working:",
                    **fills)  # fmt: skip
        shown_paths = [_Line(1, (line,), pre=True) for line in str(every).splitlines()]
    else:
        head = _say(0, "✗ Not equal: you wrote {yours}; {right}, a sum over {n} paths: {call} lists them.",
                    n=f"{every.n_paths:,}", call=_code(paths_call), **fills)  # fmt: skip
        shown_paths = []
    return feedback("wrong", head, *shown_paths, _say(1, "Step by step: {call}.", call=_code(steps_call)))


def _code(text: str) -> _M:
    return _M(text, rf"\texttt{{{_tex_text(text)}}}")


def _one_link(g: _Graph, x: Value, answer: float, total: float, tol: _Tolerance) -> tuple[str, Link] | None:
    """The link whose omission (or repetition) on the paths through it, or the part of the chain whose
    omission, turns d root/d x into `answer`: the closest such, a link before a part."""
    tan = g.tangents(x)
    fits: list[
        tuple[bool, int, float, str, Value, Value, int | None]
    ] = []  # rounded only?, priority, distance

    def consider(
        priority: int, kind: str, value: float, top: Value, bottom: Value, i: int | None = None
    ) -> None:
        how = _match(answer, value, tol)
        if how is not None:
            fits.append((how == "rounded", priority, abs(answer - value), kind, top, bottom, i))

    for v, i in g.edges(x):
        local, u = g.local[v][i], v.inputs[i]
        flow = g.adjoint[v] * local * tan[u]  # what the paths through this edge add to d root/d x
        if local in (0.0, 1.0) or flow == 0 or not math.isfinite(local):
            continue
        one = i if sum(1 for w in v.inputs if w is u) > 1 else None  # one use of an input taken twice
        consider(1, "missing_link", total - flow + flow / local, v, u, one)
        consider(2, "extra_link", total - flow + flow * local, v, u, one)
    for v in g.order:  # a Value on every path: the learner stopped at it (d root/d v, or dv/dx, alone)
        on_every_path = v in tan and math.isclose(g.adjoint[v] * tan[v], total, rel_tol=1e-9)
        if v is x or v is g.root or not on_every_path:
            continue
        if tan[v] not in (0.0, 1.0):
            consider(3, "stopped_early", g.adjoint[v], v, x)
        if g.adjoint[v] not in (0.0, 1.0):
            consider(3, "stopped_early", tan[v], g.root, v)
    if not fits:
        return None
    best = min(fits, key=lambda f: f[:3])
    return best[3], g.link(best[4], best[5], best[6])


def check_update(
    w: Value,
    lr: float,
    answer: float | EllipsisType,
    *,
    grad: float | None = None,
    rel_tol: float = 1e-6,
    abs_tol: float = 1e-12,
) -> Feedback:
    """A learner's gradient-descent step w - lr · dE/dw, the gradient being `w.grad` (as ``backward()``
    left it) unless `grad` is given.

    >>> from autograd import Value
    >>> w5 = Value(0.4, "w5")
    >>> print(check_update(w5, 0.5, 0.4 + 0.5 * 0.082167, grad=0.082167))
    ✗ Uphill: your 0.4410835 is w5 + lr · grad; gradient descent steps against the gradient:
    w5 - lr · grad = 0.4 - 0.5 · 0.082167 = 0.3589165.
    """
    w = instance("w", w, Value, "a Value")
    lr = real("lr", lr)
    gradient = optional(real, "grad", grad)
    tol = _tolerance(rel_tol, abs_tol)
    if gradient is None:
        gradient = real("w.grad", w.grad)
    new = w.data - lr * gradient
    if answer is ...:
        return _your_turn(_name(w.label or "w") + _M(" after the step", r"\text{ after the step}"), new)
    answer = real("answer", answer)
    digits = _digits(answer, new)
    w_ = _name(w.label or "w")
    fills: dict[str, _Fill] = {
        "yours": _yours(answer, digits),
        "rule": w_ + _M(" - lr · grad = ", r" - \mathrm{lr} \cdot \mathrm{grad} = ") + _num(w.data, digits)
        + " - " + _product([lr, gradient], digits) + " = " + _num(new, digits),
        "uphill": w_ + _M(" + lr · grad", r" + \mathrm{lr} \cdot \mathrm{grad}"),
        "no_lr": w_ + _M(" - grad", r" - \mathrm{grad}"),
    }  # fmt: skip

    def feedback(kind: str, template: str) -> Feedback:
        return Feedback(kind in ("right", "rounded"), kind, answer, new, _lines=(_say(0, template, **fills),))

    how = _match(answer, new, tol)
    if how == "exact":
        return feedback("right", "✓ Right: {rule}.")
    if how == "rounded":
        return feedback("rounded", _rounded(answer) + "{rule} (you wrote {yours}).")
    slips = [
        ("uphill", w.data + lr * gradient,
         "✗ Uphill: your {yours} is {uphill}; gradient descent steps against the gradient: {rule}."),
        ("missing_lr", w.data - gradient, "✗ The learning rate is missing: your {yours} is {no_lr}; {rule}."),
        ("step", lr * gradient, "✗ Your {yours} is the step lr · grad, not the new weight: {rule}."),
        ("step", -lr * gradient, "✗ Your {yours} is the change -lr · grad, not the new weight: {rule}."),
    ]  # fmt: skip
    for kind, value, template in slips:
        if not math.isclose(value, new, rel_tol=tol.rel, abs_tol=tol.abs) and _match(answer, value, tol):
            return feedback(kind, template)
    return feedback("wrong", "✗ Not equal: you wrote {yours}; {rule}.")
