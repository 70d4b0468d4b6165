"""`Neuron`, `Layer`, `MLP`: micrograd's names and attributes, with activations, bias and init choices.

A neuron computes a = f(z), z = w·x + b. The pre-activation z is ONE node (`autograd.dot`), not the 2n
nodes a loop of `*` and `+` would make, and f is one more: two nodes per neuron. Raw numbers given to a
model are wrapped into Values once per sample, not once per neuron.

Weights come from Python's global `random` module unless you say otherwise, as in micrograd (and as
PyTorch draws from its global generator): after `random.seed(1337)`, `MLP(2, [16, 16, 1])` gets exactly
micrograd's weights (each neuron draws its weights in order with `random.uniform(-1, 1)`; biases start at
0 and draw nothing). `seed=` draws from a private `random.Random(seed)` instead, and `rng=` from a
generator you pass: either way the global generator is left as it was.

>>> import random
>>> random.seed(1337); a = MLP(2, [3, 1])
>>> random.seed(1337); b = MLP(2, [3, 1])
>>> a.state_dict() == b.state_dict() == MLP(2, [3, 1], rng=random.Random(1337)).state_dict()
True
"""

from __future__ import annotations

import itertools
import math
import numbers
import random
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol, Union

from autograd import Op, Value
from autograd.checks import choice, flag, instance, integer, iterable, optional, shown
from autograd.value import dots, map_op

from .module import Module

__all__ = ["ACTIVATIONS", "INITS", "MLP", "Generator", "Input", "InputError", "Layer", "Neuron"]

Input = Union[Value, float, Iterable[Value | float]]  # noqa: UP007 -- a runtime alias: `|` on Value fails
"""What a model takes for one sample: a list of numbers or Values (a bare one for a 1-input model)."""


class InputError(ValueError, TypeError):
    """A sample that does not fit the model: wrong width, or an item that is not a number.

    A ValueError (the sample's shape or content is wrong) and, for code that expects one, a TypeError.

    >>> issubclass(InputError, ValueError) and issubclass(InputError, TypeError)
    True
    """


def _linear(z: Value) -> Value:
    return z


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,             # max(0, z);       relu'(z) = 1 for z > 0, else 0
    "tanh": Value.tanh,             # tanh'(z) = 1 - tanh²(z)
    "sigmoid": Value.sigmoid,       # σ'(z) = σ(z)(1 - σ(z))
    "linear": _linear,              # f(z) = z;       f' = 1
    "leaky_relu": Value.leaky_relu, # z for z > 0, else 0.01 z (PyTorch's default slope)
    "softplus": Value.softplus,     # log(1 + e^z);    softplus' = σ
}  # fmt: skip
"""Activation functions by name. The unit of `MLP(activation=...)` and `output_activation=...`."""

Activation = Union[Op, None, Callable[[Value], Value]]  # noqa: UP007 -- a runtime alias, as Input


def _as_op(fn: Callable[[Value], Value]) -> Activation:
    """How layers apply an activation: the Op it is when it makes one node from its input (found by
    applying it once to a probe), None for the identity, else the function itself.

    >>> _as_op(ACTIVATIONS["tanh"]), _as_op(ACTIVATIONS["linear"])
    (Op('tanh'), None)
    """
    probe = Value(0.5)
    try:
        out = fn(probe)
    except (ArithmeticError, ValueError, TypeError):
        return fn  # a user's function that fails on the probe: applied as it is, and fails where it would
    if out is probe:
        return None
    if isinstance(out, Value) and out.op is not None and out.op.arity == 1 and out.inputs == (probe,):
        return out.op
    return fn


def _activate(acts: list[Activation], zs: list[Value], labels: list[str]) -> list[Value]:
    """Each neuron's activation of its pre-activation z, labelled with the neuron's name: one `map_op`
    call (one engine loop) when the layer's neurons share one activation op, as they do unless one was
    changed by hand. A linear neuron's output is z itself, which then takes the neuron's name."""
    act = acts[0]
    if isinstance(act, Op) and acts.count(act) == len(acts):  # (count compares by identity first, in C)
        return map_op(act, zs, labels)
    return [_apply(a, z, label) for a, z, label in zip(acts, zs, labels, strict=True)]


def _apply(act: Activation, z: Value, label: str) -> Value:
    if isinstance(act, Op):
        return map_op(act, [z], [label])[0]
    a = z if act is None else act(z)
    if a is z or not a.label:  # (a user's function may return a Value it has named itself)
        a.label = label
    return a


class Generator(Protocol):
    """Where weights come from: the `random` module itself (its global generator) or a `random.Random`."""

    def uniform(self, a: float, b: float, /) -> float: ...

    def gauss(self, mu: float = 0.0, sigma: float = 1.0, /) -> float: ...


def _uniform(rng: Generator, nin: int, nout: int) -> float:
    return rng.uniform(-1.0, 1.0)  # micrograd's choice


def _xavier(rng: Generator, nin: int, nout: int) -> float:
    a = math.sqrt(6.0 / (nin + nout))  # Glorot & Bengio 2010: keeps Var(z) ≈ Var(x) forward and back
    return rng.uniform(-a, a)


def _he(rng: Generator, nin: int, nout: int) -> float:
    return rng.gauss(0.0, math.sqrt(2.0 / nin))  # He et al. 2015: Var(w) = 2/nin, for ReLU layers


INITS: dict[str, Callable[[Generator, int, int], float]] = {
    "uniform": _uniform,  # U(-1, 1), as micrograd
    "xavier": _xavier,    # U(-a, a), a = √(6 / (nin + nout))
    "glorot": _xavier,
    "he": _he,            # N(0, 2 / nin)
    "kaiming": _he,
}  # fmt: skip
"""Weight initializations by name, each `init(rng, nin, nout) -> one weight`; biases always start at 0."""


MAX_PARAMETERS = 10_000_000
"""The most parameters one model may have: each is a Python object (about 100 bytes with its float), so
ten million take a gigabyte and minutes to build; a count beyond it is a mistake, refused at once."""


def _check_size(where: str, count: int) -> None:
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{where} would have {count:,} parameters, more than MAX_PARAMETERS = {MAX_PARAMETERS:,}: "
            "each is a Python object, so a model that size would not fit in memory; use fewer or narrower "
            "layers"
        )


def make_rng(seed: int | None = None, rng: random.Random | None = None) -> Generator:
    """The generator to draw from: `rng` itself, a new `random.Random(seed)`, or with neither the `random`
    module, whose global generator `random.seed` sets.

    >>> make_rng(seed=1).uniform(-1, 1) == random.Random(1).uniform(-1, 1)
    True
    >>> make_rng() is random
    True
    """
    seed = optional(integer, "seed", seed)
    if rng is not None:
        rng = instance("rng", rng, random.Random, "a random.Random")
        if seed is not None:
            raise ValueError("give seed= or rng=, not both")
        return rng
    return random if seed is None else random.Random(seed)


def _given(gen: Generator) -> random.Random | None:
    """How a layer hands its generator on to its neurons: as `rng=`, or None for the global one."""
    return gen if isinstance(gen, random.Random) else None


def _resolve_activation(nonlin: object, activation: object, default: str) -> str:
    nonlin = optional(flag, "nonlin", nonlin)
    if nonlin is not None and activation is not None:
        raise ValueError("give activation= or micrograd's nonlin=, not both")
    if nonlin is not None:
        return "relu" if nonlin else "linear"
    return choice("activation", default if activation is None else activation, ACTIVATIONS)


def as_inputs(x: Input, nin: int, where: object, names: Sequence[str] | None = None) -> list[Value]:
    """One sample as a list of `nin` Values: numbers wrapped once (labelled `names[i]`: a model's x1, x2,
    ...), Values kept, anything else refused.

    `where` (a name, or the module itself) is shown in errors; a module's repr is built only then.

    >>> as_inputs([1, 2.5], 2, "MLP", ["x1", "x2"])
    [Value(data=1.0, grad=0.0, label='x1'), Value(data=2.5, grad=0.0, label='x2')]
    >>> as_inputs([1.0], 2, "MLP(2 -> 1, relu / linear)")
    Traceback (most recent call last):
      ...
    nn.layers.InputError: MLP(2 -> 1, relu / linear) expects 2 inputs, got 1: [1.0]
    """
    if type(x) is list and len(x) == nin:  # the fast paths
        if all([type(v) is Value for v in x]):  # noqa: C419 -- a list is faster for short lists
            return x  # already a sample of Values: every layer after the first
        if all([type(v) is float for v in x]):  # noqa: C419 -- a list is faster for short lists
            if names is None:
                return [Value(v) for v in x]  # numbers, wrapped once for all the first layer's neurons
            return [Value(v, name) for v, name in zip(x, names)]
    if isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool):
        xs: list[object] = [x]
    elif isinstance(x, (str, bytes, bool)) or not isinstance(x, Iterable):
        raise InputError(f"{_name(where)} expects a list of {nin} numbers or Values, got "
                         f"{type(x).__name__}: {shown(x)}")  # fmt: skip
    else:
        xs = list(x)
    if len(xs) != nin:
        raise InputError(f"{_name(where)} expects {nin} inputs, got {len(xs)}: {shown(xs)}")
    out: list[Value] = []
    for i, v in enumerate(xs):
        if type(v) is Value:
            out.append(v)
        elif type(v) is float or isinstance(v, numbers.Real) and not isinstance(v, bool):
            try:
                out.append(Value(float(v), names[i] if names is not None else ""))
            except OverflowError:  # an int beyond float range
                too_large = f"{_name(where)} input {i} is too large for a float, got {shown(v)}"
                raise InputError(too_large) from None
        else:
            raise InputError(f"{_name(where)} input {i} must be a number or a Value, got "
                             f"{type(v).__name__}: {shown(v)}")  # fmt: skip
    return out


def _name(where: object) -> str:
    return where if isinstance(where, str) else repr(where)


def _check_values(x: object, nin: int, where: object) -> None:
    """Refuse what `forward` cannot take: anything but a list of `nin` Values."""
    if type(x) is not list:
        raise InputError(f"{_name(where)}.forward takes a list of {nin} Values (call the model itself to "
                         f"pass numbers), got {type(x).__name__}: {shown(x)}")  # fmt: skip
    if len(x) != nin:
        raise InputError(f"{_name(where)}.forward takes {nin} Values, got {len(x)}: {shown(x)}")
    for i, v in enumerate(x):
        if not isinstance(v, Value):
            raise InputError(f"{_name(where)}.forward input {i} must be a Value (call the model itself "
                             f"to pass numbers), got {type(v).__name__}: {shown(v)}")  # fmt: skip


def _forward(where: object, rows: list[list[Value]], biases: list[Value | None], acts: list[Activation],
             x: list[Value], names: tuple[list[str], list[str]]) -> list[Value]:  # fmt: skip
    """A layer's neurons on inputs x: z_j = w_j · x + b_j (`autograd.dots`, one node each), then each
    neuron's activation, after `forward`'s O(1) checks of its input (a list, of the right length); an item
    that is not a Value, which the engine's fast loop meets as an error, is named then (any other error,
    say from a user's activation, is re-raised)."""
    if type(x) is not list or len(x) != len(rows[0]):
        _check_values(x, len(rows[0]), where)
    nets, outs = names  # each neuron's pre-activation and output: net_h1 and h1
    try:
        zs = dots(rows, x, biases, nets)
    except (AttributeError, TypeError, ValueError):
        _check_values(x, len(rows[0]), where)
        raise
    return _activate(acts, zs, outs)


def _inputs(n: int) -> list[str]:
    return [f"x{i + 1}" for i in range(n)]


class Neuron(Module):
    """One neuron: a = f(w·x + b), with the pre-activation z = w·x + b as a single `dot` node.

    `nonlin` is micrograd's switch (True: relu, False: linear); `activation=` names any of ACTIVATIONS.
    Weights are drawn from Python's global `random` (as micrograd), or from `random.Random(seed)` given
    `seed=`, or from `rng=`; the bias starts at 0.

    >>> n = Neuron(2, activation="tanh", seed=0)
    >>> n.w[0].data = 0.5; n.w[1].data = -1.0; n.b.data = 0.25
    >>> a = n([2.0, 1.0]); a.backward()            # z = 0.5·2 - 1·1 + 0.25 = 0.25
    >>> round(a.data, 6), round(n.w[0].grad, 6)     # tanh(0.25), da/dw₀ = (1 - a²)·x₀
    (0.244919, 1.88003)
    >>> n
    Neuron(2, tanh)
    """

    w: list[Value]
    b: Value | None

    def __init__(
        self,
        nin: int,
        nonlin: bool | None = None,
        *,
        activation: str | None = None,
        bias: bool = True,
        init: str = "uniform",
        fan_out: int = 1,
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        nin = integer("nin", nin, low=1, high=MAX_PARAMETERS)
        _check_size(f"Neuron({nin})", nin + 1)
        self.activation = _resolve_activation(nonlin, activation, "relu")
        draw = INITS[choice("init", init, INITS)]
        bias = flag("bias", bias)
        fan_out = integer("fan_out", fan_out, low=1)
        gen = make_rng(seed, rng)
        self.w = [Value(draw(gen, nin, fan_out), f"w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, "b") if bias else None
        self._act = _as_op(ACTIVATIONS[self.activation])
        self._name("a", _inputs(nin), own=True)

    def _name(self, unit: str, sources: Sequence[str], own: bool = False) -> None:
        """Name what this neuron is and makes: its output `unit` (h1, o1), its pre-activation net_<unit>,
        its weights w_<unit>_<source> and its bias b_<unit>; a neuron on its own keeps w1, w2, ..., b, and
        calls its pre-activation net and its output a."""
        self.unit = unit
        self._names = (["net" if own else f"net_{unit}"], [unit])
        self._inputs = list(sources)
        if not own:
            for w, source in zip(self.w, sources, strict=True):
                w.label = f"w_{unit}_{source}"
            if self.b is not None:
                self.b.label = f"b_{unit}"

    @property
    def nin(self) -> int:
        """How many inputs the neuron takes."""
        return len(self.w)

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: False only for a linear neuron."""
        return self.activation != "linear"

    def __call__(self, x: Input) -> Value:
        return self.forward(as_inputs(x, len(self.w), self, self._inputs))

    def forward(self, x: list[Value]) -> Value:
        """a = f(w·x + b) for inputs already wrapped as Values: the fast path layers use, which checks only
        that `x` is a list of `nin` Values.

        >>> Neuron(1, nonlin=False, seed=0).forward([Value(2.0)]).data == 2 * Neuron(1, seed=0).w[0].data
        True
        """
        return _forward(self, [self.w], [self.b], [self._act], x, self._names)[0]  # a = f(z), z = w·x + b

    def parameters(self) -> list[Value]:
        return self.w + [self.b] if self.b is not None else list(self.w)

    def __repr__(self) -> str:
        bias = "" if self.b is not None else ", bias=False"
        return f"Neuron({len(self.w)}, {self.activation}{bias})"


class Layer(Module):
    """`nout` neurons reading the same inputs. Always returns a list, even of one Value (micrograd's
    returns a bare Value for one neuron). The neurons draw their weights one after the other from one
    generator (Python's global `random`, or `seed=` / `rng=` as `Neuron`), so they start different.

    >>> layer = Layer(3, 2, seed=0)
    >>> out = layer([1.0, 2.0, 3.0])
    >>> len(out), layer
    (2, Layer(3 -> 2, relu))
    """

    neurons: list[Neuron]

    def __init__(
        self,
        nin: int,
        nout: int,
        nonlin: bool | None = None,
        *,
        activation: str | None = None,
        bias: bool = True,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        nin = integer("nin", nin, low=1, high=MAX_PARAMETERS)
        nout = integer("nout", nout, low=1, high=MAX_PARAMETERS)
        _check_size(f"Layer({nin} -> {nout})", nout * (nin + 1))
        act = _resolve_activation(nonlin, activation, "relu")
        bias = flag("bias", bias)
        choice("init", init, INITS)
        gen = make_rng(seed, rng)
        self.neurons = [
            Neuron(nin, activation=act, bias=bias, init=init, fan_out=nout, rng=_given(gen)) for _ in range(nout)
        ]
        self.activation = act
        self._name([f"o{j + 1}" for j in range(nout)], _inputs(nin))

    def _name(self, units: Sequence[str], sources: Sequence[str]) -> None:
        """Name each neuron (`units`: o1, o2 for outputs, h1, h2 for a hidden layer) and what it makes."""
        for neuron, unit in zip(self.neurons, units, strict=True):
            neuron._name(unit, sources)
        self._inputs = list(sources)
        self._names = ([f"net_{u}" for u in units], list(units))

    @property
    def nin(self) -> int:
        """How many inputs each neuron takes."""
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        """How many neurons, so how many outputs."""
        return len(self.neurons)

    def __call__(self, x: Input) -> list[Value]:
        return self.forward(as_inputs(x, self.nin, self, self._inputs))

    def forward(self, x: list[Value]) -> list[Value]:
        """Every neuron's output for inputs already wrapped as Values (checked as `Neuron.forward`).

        >>> [v.data for v in Layer(1, 2, nonlin=False, bias=False, seed=0).forward([Value(0.0)])]
        [0.0, 0.0]
        """
        return self._forward(x, self)

    def _forward(self, x: list[Value], where: object) -> list[Value]:
        ns = self.neurons
        return _forward(where, [n.w for n in ns], [n.b for n in ns], [n._act for n in ns], x, self._names)

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        bias = "" if self.neurons[0].b is not None else ", bias=False"
        return f"Layer({self.nin} -> {self.nout}, {self.activation}{bias})"


class MLP(Module):
    """A multi-layer perceptron: `nin` inputs, then one layer per entry of `nouts`.

    Hidden layers use `activation` (ReLU by default), the last layer `output_activation` (linear by
    default), as micrograd. Returns a Value when the last layer has one neuron, else a list.

    Weights come from Python's global `random`, layer by layer, neuron by neuron, in micrograd's order, so
    micrograd's demo (`random.seed(1337)`, then `MLP(2, [16, 16, 1])`) gets micrograd's very weights.
    `seed=` draws from a private `random.Random(seed)` instead, `rng=` from a given `random.Random`; then
    the global generator is not touched.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> model
    MLP(2 -> 16 -> 16 -> 1, relu / linear)
    >>> score = model([0.5, -1.0]); score.backward()
    >>> type(score).__name__, len(model.parameters()), len(model.layers[0].neurons[0].w)
    ('Value', 337, 2)
    """

    layers: list[Layer]

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        *,
        activation: str = "relu",
        output_activation: str = "linear",
        bias: bool = True,
        init: str = "uniform",
        seed: int | None = None,
        rng: random.Random | None = None,
    ) -> None:
        nin = integer("nin", nin, low=1, high=MAX_PARAMETERS)
        widths = iterable("nouts", nouts, "a list of layer widths such as [16, 16, 1]")
        if not widths:
            raise ValueError("nouts must be a non-empty list of layer widths such as [16, 16, 1], got []")
        sizes = [nin] + [integer(f"nouts[{i}]", n, low=1, high=MAX_PARAMETERS) for i, n in enumerate(widths)]
        count = sum(b * (a + 1) for a, b in itertools.pairwise(sizes))  # weights and a bias per neuron
        _check_size(f"MLP({' -> '.join(map(str, sizes))})", count)
        hidden = choice("activation", activation, ACTIVATIONS)
        last = choice("output_activation", output_activation, ACTIVATIONS)
        choice("init", init, INITS)
        bias = flag("bias", bias)
        gen = make_rng(seed, rng)
        n = len(widths)
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation=last if i == n - 1 else hidden, bias=bias, init=init,
                  rng=_given(gen))
            for i in range(n)
        ]
        self.activation = hidden
        self.output_activation = last
        self.bias = bias
        self.init = init
        sources = _inputs(nin)  # name every neuron by its place: x1, x2 -> h1, h2 (h1.1 ... with more hidden
        for i, layer in enumerate(self.layers):  # layers) -> o1, o2; and what it makes: net_h1, w_h1_x1, b_h1
            one = n == 2
            units = [f"o{j + 1}" if i == n - 1 else f"h{j + 1}" if one else f"h{i + 1}.{j + 1}" for j in range(layer.nout)]
            layer._name(units, sources)
            sources = units

    @property
    def nin(self) -> int:
        """How many inputs the network takes."""
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        """The width of each layer, as passed to the constructor."""
        return [layer.nout for layer in self.layers]

    @property
    def nout(self) -> int:
        """How many outputs the network gives."""
        return self.layers[-1].nout

    def __call__(self, x: Input) -> Value | list[Value]:
        return self.forward(as_inputs(x, self.layers[0].nin, self, self.layers[0]._inputs))

    def forward(self, x: list[Value]) -> Value | list[Value]:
        """The network's output for inputs already wrapped as Values (checked as `Neuron.forward`).

        >>> MLP(1, [1], output_activation="sigmoid", seed=0).forward([Value(0.0)]).data    # σ(0 + b), b = 0
        0.5
        """
        first, *rest = self.layers
        x = first._forward(x, self)  # a wrong input is reported as the MLP's
        for layer in rest:
            x = layer.forward(x)
        return x[0] if len(x) == 1 else x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer.neurons for p in n.parameters()]

    def _html_header(self) -> list[str]:
        return ["layer", "neurons", "inputs → outputs", "activation", "parameters"]

    def _html_rows(self) -> list[list[object]]:
        rows: list[list[object]] = []
        for i, layer in enumerate(self.layers):
            units = [n.unit for n in layer.neurons]
            shown = ", ".join(units) if len(units) <= 6 else f"{units[0]} ... {units[-1]}"
            rows.append([i + 1, shown, f"{layer.nin} → {layer.nout}", layer.activation, layer.num_parameters()])
        return rows

    def named_parameters(self) -> list[tuple[str, Value]]:
        return [
            (f"layers.{i}.neurons.{j}.{name}", p)
            for i, layer in enumerate(self.layers)
            for j, neuron in enumerate(layer.neurons)
            for name, p in neuron.named_parameters()
        ]

    def __repr__(self) -> str:
        sizes = " -> ".join(str(s) for s in [self.nin, *self.nouts])
        bias = "" if self.bias else ", bias=False"
        return f"MLP({sizes}, {self.activation} / {self.output_activation}{bias})"
