"""Toy data sets: shapes, classes, seeds, geometry without noise; train_test_split; label encodings."""

import math

import pytest

from nn.data import DATASETS, blobs, circles, moons, one_hot, signed, spirals, train_test_split, xor


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_data_set_is_seeded_2d_and_labelled(name):
    make = DATASETS[name]
    X, y = make(50, noise=0.1, seed=3)
    assert len(X) == len(y) == 50
    assert all(len(p) == 2 and all(isinstance(v, float) and math.isfinite(v) for v in p) for p in X)
    assert set(y) == {0, 1} and all(type(c) is int for c in y)
    assert make(50, noise=0.1, seed=3) == (X, y)
    assert make(50, noise=0.1, seed=4)[0] != X


def test_moons_without_noise_lie_on_make_moons_half_circles():
    X, y = moons(20, noise=0.0)
    for (a, b), c in zip(X, y):
        if c == 0:  # upper half circle centred at (0, 0)
            assert math.hypot(a, b) == pytest.approx(1.0, abs=1e-12) and b >= -1e-12
        else:  # lower half circle centred at (1, 0.5)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0, abs=1e-12) and b <= 0.5 + 1e-12
    assert y.count(0) == y.count(1) == 10
    ends = sorted((round(a, 9), round(b, 9)) for a, b in X)
    assert ends[0] == (-1.0, 0.0) and ends[-1] == (2.0, 0.5)  # sklearn's endpoints


def test_other_shapes():
    X, y = circles(10, noise=0.0, factor=0.3)
    assert all(math.hypot(*p) == pytest.approx(1.0 if c == 0 else 0.3) for p, c in zip(X, y))
    X, y = xor(8, noise=0.0)
    assert all((p[0] * p[1] < 0) == (c == 1) for p, c in zip(X, y))
    X, y = spirals(30, noise=0.0, arms=3)
    assert sorted(set(y)) == [0, 1, 2] and max(math.hypot(*p) for p in X) == pytest.approx(1.0)
    X, y = blobs(40, noise=0.05, centers=4)
    assert sorted(set(y)) == [0, 1, 2, 3]
    for c in range(4):  # each blob is tight around a point at radius 2
        pts = [p for p, k in zip(X, y) if k == c]
        cx, cy = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
        assert math.hypot(cx, cy) == pytest.approx(2.0, abs=0.1)  # 10 draws of std 0.05: mean within 0.1


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: moons(1), ValueError, "n must be at least 2"),
        (lambda: moons(10, noise=-0.1), ValueError, "noise must be a finite number >= 0"),
        (lambda: moons(10.0), TypeError, "n must be an int"),
        (lambda: moons(10, seed="a"), TypeError, "seed must be an int"),
        (lambda: circles(10, factor=1.5), ValueError, "0 < factor < 1"),
        (lambda: spirals(10, arms=1), ValueError, "arms must be an int >= 2"),
        (lambda: blobs(10, centers=1), ValueError, "centers must be an int >= 2"),
    ],
)
def test_bad_arguments(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_train_test_split():
    X, y = moons(50, seed=0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=1)
    assert (len(X_train), len(X_test), len(y_train), len(y_test)) == (40, 10, 40, 10)
    pairs = {(tuple(p), c) for p, c in zip(X, y)}
    assert {(tuple(p), c) for p, c in zip(X_train + X_test, y_train + y_test)} == pairs  # a partition, pairs kept
    assert train_test_split(X, y, test_size=0.2, seed=1) == (X_train, X_test, y_train, y_test)
    assert len(train_test_split(X, y, test_size=7)[1]) == 7
    with pytest.raises(ValueError, match="X has 50 samples but y has 49 labels"):
        train_test_split(X, y[:-1])
    with pytest.raises(ValueError, match="fraction in \\(0, 1\\) or a count"):
        train_test_split(X, y, test_size=1.5)
    with pytest.raises(ValueError, match="both parts need one"):
        train_test_split(X, y, test_size=50)


def test_label_encodings():
    assert signed([1, 0]) == [1.0, -1.0]
    assert one_hot([1, 0], 3) == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]
    with pytest.raises(ValueError, match="signed needs labels 0 or 1, got 2 at 1"):
        signed([0, 2])
    with pytest.raises(ValueError, match="one_hot needs int labels in 0..1, got 2"):
        one_hot([0, 2], 2)
