"""`Module`: the base class of everything in nn that holds parameters.

A module's parameters are the leaf Values a training step changes. `named_parameters()` finds them by
walking the module's attributes in definition order (a Value, a list of Values, a sub-module or a list of
sub-modules), so names read like attribute paths: ``layers.0.neurons.1.w.0``. `state_dict()` is those
names mapped to floats; `load_state_dict()` puts them back, checking everything before changing anything.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from autograd import Value
from autograd.checks import mapping, real

__all__ = ["Module"]


class Module:
    """Something with parameters: Values that training adjusts.

    >>> from autograd import Value
    >>> class Scale(Module):
    ...     def __init__(self) -> None:
    ...         self.k = Value(2.0)
    >>> m = Scale()
    >>> m.named_parameters()
    [('k', Value(data=2.0, grad=0.0))]
    >>> m.load_state_dict({"k": 3.0}); m.state_dict()
    {'k': 3.0}
    """

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of `named_parameters()`.

        >>> from nn import Neuron
        >>> len(Neuron(3).parameters())        # 3 weights and a bias
        4
        """
        return [p for _, p in self.named_parameters()]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, parameter) pairs, walking attributes in the order they were set.

        >>> from nn import Neuron
        >>> [name for name, _ in Neuron(2).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        return list(_walk(self, ""))

    def zero_grad(self) -> None:
        """Set every parameter's `.grad` to 0.0 (leaves accumulate gradients across backward calls).

        >>> from nn import Neuron
        >>> n = Neuron(2); n([1.0, 1.0]).backward(); n.zero_grad()
        >>> [p.grad for p in n.parameters()]
        [0.0, 0.0, 0.0]
        """
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name: a snapshot that `load_state_dict` restores.

        >>> from nn import Neuron
        >>> Neuron(1, seed=0).state_dict()
        {'w.0': 0.6888437030500962, 'b': 0.0}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, float]) -> None:
        """Set every parameter from `state` (names as in `state_dict()`); all or nothing.

        A missing or unexpected name, is a ValueError naming it, a value that is not a real number a TypeError,
        and then no parameter has changed.

        >>> from nn import Neuron
        >>> n = Neuron(1)
        >>> n.load_state_dict({"w.0": 0.5})
        Traceback (most recent call last):
          ...
        ValueError: state is missing parameter 'b' (expected names: w.0, b)
        """
        state = mapping("state", state, "a mapping of parameter name -> float (as state_dict() gives)")
        named = self.named_parameters()
        names = [name for name, _ in named]
        known = set(names)
        for name in names:
            if name not in state:
                raise ValueError(f"state is missing parameter {name!r} (expected names: {', '.join(names)})")
        for name in state:
            if name not in known:
                raise ValueError(f"state has unexpected parameter {name!r} (expected names: {', '.join(names)})")
        values: list[float] = []
        for name, _ in named:
            values.append(real(f"parameter {name!r}", state[name], finite=False))  # a diverged model: NaN
        for (_, p), x in zip(named, values, strict=True):  # everything checked: now change
            p.data = x

    def _repr_html_(self) -> str:
        """In Jupyter: the module and its parameters, by name (for an MLP, layer by layer)."""
        from html import escape

        rows = self._html_rows()
        body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
        head = "".join(f"<th>{escape(h)}</th>" for h in self._html_header())
        return (f"<div><p><code>{escape(repr(self))}</code>: {self.num_parameters():,} parameters</p>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")  # fmt: skip

    def _html_header(self) -> list[str]:
        return ["parameter", "value", "grad"]

    def _html_rows(self) -> list[list[object]]:
        named = self.named_parameters()
        rows: list[list[object]] = [[n, f"{p.data:.4g}", f"{p.grad:.4g}"] for n, p in named[:12]]
        if len(named) > 12:
            rows.append([f"... and {len(named) - 12} more", "", ""])
        return rows

    def num_parameters(self) -> int:
        """How many parameters the module has.

        >>> from nn import MLP
        >>> MLP(2, [16, 16, 1]).num_parameters()      # (2+1)·16 + (16+1)·16 + (16+1)·1
        337
        """
        return len(self.parameters())


def _walk(obj: Module, prefix: str) -> Iterator[tuple[str, Value]]:
    for name, attr in vars(obj).items():
        if name.startswith("_"):
            continue
        yield from _walk_attr(attr, prefix + name)


def _walk_attr(attr: object, name: str) -> Iterator[tuple[str, Value]]:
    if isinstance(attr, Value):
        yield name, attr
    elif isinstance(attr, Module):
        yield from _walk(attr, name + ".")
    elif isinstance(attr, (list, tuple)):
        for i, item in enumerate(attr):
            if isinstance(item, (Value, Module)):
                yield from _walk_attr(item, f"{name}.{i}")
