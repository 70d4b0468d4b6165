"""Seeded 2-D toy data sets in pure Python, and `train_test_split`.

Each generator returns (X, y): X a list of [x₁, x₂] points, y a list of int class labels 0, 1, ...
(scikit-learn's convention; `make_moons` is the reference shape, but nothing here needs scikit-learn).
The same seed gives the same points on every machine: all randomness is one `random.Random(seed)`.
`signed` and `one_hot` turn labels into the targets a loss wants.
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

__all__ = ["DATASETS", "blobs", "circles", "moons", "one_hot", "signed", "spirals", "train_test_split", "xor"]

Dataset = tuple[list[list[float]], list[int]]
T = TypeVar("T")
U = TypeVar("U")


def _check(n: object, noise: object, seed: object, least: int = 1) -> tuple[int, float, random.Random]:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}: {n!r}")
    if n < least:
        raise ValueError(f"n must be at least {least}, got {n}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not (math.isfinite(noise) and float(noise) >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    return n, float(noise), random.Random(seed)


def _linspace(start: float, stop: float, m: int) -> list[float]:
    if m == 1:
        return [start]
    return [start + (stop - start) * i / (m - 1) for i in range(m)]


def _finish(points: list[tuple[float, float, int]], noise: float, rng: random.Random) -> Dataset:
    """Add Gaussian noise (standard deviation `noise`) to each coordinate, then shuffle."""
    noisy = [(x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise), c) for x, y, c in points] if noise else points
    rng.shuffle(noisy)
    return [[x, y] for x, y, _ in noisy], [c for _, _, c in noisy]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles, as scikit-learn's make_moons: class 0 above, class 1 below.

    >>> X, y = moons(100, noise=0.1, seed=0)
    >>> len(X), sum(y), X == moons(100, noise=0.1, seed=0)[0]
    (100, 50, True)
    """
    n, noise, rng = _check(n, noise, seed, least=2)
    n_out = n // 2
    outer = [(math.cos(t), math.sin(t), 0) for t in _linspace(0.0, math.pi, n_out)]
    inner = [(1.0 - math.cos(t), 1.0 - math.sin(t) - 0.5, 1) for t in _linspace(0.0, math.pi, n - n_out)]
    return _finish(outer + inner, noise, rng)


def circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0) -> Dataset:
    """A circle of radius `factor` (class 1) inside one of radius 1 (class 0), as make_circles.

    >>> X, y = circles(8, noise=0.0)
    >>> sorted(round(math.hypot(*p), 6) for p in X)
    [0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 1.0, 1.0]
    """
    n, noise, rng = _check(n, noise, seed, least=2)
    if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0 < factor < 1:
        raise ValueError(f"factor must be a number with 0 < factor < 1, got {factor!r}")
    n_out = n // 2
    n_in = n - n_out
    outer = [(math.cos(2 * math.pi * i / n_out), math.sin(2 * math.pi * i / n_out), 0) for i in range(n_out)]
    inner = [
        (factor * math.cos(2 * math.pi * i / n_in), factor * math.sin(2 * math.pi * i / n_in), 1) for i in range(n_in)
    ]
    return _finish(outer + inner, noise, rng)


def xor(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Four clusters at (±1, ±1): class 1 where the signs differ (x₁x₂ < 0), the classic XOR.

    >>> X, y = xor(4, noise=0.0)
    >>> sorted((p[0], p[1], c) for p, c in zip(X, y))
    [(-1.0, -1.0, 0), (-1.0, 1.0, 1), (1.0, -1.0, 1), (1.0, 1.0, 0)]
    """
    n, noise, rng = _check(n, noise, seed)
    corners = [(1.0, 1.0, 0), (-1.0, 1.0, 1), (-1.0, -1.0, 0), (1.0, -1.0, 1)]
    return _finish([corners[i % 4] for i in range(n)], noise, rng)


def spirals(n: int = 100, noise: float = 0.1, arms: int = 2, seed: int = 0) -> Dataset:
    """`arms` interleaved spirals (one class each) winding out from the origin over 1½ turns.

    `noise` is relative to the radius r ∈ [0, 1].

    >>> X, y = spirals(9, noise=0.0, arms=3)
    >>> sorted(set(y)), max(round(math.hypot(*p), 9) for p in X)
    ([0, 1, 2], 1.0)
    """
    n, noise, rng = _check(n, noise, seed, least=2)
    if isinstance(arms, bool) or not isinstance(arms, int) or arms < 2:
        raise ValueError(f"arms must be an int >= 2, got {arms!r}")
    points = []
    for arm in range(arms):
        m = n // arms + (arm < n % arms)
        for r in _linspace(0.0, 1.0, m):
            theta = 2 * math.pi * arm / arms + 3 * math.pi * r
            points.append((r * math.cos(theta), r * math.sin(theta), arm))
    return _finish(points, noise, rng)


def blobs(n: int = 100, noise: float = 0.5, centers: int = 2, seed: int = 0) -> Dataset:
    """Gaussian clusters (standard deviation `noise`), one class each, centred evenly on a circle of radius 2
    turned by a seeded angle.

    >>> X, y = blobs(60, noise=0.1, centers=3)
    >>> [y.count(c) for c in range(3)]
    [20, 20, 20]
    """
    n, std, rng = _check(n, noise, seed, least=2)
    if isinstance(centers, bool) or not isinstance(centers, int) or centers < 2:
        raise ValueError(f"centers must be an int >= 2, got {centers!r}")
    turn = rng.uniform(0.0, 2 * math.pi)
    middles = [(2 * math.cos(turn + 2 * math.pi * c / centers), 2 * math.sin(turn + 2 * math.pi * c / centers))
               for c in range(centers)]  # fmt: skip
    points = [(*middles[i % centers], i % centers) for i in range(n)]
    return _finish(points, std, rng)


DATASETS: dict[str, Callable[..., Dataset]] = {
    "moons": moons, "circles": circles, "xor": xor, "spirals": spirals, "blobs": blobs,
}  # fmt: skip
"""The generators by name, as the command line offers them. Each takes (n, noise, seed=...)."""


def train_test_split(
    X: Sequence[T], y: Sequence[U], test_size: float = 0.25, seed: int = 0
) -> tuple[list[T], list[T], list[U], list[U]]:
    """Shuffle, then split: (X_train, X_test, y_train, y_test), as scikit-learn orders them.

    `test_size` is a fraction in (0, 1) (rounded up, as scikit-learn) or a count.

    >>> X, y = moons(100)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    >>> len(X_train), len(X_test), len(y_train), len(y_test)
    (80, 20, 80, 20)
    """
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels; expected one each")
    n = len(X)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"test_size must be a fraction or a count, got {type(test_size).__name__}")
    if isinstance(test_size, int):
        k = test_size
    elif 0.0 < test_size < 1.0:
        k = math.ceil(test_size * n)
    else:
        raise ValueError(f"test_size must be a fraction in (0, 1) or a count, got {test_size!r}")
    if not 0 < k < n:
        raise ValueError(f"test_size {test_size!r} leaves {n - k} of {n} samples to train on; both parts need one")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r}")
    order = list(range(n))
    random.Random(seed).shuffle(order)
    test, train = order[:k], order[k:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def signed(labels: Sequence[Any]) -> list[float]:
    """0/1 labels as -1/+1 targets (hinge loss, or squared error on a linear or tanh output).

    >>> signed([0, 1, 1])
    [-1.0, 1.0, 1.0]
    """
    out = []
    for i, c in enumerate(labels):
        if c not in (0, 1):
            raise ValueError(f"signed needs labels 0 or 1, got {c!r} at {i}")
        out.append(2.0 * c - 1.0)
    return out


def one_hot(labels: Sequence[Any], classes: int | None = None, off: float = 0.0) -> list[list[float]]:
    """Class labels 0..k-1 as one-hot target lists (1 at the class, `off` elsewhere).

    >>> one_hot([0, 2], off=-1.0)
    [[1.0, -1.0, -1.0], [-1.0, -1.0, 1.0]]
    """
    k = classes if classes is not None else (max(labels) + 1 if labels else 0)
    out = []
    for i, c in enumerate(labels):
        if isinstance(c, bool) or not isinstance(c, numbers.Integral) or not 0 <= int(c) < k:
            raise ValueError(f"one_hot needs int labels in 0..{k - 1}, got {c!r} at {i}")
        out.append([1.0 if j == int(c) else float(off) for j in range(k)])
    return out
