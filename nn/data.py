"""Seeded 2-D toy data sets in pure Python, the 8×8 handwritten digits, and `train_test_split`.

Each generator returns (X, y): X a list of [x₁, x₂] points, y a list of int class labels 0, 1, ...
(scikit-learn's convention; `make_moons` is the reference shape, but nothing here needs scikit-learn).
The same seed gives the same points on every machine: all randomness is one `random.Random(seed)`.
`moons`, `circles` and `xor` have two classes by nature; `spirals` (`arms=k`) and `blobs` (`centers=k`)
have any number k ≥ 2, one class per arm or cluster, as even in size as k divides n (k = 3 to 10 are
tested). `signed` and `one_hot` turn labels into the targets a loss wants.

`digits` is real data: scikit-learn's bundled copy of the 8×8 handwritten digits (1,797 images, 10
classes), already split into training and test sets. scikit-learn is optional (``pip install
'chainrule[data]'``) and imported only inside `digits`.
"""

from __future__ import annotations

import functools
import math
import numbers
import random
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from autograd.checks import flag, integer, iterable, optional, real, shown

__all__ = [
    "DATASETS", "DIGITS", "blobs", "circles", "digits", "moons", "one_hot", "signed", "spirals", "train_test_split",
    "xor",
]  # fmt: skip

Dataset = tuple[list[list[float]], list[int]]
T = TypeVar("T")
U = TypeVar("U")


MAX_POINTS = 10_000_000
"""The most points a generator makes (and numbers `one_hot` makes): pure Python lists that size take about a
gigabyte; a count beyond it is a mistake, refused at once."""


def _check(n: object, noise: object, seed: object, least: int = 1) -> tuple[int, float, random.Random]:
    n = integer("n", n, low=least, high=MAX_POINTS)
    std = real("noise", noise, low=0.0)
    return n, std, random.Random(integer("seed", seed))


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
    factor = real("factor", factor, low=0.0, high=1.0, low_open=True, high_open=True)
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
    arms = integer("arms", arms, low=2, high=n)  # at most n: every class gets a point
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
    centers = integer("centers", centers, low=2, high=n)  # at most n: every class gets a point
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
    X: Sequence[T], y: Sequence[U], test_size: float = 0.25, seed: int = 0, stratify: bool = False
) -> tuple[list[T], list[T], list[U], list[U]]:
    """Shuffle, then split: (X_train, X_test, y_train, y_test), as scikit-learn orders them.

    `test_size` is a fraction in (0, 1) (rounded up, as scikit-learn) or a count. `stratify=True` splits
    each class (each distinct label in y) in the same proportion, so that both parts hold the classes as
    the whole does: class c of n_c samples gives ⌊k·n_c/n⌋ of the k test samples, and the samples left
    over go to the classes with the largest remainders (scikit-learn's `stratify=y`, up to tie-breaking).

    >>> X, y = moons(100)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)
    >>> len(X_train), len(X_test), len(y_train), len(y_test)
    (80, 20, 80, 20)
    >>> y_test = train_test_split(X, y, test_size=0.2, stratify=True)[3]
    >>> y_test.count(0), y_test.count(1)            # 50 of each class in all: 10 of each in the test set
    (10, 10)
    """
    X = iterable("X", X, "a list of samples")
    y = iterable("y", y, "a list of labels")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels; expected one each")
    n = len(X)
    if n < 2:
        raise ValueError(f"train_test_split needs at least 2 samples (one to train on, one to test), got {n}")
    k = _test_count(test_size, n)
    seed = integer("seed", seed)
    rng = random.Random(seed)
    if flag("stratify", stratify):
        test, train = _stratified(y, k, rng)
    else:
        order = list(range(n))
        rng.shuffle(order)
        test, train = order[:k], order[k:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


def _test_count(test_size: object, n: int) -> int:
    """How many of n samples (n ≥ 2) `test_size` holds out: a count as it is, a fraction rounded up; both
    parts need a sample."""
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        return integer("test_size", test_size, low=1, high=n - 1)
    fraction = real("test_size", test_size, low=0.0, high=1.0, low_open=True, high_open=True)
    k = math.ceil(fraction * n)
    if k >= n:
        raise ValueError(f"test_size {fraction} leaves no sample of {n} to train on; both parts need one")
    return k


def _stratified(y: list[Any], k: int, rng: random.Random) -> tuple[list[int], list[int]]:
    """Indices (test, train), k in test, each class in proportion (largest remainders), both shuffled."""
    members: dict[Any, list[int]] = {}
    for i, label in enumerate(y):
        try:
            members.setdefault(label, []).append(i)
        except TypeError:  # unhashable: a list or an array
            raise TypeError(
                f"stratify=True needs class labels in y (ints, or other hashable values), got "
                f"{type(label).__name__} at {i}: {shown(label)}"
            ) from None
    n = len(y)
    share = {c: k * len(idx) // n for c, idx in members.items()}  # ⌊k·n_c/n⌋, exact in integers
    left = k - sum(share.values())
    by_remainder = sorted(members, key=lambda c: -(k * len(members[c]) % n))  # stable: first seen first
    for c in by_remainder[:left]:
        share[c] += 1
    test, train = [], []
    for c, idx in members.items():
        rng.shuffle(idx)
        test += idx[: share[c]]
        train += idx[share[c] :]
    rng.shuffle(test)  # not grouped by class
    rng.shuffle(train)
    return test, train


DIGITS = 1797
"""How many images `digits` has: scikit-learn's copy of the UCI optical digits test set."""

NEEDS_SKLEARN = (
    "digits needs scikit-learn (it bundles the images): pip install 'chainrule[data]' (or pip install scikit-learn)"
)


def digits(
    n: int | None = None, test_size: float = 0.2, seed: int = 0
) -> tuple[list[list[float]], list[list[float]], list[int], list[int]]:
    """The 8×8 handwritten digits, split: (X_train, X_test, y_train, y_test), pure Python lists.

    Each sample is an image as 64 floats, row by row, each pixel's ink scaled from scikit-learn's 0..16
    to [0, 1] by ÷16 (exact in binary); each label the digit drawn, an int 0..9. The split is
    `train_test_split(..., stratify=True)`: seeded, every digit in the same proportion in both parts.
    `n` takes that many of the 1,797 images (a seeded draw, stratified too) for quicker experiments;
    None takes all. Needs scikit-learn (``pip install 'chainrule[data]'``); no download.

    >>> X_train, X_test, y_train, y_test = digits()
    >>> len(X_train), len(X_test), len(X_train[0]), sorted(set(y_test)) == list(range(10))
    (1437, 360, 64, True)
    >>> min(min(x) for x in X_train), max(max(x) for x in X_train)
    (0.0, 1.0)
    """
    count = optional(integer, "n", n, low=2, high=DIGITS)
    m = DIGITS if count is None else count
    _test_count(test_size, m)  # test_size and seed checked now, before scikit-learn is asked for the images
    integer("seed", seed)
    images, labels = _digit_images()
    X, y = [list(image) for image in images], list(labels)
    if m < DIGITS:
        _, X, _, y = train_test_split(X, y, test_size=m, seed=seed, stratify=True)
    return train_test_split(X, y, test_size=test_size, seed=seed, stratify=True)


@functools.cache
def _digit_images() -> tuple[tuple[tuple[float, ...], ...], tuple[int, ...]]:
    """scikit-learn's digits as tuples of floats in [0, 1] and int labels, loaded once per process."""
    try:
        from sklearn.datasets import load_digits  # type: ignore[import-untyped]  # scikit-learn has no stubs
    except ImportError as e:
        if (e.name or "").split(".")[0] != "sklearn":
            raise  # scikit-learn is there, but one of its own dependencies is not: let that error say which
        raise ModuleNotFoundError(NEEDS_SKLEARN, name="sklearn") from e
    bunch = load_digits()
    images = tuple(tuple(pixel / 16.0 for pixel in image) for image in bunch.data.tolist())
    return images, tuple(int(label) for label in bunch.target.tolist())


def signed(labels: Sequence[Any]) -> list[float]:
    """0/1 labels as -1/+1 targets (hinge loss, or squared error on a linear or tanh output).

    >>> signed([0, 1, 1])
    [-1.0, 1.0, 1.0]
    """
    out = []
    for i, c in enumerate(iterable("labels", labels, "a list of 0/1 labels")):
        if not _zero_or_one(c):
            raise ValueError(f"signed needs labels 0 or 1, got {shown(c)} at {i}")
        out.append(1.0 if c == 1 else -1.0)
    return out


def _zero_or_one(c: object) -> bool:
    """c == 0 or c == 1, as a label: a number, a bool or a numpy scalar; never a str or an array."""
    try:
        return not isinstance(c, (str, bytes)) and bool(c in (0, 1))
    except (TypeError, ValueError):  # a numpy array compared with a number has no single truth value
        return False


def one_hot(labels: Sequence[Any], classes: int | None = None, off: float = 0.0) -> list[list[float]]:
    """Class labels 0..k-1 as one-hot target lists (1 at the class, `off` elsewhere).

    >>> one_hot([0, 2], off=-1.0)
    [[1.0, -1.0, -1.0], [-1.0, -1.0, 1.0]]
    """
    items = iterable("labels", labels, "a list of int class labels")
    k = optional(integer, "classes", classes, low=1)
    off = real("off", off)
    classes_of: list[int] = []
    for i, c in enumerate(items):
        n = int(c) if isinstance(c, numbers.Integral) and not isinstance(c, bool) else -1
        if n < 0 or (k is not None and n >= k):
            within = "0, 1, ..." if k is None else f"0..{k - 1}"
            raise ValueError(f"one_hot needs int labels in {within}, got {shown(c)} at {i}")
        classes_of.append(n)
    what = "classes" if k is not None else "labels (up to the largest, one class each)"
    if k is None:
        k = max(classes_of) + 1 if classes_of else 0
    if len(items) * k > MAX_POINTS:
        raise ValueError(f"one_hot would make {len(items):,} samples × {k:,} {what} = {len(items) * k:,} "
                         f"numbers, more than MAX_POINTS = {MAX_POINTS:,}")  # fmt: skip
    return [[1.0 if j == c else off for j in range(k)] for c in classes_of]
