"""The moons training step on every engine, from the same data and the same initial weights.

One step of micrograd's demo: `MLP(2, [16, 16, 1])` (ReLU hidden layers, linear output), 100 moons points,
forward + backward + SGD update. Two losses, the same formula in every engine:

* squared error: L = 1/N Σ (score - y)², labels y = ±1 (the mean, no factor 1/2);
* hinge, as micrograd's demo: L = 1/N Σ relu(1 - y·score) + α Σ w² with α = 1e-4 (its L2 term included).

Each engine's `step()` returns the loss before its update. Weights come from chainrule's `nn.MLP(seed=0)`
and are copied into every other engine.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Callable
from typing import Any

from . import floor

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4  # hinge's L2 weight, micrograd's demo
LR = 0.05


def moons(n: int, noise: float = 0.1, seed: int = 0) -> list[tuple[float, float, float]]:
    """Two interleaving half circles (as sklearn's make_moons), labels ±1, pure Python and seeded."""
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        points.append((math.cos(t), math.sin(t), -1.0))
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        points.append((1.0 - math.cos(t), 0.5 - math.sin(t), 1.0))
    rng.shuffle(points)
    return [(x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise), label) for x, y, label in points]


def initial_layers(seed: int = 0) -> floor.Layers:
    """The initial weights: chainrule's MLP(2, [16, 16, 1], seed=seed), as floor-style lists."""
    from nn import MLP

    model = MLP(SIZES[0], SIZES[1:], seed=seed)
    return [([[w.data for w in n.w] for n in layer.neurons], [n.b.data for n in layer.neurons]) for layer in model.layers]


def copy_layers(layers: floor.Layers) -> floor.Layers:
    return [([list(w) for w in W], list(b)) for W, b in layers]


def flat(layers: floor.Layers) -> list[float]:
    """All weights in micrograd's parameter order: per neuron its weights, then its bias."""
    return [v for W, b in layers for w, bj in zip(W, b, strict=True) for v in (*w, bj)]


class Engine:
    """One engine running the moons step. `step()` returns the loss before the update."""

    name = ""
    note = ""

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        self.data = data
        self.loss = loss

    def step(self) -> float:
        raise NotImplementedError

    def weights(self) -> list[float]:
        raise NotImplementedError

    def teardown(self) -> None:
        """Untimed work between timed steps (micrograd without its collector frees garbage here)."""


class Floor(Engine):
    name = "float floor"
    note = "hand-written float forward + backward + SGD, no graph"

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        super().__init__(layers, data, loss)
        self.layers = copy_layers(layers)

    def step(self) -> float:
        if self.loss == "squared":
            return floor.step_squared(self.layers, self.data, LR)
        return floor.step_hinge(self.layers, self.data, LR, ALPHA)

    def weights(self) -> list[float]:
        return flat(self.layers)


class Chainrule(Engine):
    name = "chainrule"
    note = "interpreted: nn.MLP (dot neurons), autograd.sum, loss.backward()"

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        super().__init__(layers, data, loss)
        from nn import MLP

        self.model = MLP(SIZES[0], SIZES[1:], seed=0)
        self.params = self.model.parameters()
        for p, w in zip(self.params, flat(layers), strict=True):
            p.data = w

    def loss_value(self) -> Any:
        import autograd

        model, n = self.model, len(self.data)
        scores = [model([x0, x1]) for x0, x1, _ in self.data]
        if self.loss == "squared":
            return autograd.sum([(s - y) ** 2 for s, (_, _, y) in zip(scores, self.data, strict=True)]) / n
        data_loss = autograd.sum([(1.0 - y * s).relu() for s, (_, _, y) in zip(scores, self.data, strict=True)]) / n
        return data_loss + ALPHA * autograd.sum([p * p for p in self.params])

    def step(self) -> float:
        for p in self.params:
            p.grad = 0.0
        loss = self.loss_value()
        loss.backward()
        for p in self.params:
            p.data -= LR * p.grad
        return float(loss.data)

    def weights(self) -> list[float]:
        return [p.data for p in self.params]


class Compiled(Chainrule):
    name = "chainrule compiled"
    note = "autograd.compile of the per-sample loss, backward_batch over the points"

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        super().__init__(layers, data, loss)
        import autograd

        model, n, params = self.model, len(data), self.params
        if loss == "squared":
            self.sample = autograd.compile(lambda x0, x1, y: (model([x0, x1]) - y) ** 2 / n, params, data[:3])
            self.reg = None
        else:
            self.sample = autograd.compile(lambda x0, x1, y: (1.0 - y * model([x0, x1])).relu() / n, params, data[:3])
            self.reg = autograd.compile(lambda: ALPHA * autograd.sum([p * p for p in params]), params, [()])

    def step(self) -> float:
        params = self.params
        for p in params:
            p.grad = 0.0
        loss = math.fsum(self.sample.backward_batch(self.data))
        if self.reg is not None:
            loss += self.reg.backward()
        for p in params:
            p.data -= LR * p.grad
        return loss


class Micrograd(Engine):
    name = "micrograd"
    note = "micrograd 0.1.0 as shipped (cyclic collector on)"
    collector = True

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        super().__init__(layers, data, loss)
        from micrograd.nn import MLP

        self.model = MLP(SIZES[0], SIZES[1:])
        self.params = self.model.parameters()
        for p, w in zip(self.params, flat(layers), strict=True):
            p.data = w

    def step(self) -> float:
        from micrograd.engine import Value

        collecting = gc.isenabled()
        if not self.collector:
            gc.disable()
        try:
            model = self.model
            model.zero_grad()
            inputs = [[Value(x0), Value(x1)] for x0, x1, _ in self.data]
            scores = list(map(model, inputs))
            ys = [y for _, _, y in self.data]
            if self.loss == "squared":
                loss = sum((s - y) ** 2 for s, y in zip(scores, ys, strict=True)) * (1.0 / len(ys))
            else:  # micrograd's demo, verbatim but for the names
                losses = [(1 + -y * s).relu() for y, s in zip(ys, scores, strict=True)]
                loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in self.params)
            loss.backward()
            for p in self.params:
                p.data -= LR * p.grad
            return float(loss.data)
        finally:
            if collecting:
                gc.enable()

    def teardown(self) -> None:
        if not self.collector:
            gc.collect()  # the cycles of the step's graph, freed outside the timed step

    def weights(self) -> list[float]:
        return [float(p.data) for p in self.params]


class MicrogradNoGC(Micrograd):
    name = "micrograd, no gc"
    note = "micrograd with gc.disable() during the step; its garbage collected between steps, untimed"
    collector = False


class TorchScalar(Engine):
    name = "PyTorch scalar"
    note = "one 0-dim float64 tensor per scalar, micrograd's neuron: sum(w*x, b)"

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        super().__init__(layers, data, loss)
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        t = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)
        self.layers = [([[t(v) for v in w] for w in W], [t(v) for v in b]) for W, b in layers]
        self.params = [v for W, b in self.layers for w, bj in zip(W, b, strict=True) for v in (*w, bj)]

    def forward(self, x: list[Any]) -> Any:
        torch = self.torch
        last = len(self.layers) - 1
        for i, (W, b) in enumerate(self.layers):
            z = [sum((wi * xi for wi, xi in zip(w, x, strict=True)), bj) for w, bj in zip(W, b, strict=True)]
            x = z if i == last else [torch.relu(zj) for zj in z]
        return x[0]

    def step(self) -> float:
        torch = self.torch
        f64 = torch.float64
        scores = [self.forward([torch.tensor(x0, dtype=f64), torch.tensor(x1, dtype=f64)]) for x0, x1, _ in self.data]
        ys = [y for _, _, y in self.data]
        if self.loss == "squared":
            loss = sum((s - y) ** 2 for s, y in zip(scores, ys, strict=True)) * (1.0 / len(ys))
        else:
            losses = [torch.relu(1 + -y * s) for y, s in zip(ys, scores, strict=True)]
            loss = sum(losses) * (1.0 / len(losses)) + ALPHA * sum(p * p for p in self.params)
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= LR * p.grad
                p.grad = None
        return float(loss.item())

    def weights(self) -> list[float]:
        return [float(p.item()) for p in self.params]


class TorchVectorized(Engine):
    name = "PyTorch vectorized"
    note = "batched float64 tensors: different work, shown for honesty"

    def __init__(self, layers: floor.Layers, data: list[tuple[float, float, float]], loss: str) -> None:
        super().__init__(layers, data, loss)
        import torch

        torch.set_num_threads(1)
        self.torch = torch
        f64 = torch.float64
        self.Ws = [torch.tensor(W, dtype=f64, requires_grad=True) for W, _ in layers]
        self.bs = [torch.tensor(b, dtype=f64, requires_grad=True) for _, b in layers]
        self.X = torch.tensor([[x0, x1] for x0, x1, _ in data], dtype=f64)
        self.y = torch.tensor([y for _, _, y in data], dtype=f64)

    def step(self) -> float:
        torch = self.torch
        h = self.X
        for i, (W, b) in enumerate(zip(self.Ws, self.bs, strict=True)):
            h = h @ W.T + b
            if i < len(self.Ws) - 1:
                h = torch.relu(h)
        s = h[:, 0]
        if self.loss == "squared":
            loss = ((s - self.y) ** 2).mean()
        else:
            loss = torch.relu(1 - self.y * s).mean() + ALPHA * sum((p * p).sum() for p in (*self.Ws, *self.bs))
        loss.backward()
        with torch.no_grad():
            for p in (*self.Ws, *self.bs):
                p -= LR * p.grad
                p.grad = None
        return float(loss.item())

    def weights(self) -> list[float]:
        out = []
        for W, b in zip(self.Ws, self.bs, strict=True):
            for w, bj in zip(W.tolist(), b.tolist(), strict=True):
                out += [*w, bj]
        return out


ENGINES: dict[str, Callable[..., Engine]] = {
    e.name: e for e in (Chainrule, Compiled, Micrograd, MicrogradNoGC, TorchScalar, Floor, TorchVectorized)
}
